// A Redis outage under the streams adapter, in the slow suite (pnpm test:slow,
// part of pnpm verify; never check or grade): it restarts Redis, and on a
// starter it waits out its whole poll, run twice by the grader, which pushed a
// class's starters past the grading time limit. Three processes of the app,
// each alone on its port (WORKERS=0), share one Redis with append-only
// persistence, so that a restart on the same port finds the stream intact.
import { kitFor } from '@lessons/test-kit';
import type { ServerProcess } from '@lessons/test-kit/server-process';
import { describe, expect, it } from 'vitest';
import type { Said } from '#target/events.ts';
import { ask, join, login, useDeployment } from '../scaled.ts';

const deployment = useDeployment({ workers: 0, processes: 3, ownRedis: 'append-only' });
const { urls } = deployment;

/** Resolve with the first line `server` writes to stderr that matches `pattern`. */
function stderrLine(server: ServerProcess | undefined, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no stderr line like ${pattern} in 5 s`)),
      5000,
    );
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk;
      const line = text.split('\n').find((one) => pattern.test(one));
      if (line === undefined) return;
      clearTimeout(timer);
      server?.child.stderr?.off('data', onData);
      resolve(line);
    };
    server?.child.stderr?.on('data', onData);
  });
}

describe('a Redis outage, with the streams adapter', () => {
  it('loses no broadcast said while Redis is down: it reaches every process once Redis is back', async (context) => {
    const kit = kitFor(context);
    const people = [];
    for (const [i, url] of urls().entries()) {
      people.push(await join(kit, url, await login(url, `out${i}`)));
    }
    const noticed = stderrLine(deployment.servers()[0], /Redis at .* retrying/);
    await deployment.stopRedis();
    // Say it once the sender's process knows that Redis is gone: its client then queues
    // the XADD. A command written just as the connection breaks is rejected, not retried.
    await noticed;
    const text = 'said while Redis was down';
    const received = people.map(() => [] as Said[]);
    for (const [i, { socket }] of people.entries()) {
      socket.on('said', (said) => received[i]?.push(said));
    }
    // The process takes the message; its Redis client queues the XADD until Redis is back.
    expect(await ask((people[0] as (typeof people)[number]).socket, 'say', { text })).toEqual({
      ok: true,
    });
    await deployment.restartRedis();
    // Each process's clients reconnect within their back-off (1 s at most), then read on.
    await expect
      .poll(() => received.map((said) => said.filter((one) => one.text === text).length), {
        timeout: 10_000,
      })
      .toEqual([1, 1, 1]);
    expect(received[2]?.find((one) => one.text === text)).toMatchObject({ from: 'out0', text });
  }, 20_000);
});
