// The only file that opens a port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? 3000);
// #region listen
// DB_PATH keeps the history across restarts; without it, each run gets a
// database of its own in a new temporary folder, removed when the server stops.
const temporary = process.env.DB_PATH ? undefined : mkdtempSync(join(tmpdir(), 'lesson-6-'));
const dbPath = process.env.DB_PATH ?? join(temporary as string, 'chat.db');
const { httpServer, store } = createApp({ dbPath });

httpServer.listen(port, () => {
  console.log(`Listening on http://localhost:${port} (history in ${dbPath})`);
});
// #endregion listen

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    store.close();
    if (temporary) rmSync(temporary, { recursive: true, force: true });
    process.exit(0);
  });
}
