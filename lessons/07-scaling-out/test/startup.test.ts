import { freePort } from '@lessons/test-kit';
import { startServer } from '@lessons/test-kit/server-process';
import { describe, expect, it } from 'vitest';
import { CLUSTER_STARTUP_MS, lessonDir } from './scaled.ts';

// Side by side: each waits on a process of its own.
describe.concurrent('Redis down at start-up', () => {
  it('stops with an error that names the address, instead of waiting for it', async () => {
    const port = await freePort(); // nothing listens there
    const url = `redis://127.0.0.1:${port}`;
    const started = startServer(lessonDir, {
      env: { WORKERS: '0', REDIS_URL: url },
      startupMs: CLUSTER_STARTUP_MS,
    });
    await expect(started).rejects.toThrow(`Cannot reach Redis at ${url}`);
  });

  it('stops the cluster the same way, before it starts any worker', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const started = startServer(lessonDir, {
      env: { WORKERS: '3', REDIS_URL: url },
      startupMs: CLUSTER_STARTUP_MS,
    });
    await expect(started).rejects.toThrow(`Cannot reach Redis at ${url}`);
  });
});
