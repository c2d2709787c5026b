/**
 * Helpers for a lesson's scripted demo clients (`lessons/NN-slug/demo/*.ts`),
 * which `pnpm lesson N` starts beside the server.
 */

/** The server's URL, as the runner passes it; `http://localhost:3000` when run by hand. */
export function serverUrl(): string {
  return process.env.LESSON_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
}

/**
 * Resolve once the server answers HTTP, so demo clients started beside it
 * don't race its start-up. Gives up after `timeoutMs`.
 *
 * @example
 * const url = await waitForServer();
 * const socket = io(url);
 */
export async function waitForServer(url = serverUrl(), timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { method: 'HEAD' });
      return url;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`No server answered at ${url} within ${timeoutMs} ms`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
