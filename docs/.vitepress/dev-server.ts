// The site with hot reload, in the calling process: `pnpm start` and
// `pnpm docs:dev` serve it without a process of their own for VitePress.
import { createServer } from 'vitepress';

type ViteDevServer = Awaited<ReturnType<typeof createServer>>;

export interface DevServer {
  /** `http://localhost:5173/`: the first URL the server listens on. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serve the site in `docsDir` on `port` (the next free one if it is taken),
 * printing its URLs, as `vitepress dev` does; restarted in place when the
 * config changes.
 *
 * @example
 * const site = await serveDocs(join(ROOT, 'docs'), 5173);
 * process.once('SIGINT', () => site.close());
 */
export async function serveDocs(docsDir: string, port?: number): Promise<DevServer> {
  let server: ViteDevServer;
  let restarting: Promise<void> | undefined;
  const start = async (isRestart: boolean) => {
    server = await createServer(docsDir, port === undefined ? {} : { port }, () => {
      restarting ??= (async () => {
        await server.close();
        await start(true);
      })().finally(() => {
        restarting = undefined;
      });
      return restarting;
    });
    await server.listen(undefined, isRestart);
    server.printUrls();
  };
  await start(false);
  return {
    get url() {
      return server.resolvedUrls?.local[0] ?? `http://localhost:${server.config.server.port}/`;
    },
    close: () => server.close(),
  };
}
