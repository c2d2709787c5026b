// What lesson 1's test files share: the app, started once its io is known to sit on its httpServer.
import type { StartedLesson } from '@lessons/test-kit';
import { assert } from 'vitest';
import { createApp } from '#target/app.ts';

type App = ReturnType<typeof createApp>;

/**
 * Fail, in words, unless `io` is a Socket.IO server attached to `httpServer`:
 * "expected an io Server attached to the same http.Server, got … ".
 */
export function expectOneServer(io: { httpServer?: unknown } | undefined, httpServer: unknown) {
  const expected =
    'expected an io Server attached to the same http.Server that createApp() returns';
  if (!io) assert.fail(`${expected}, got no io: does createApp() return { app, httpServer, io }?`);
  if (!io.httpServer) {
    assert.fail(
      `${expected}, got one attached to no server: does createApp() pass httpServer to new Server(…)?`,
    );
  }
  if (io.httpServer !== httpServer) {
    assert.fail(
      `${expected}, got one attached to another http.Server: create one server, and use it for both`,
    );
  }
}

/**
 * Build the app and start it with `startWith` (the shared kit's startLesson,
 * or a test's own kit's). The kit stops a lesson with io.close(), which
 * closes the http.Server io sits on: check first that it is the one that listens.
 */
export async function start(
  startWith: (create: () => App) => Promise<StartedLesson<App>>,
): Promise<StartedLesson<App>> {
  const built = createApp();
  expectOneServer(built.io, built.httpServer);
  return startWith(() => built);
}
