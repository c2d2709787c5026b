// Three processes of the app, each alone on its port (WORKERS=0), sharing one
// Redis: the adapter and the session store across processes, nginx in front,
// and a second app on the same Redis, kept apart by its key prefix.
import { readFileSync } from 'node:fs';
import { freePort, kitFor } from '@lessons/test-kit';
import { requireBinary } from '@lessons/test-kit/requires';
import { type ServerProcess, stopServer } from '@lessons/test-kit/server-process';
import { type Service, startNginx } from '@lessons/test-kit/services';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Said } from '#target/events.ts';
import {
  ask,
  CLUSTER_STARTUP_MS,
  heard,
  http,
  join,
  lessonDir,
  login,
  newRedisPrefix,
  next,
  startLessonServer,
  useDeployment,
} from './scaled.ts';

const deployment = useDeployment({ workers: 0, processes: 3 });
const { urls } = deployment;
const processes = () => deployment.servers();

describe('one session store for every process', () => {
  it('a login through one process holds on the others; a logout through a third ends it on all', async (context) => {
    const kit = kitFor(context);
    const [a, b, c] = urls() as [string, string, string];
    const cookie = await login(a, 'ana');
    const { welcome } = await join(kit, b, cookie);
    expect(welcome, 'the welcome of a socket opened through another process').toMatchObject({
      username: 'ana',
      worker: processes()[1]?.child.pid,
    });
    expect((await http(`${c}/me`, { cookie })).body).toMatchObject({ username: 'ana' });
    expect((await http(`${c}/logout`, { method: 'POST', cookie })).status).toBe(204);
    for (const url of [a, b, c]) {
      expect((await http(`${url}/me`, { cookie })).status, `GET ${url}/me after the logout`).toBe(
        401,
      );
      await expect(join(kit, url, cookie), `a socket through ${url}`).rejects.toThrow(
        'connect_error: unauthorized',
      );
    }
  });
});

describe('two apps on one Redis, each under its own REDIS_PREFIX', () => {
  // As a class is graded: one Redis, every submission under a prefix of its own.
  let other: ServerProcess | undefined;
  beforeAll(async () => {
    const redis = deployment.redis();
    if (!redis) return;
    const env = { WORKERS: '0', REDIS_URL: redis.url, REDIS_PREFIX: newRedisPrefix() };
    other = await startLessonServer(env);
  }, CLUSTER_STARTUP_MS);
  afterAll(() => stopServer(other));

  it("each app's broadcasts and serverSideEmitWithAck() reach its own processes only", async (context) => {
    const kit = kitFor(context);
    const [a, b] = urls() as [string, string];
    const ours = await join(kit, a, await login(a, 'oli'));
    const sender = await join(kit, b, await login(b, 'ole'));
    const theirs = await join(kit, other?.url as string, await login(other?.url as string, 'tia'));
    const pids = (servers: (ServerProcess | undefined)[]) =>
      servers.map((server) => server?.child.pid).sort((x = 0, y = 0) => x - y);
    expect(await ask(ours.socket, 'workers'), 'workers, asked of this app').toEqual({
      workers: pids(processes()),
    });
    expect(await ask(theirs.socket, 'workers'), 'workers, asked of the other app').toEqual({
      workers: pids([other]),
    });

    // A process delivers its own broadcast once it is in Redis. One stream holds its
    // entries in order: had both apps one stream, oli would read tia's first.
    const texts: string[] = [];
    ours.socket.on('said', (said) => texts.push(said.text));
    const own = heard(theirs.socket, 'for the other app', 'tia, her own broadcast');
    await ask(theirs.socket, 'say', { text: 'for the other app' });
    await own;
    const marker = heard(ours.socket, 'for this app', 'oli, through another process');
    await ask(sender.socket, 'say', { text: 'for this app' });
    await marker;
    expect(texts, 'what oli heard').toEqual(['for this app']);
  });

  it('a login to one app is no login to the other, though both sign with the same secret', async (context) => {
    const kit = kitFor(context);
    const cookie = await login(other?.url as string, 'tia');
    expect((await http(`${other?.url}/me`, { cookie })).status, 'GET /me of the other app').toBe(
      200,
    );
    const url = urls()[0] as string;
    expect((await http(`${url}/me`, { cookie })).status, 'GET /me of this app').toBe(401);
    await expect(join(kit, url, cookie), 'a socket to this app').rejects.toThrow(
      'connect_error: unauthorized',
    );
  });
});

