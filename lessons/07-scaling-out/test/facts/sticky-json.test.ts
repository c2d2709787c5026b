// What the page's common mistake does: @socket.io/sticky without 'advanced'
// serialization. The primary hands each request's first bytes to the worker
// over IPC; as JSON, the Buffer arrives as a plain object.
import { fileURLToPath } from 'node:url';
import { type ServerProcess, startServer, stopServer } from '@lessons/test-kit/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_STARTUP_MS, http, lessonDir } from '../scaled.ts';

const file = fileURLToPath(new URL('./sticky-json.ts', import.meta.url));
let server: ServerProcess | undefined;
let stderr = '';

beforeAll(async () => {
  server = await startServer(lessonDir, { file, startupMs: CLUSTER_STARTUP_MS });
  server.child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
}, CLUSTER_STARTUP_MS);
afterAll(() => stopServer(server));

describe("@socket.io/sticky without serialization: 'advanced'", () => {
  it('drops every request without an answer, while the worker lives on and logs nothing', async () => {
    const handshake = `${server?.url}/socket.io/?EIO=4&transport=polling`;
    // The worker cannot put the bytes back on the connection (socket.unshift() refuses a
    // plain object): it destroys the connection instead of answering.
    await expect(http(handshake), 'the first handshake').rejects.toThrow('socket hang up');
    await expect(http(handshake), 'a second one, to the same worker').rejects.toThrow(
      'socket hang up',
    );
    expect(server?.child.exitCode, 'the primary, still running').toBeNull();
    expect(stderr, 'what the processes wrote to stderr').toBe('');
  });
});
