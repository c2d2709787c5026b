// The lesson's server.ts as a process of its own, started as the package's
// `start` script starts it (node --import tsx server.ts), and a client that
// writes Socket.IO frames by hand. A message that ends the server ends that
// process, where a test can see it, and not the test runner.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, type TestContext } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_TIMEOUT_MS, freePort, lessonTarget } from './index.ts';

/** Starting Node with tsx takes about half a second, and much longer on a busy machine. */
export const STARTUP_MS = 10_000;

/**
 * How long to wait for a frame or an answer that must come: the kit's usual
 * second. A server answers in milliseconds; a starter that never answers
 * should fail a learner's check fast.
 */
export const WAIT_MS = DEFAULT_TIMEOUT_MS;

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Rejects once the process exits, with what it wrote to stderr. */
  exited: Promise<never>;
}

export interface StartOptions {
  /** Added to the server's environment, besides `PORT`. */
  env?: NodeJS.ProcessEnv;
  /** Another file to start instead of the target's `server.ts`, such as a test's own server. */
  file?: string;
  /** How long it may take to print that it listens (a cluster starts several processes). */
  startupMs?: number;
}

/**
 * Start `server.ts` of the folder `#target/` points to (see `lessonTarget()`),
 * on a free port, and resolve once it prints that it is listening.
 *
 * @example
 * const server = await startServer(fileURLToPath(new URL('..', import.meta.url)));
 * const cluster = await startServer(lessonDir, { env: { WORKERS: '3' }, startupMs: 20_000 });
 */
export async function startServer(
  lessonDir: string,
  { env = {}, file, startupMs = STARTUP_MS }: StartOptions = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', file ?? `${lessonTarget(lessonDir)}/server.ts`],
    {
      cwd: lessonDir,
      env: { ...process.env, ...env, PORT: String(port) },
    },
  );
  // Should the test runner end first, the server ends with it.
  const kill = () => child.kill();
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code, signal]) => {
    throw new Error(`The server exited (${code ?? signal}). Its stderr:\n${stderr}`);
  });
  exited.catch(() => {}); // raced by whoever needs it; stopServer() ends it on purpose

  let stdout = '';
  let timer: NodeJS.Timeout | undefined;
  const started = Promise.race([
    new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('Listening on')) resolve();
      });
    }),
    exited,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`The server did not start within ${startupMs} ms: ${stderr}`)),
        startupMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  const server = { child, port, url: `http://127.0.0.1:${port}`, exited };
  try {
    await started;
  } catch (error) {
    await stopServer(server);
    throw error;
  }
  return server;
}

/**
 * The server process that the tests of a file share: the one the last test
 * left running, or a new one if an attack ended it. Stopped after the file.
 *
 * @example
 * const server = useServer(fileURLToPath(new URL('..', import.meta.url)));
 * it('survives …', async () => {
 *   const running = await server();
 * });
 */
export function useServer(lessonDir: string): () => Promise<ServerProcess> {
  let current: Promise<ServerProcess> | undefined;
  // The first start has a timeout of its own: on a busy machine it can take longer than a test may.
  beforeAll(async () => {
    current = startServer(lessonDir);
    await current;
  }, STARTUP_MS);
  afterAll(async () => stopServer(await current?.catch(() => undefined)));
  return async () => {
    let running = await current?.catch(() => undefined);
    if (!running || !isRunning(running)) {
      current = startServer(lessonDir);
      running = await current;
    }
    return running;
  };
}

/** Stop the process, if it still runs, and wait until it has. */
export async function stopServer(server: ServerProcess | undefined): Promise<void> {
  if (!server || !isRunning(server)) return;
  const ended = once(server.child, 'exit');
  server.child.kill();
  await ended;
}

export function isRunning({ child }: ServerProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Resolve with `answer`, or fail with the server's stderr if the process exits
 * first. When `answer` fails (the connection dropped, say), wait a moment for
 * the process to exit, so that the failure names the cause.
 */
export async function beforeExit<T>(server: ServerProcess, answer: Promise<T>): Promise<T> {
  try {
    return await Promise.race([answer, server.exited]);
  } catch (error) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      server.exited,
      new Promise((resolve) => {
        timer = setTimeout(resolve, WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    throw error;
  }
}

/**
 * A WebSocket that has opened an Engine.IO session and connected to the main
 * namespace by hand, closed when the test finishes. `query` is the handshake query.
 *
 * @example
 * const eve = await rawSocket(server, { name: 'eve' }, context);
 * expect(await rawAsk(eve, 'say', '{"room":"lobby","text":"hi"}')).toEqual({ ok: true });
 */
export async function rawSocket(
  server: ServerProcess,
  query: Record<string, string>,
  { onTestFinished }: Pick<TestContext, 'onTestFinished'>,
): Promise<WebSocket> {
  const params = new URLSearchParams({ EIO: '4', transport: 'websocket', ...query });
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?${params}`);
  ws.on('error', () => {}); // a refused or dropped connection rejects frame() through 'close'
  onTestFinished(() => ws.terminate());
  await frame(ws, '0{'); // Engine.IO open: the session id and the ping settings
  const connected = frame(ws, '40{');
  ws.send('40'); // Engine.IO message (4) holding a Socket.IO CONNECT (0) to "/"
  await connected;
  return ws;
}

/**
 * Send `event` with `json`, the payload written out as JSON, and
 * acknowledgement id 1; resolve with the argument the server acknowledges with.
 */
export async function rawAsk(ws: WebSocket, event: string, json: string): Promise<unknown> {
  const answer = frame(ws, '431['); // message (4), ACK (3), id 1
  ws.send(`421${JSON.stringify([event]).slice(0, -1)},${json}]`); // message, EVENT (2), id 1
  const [reply] = JSON.parse((await answer).slice('431'.length)) as unknown[];
  return reply;
}

/**
 * 20,000 arrays, each inside the one before, as JSON: 40 KB, far under
 * Socket.IO's 1 MB limit, and deep enough to overflow the stack of any code
 * that walks it recursively (Socket.IO's own binary check included).
 *
 * @example
 * await rawAsk(ws, 'say', `{"room":"lobby","text":${DEEP_JSON}}`);
 */
export const DEEP_JSON = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;

/**
 * Resolve with the next Engine.IO frame on a raw WebSocket that starts with
 * `prefix`, answering the server's pings meanwhile (as a client that keeps its
 * connection would) and skipping any other frame; reject on a CONNECT_ERROR
 * (`44`, when that is not what is awaited), on close, or after `timeoutMs`.
 *
 * @example
 * const welcome = await frame(ws, '42["welcome"');
 */
export function frame(ws: WebSocket, prefix: string, timeoutMs = WAIT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => settle(() => reject(new Error(`No "${prefix}…" frame within ${timeoutMs} ms`))),
      timeoutMs,
    );
    const onMessage = (data: WebSocket.RawData) => {
      const text = data.toString();
      if (text === '2') ws.send('3');
      if (text.startsWith(prefix)) settle(() => resolve(text));
      // CONNECT_ERROR (44): the server refused the namespace; no "40" will come.
      else if (text.startsWith('44'))
        settle(() => reject(new Error(`The server refused the connection: ${text.slice(2)}`)));
    };
    const onClose = () =>
      settle(() => reject(new Error(`The connection closed before a "${prefix}…" frame`)));
    function settle(outcome: () => void) {
      clearTimeout(timer);
      ws.off('message', onMessage).off('close', onClose);
      outcome();
    }
    ws.on('message', onMessage).on('close', onClose);
  });
}
