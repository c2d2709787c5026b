// The only file that opens a port.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? 3000);
// #region listen
// DB_PATH keeps the history across restarts; without it, each run gets a
// database of its own in a new temporary folder.
const dbPath = process.env.DB_PATH ?? join(mkdtempSync(join(tmpdir(), 'lesson-6-')), 'chat.db');
const { httpServer } = createApp({ dbPath });

httpServer.listen(port, () => {
  console.log(`Listening on http://localhost:${port} (history in ${dbPath})`);
});
// #endregion listen