describe('nginx in front: hash $remote_addr consistent', () => {
  const nginx = requireBinary('nginx');
  let proxy: Service | undefined;
  let proxyUrl = '';
  beforeAll(async () => {
    if (processes().length === 0) return;
    const port = await freePort();
    let config = readFileSync(`${lessonDir}/deploy/nginx.conf`, 'utf8');
    config = config.replace('listen 127.0.0.1:8080', `listen 127.0.0.1:${port}`);
    processes().forEach((server, i) => {
      config = config.replace(`server 127.0.0.1:${3001 + i};`, `server 127.0.0.1:${server.port};`);
    });
    try {
      proxy = await startNginx(nginx(), config, port);
      proxyUrl = `http://127.0.0.1:${port}`;
    } catch (error) {
      if (!String(error).includes('not installed')) throw error;
    }
  });
  afterAll(() => proxy?.stop());

  it('sends clients from 6 loopback addresses to at least 2 processes, and they talk over long-polling', async (context) => {
    const kit = kitFor(context);
    const people = [];
    for (const n of [2, 3, 4, 5, 6, 7]) {
      const localAddress = `127.0.0.${n}`;
      const cookie = await login(proxyUrl, `user${n}`, localAddress);
      people.push(await join(kit, proxyUrl, cookie, { localAddress, transports: ['polling'] }));
    }
    const workers = new Set(people.map(({ welcome }) => welcome.worker));
    expect(workers.size, 'the processes 6 addresses reached').toBeGreaterThanOrEqual(2);
    const text = 'from behind nginx';
    const said = people.map(({ socket }) => heard(socket, text, 'user2 through nginx'));
    expect(await ask((people[0] as (typeof people)[number]).socket, 'say', { text })).toEqual({
      ok: true,
    });
    for (const one of await Promise.all(said)) expect(one).toMatchObject({ from: 'user2', text });
  });
});

describe('connection state recovery, with the streams adapter', () => {
  it('a client cut off from one process is recovered by another: same id, same rooms, and what it missed', async (context) => {
    const kit = kitFor(context);
    const [a, b, c] = urls() as [string, string, string];
    const rae = await join(kit, a, await login(a, 'rae'), { transports: ['websocket'] });
    const sam = await join(kit, c, await login(c, 'sam'));
    expect(await ask(rae.socket, 'join', 'porch'), 'rae joins "porch"').toEqual({ ok: true });
    // Recovery starts from the offset of the last broadcast the client heard: it needs one.
    const first = heard(rae.socket, 'before the cut', 'rae, before the cut');
    await ask(sam.socket, 'say', { text: 'before the cut' });
    await first;
    const { id } = rae.socket;
    const pid = (rae.socket as unknown as { _pid?: string })._pid;
    expect(pid, 'the recovery session id the server gave rae').toEqual(expect.any(String));

    // Cut rae's transport (as a network drop would), and wait until process A has kept
    // her session in Redis: it does so as it sees the connection close.
    const gone = next<string>(rae.socket, 'disconnect', 'rae, cut off');
    rae.socket.io.engine.close();
    await gone;
    const { url, prefix } = deployment.redis() ?? { url: '', prefix: '' };
    const redis = createClient({ url });
    await redis.connect();
    context.onTestFinished(() => redis.destroy());
    await expect
      .poll(() => redis.keys(`${prefix}*${pid}`), {
        timeout: 5000,
        message: `a session key ${prefix}…${pid}`,
      })
      .toHaveLength(1);

    // What she misses: one broadcast to everyone, one to her room.
    const missed = [] as Said[];
    rae.socket.on('said', (said) => missed.push(said));
    await ask(sam.socket, 'say', { text: 'while rae was away' });
    await ask(sam.socket, 'say', { text: 'porch only, while away', room: 'porch' });

    // She comes back through another process, as a balancer may send her.
    (rae.socket.io as unknown as { uri: string }).uri = b;
    const welcome = next<{ worker: number }>(rae.socket, 'welcome', 'rae, back through B');
    rae.socket.connect();
    expect((await welcome).worker, 'the process rae came back to').toBe(processes()[1]?.child.pid);
    expect(rae.socket.recovered, 'socket.recovered after reconnecting through B').toBe(true);
    expect(rae.socket.id, 'her socket id, kept').toBe(id);
    await expect
      .poll(() => missed.map((said) => said.text), { timeout: 3000 })
      .toEqual(['while rae was away', 'porch only, while away']);
    // Her rooms came with her: a message to "porch" reaches her on B.
    const after = heard(rae.socket, 'porch, after', 'rae on B, in "porch"');
    await ask(sam.socket, 'say', { text: 'porch, after', room: 'porch' });
    expect(await after).toMatchObject({ from: 'sam', room: 'porch' });
  });
});
