// The history: every chat message with its offset, and the rooms of each user,
// in a SQLite file that outlives the server process.
import Database from 'better-sqlite3';
import type { ChatMessage } from './events.ts';

// #region store
export type Store = ReturnType<typeof openStore>;

/** Open (or create) the history in the SQLite file at `path`. */
export function openStore(path: string) {
  const db = new Database(path);
  // WAL: readers never wait for a writer, and a crash loses no committed row.
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS messages (
      -- AUTOINCREMENT: an offset is never reused, even after the last row is deleted.
      offset INTEGER PRIMARY KEY AUTOINCREMENT,
      room TEXT NOT NULL,
      sender TEXT NOT NULL,
      client_id TEXT NOT NULL,
      text TEXT NOT NULL,
      -- One row per message a sender chose an id for, however often it arrives.
      UNIQUE (sender, client_id)
    );
    CREATE TABLE IF NOT EXISTS members (
      user TEXT NOT NULL,
      room TEXT NOT NULL,
      -- The last offset before the user joined: older messages are not theirs.
      since INTEGER NOT NULL,
      PRIMARY KEY (user, room)
    );
  `);
  const columns = 'offset, room, sender AS "from", client_id AS id, text';
  const insert = db.prepare<[string, string, string, string], ChatMessage>(
    `INSERT INTO messages (room, sender, client_id, text) VALUES (?, ?, ?, ?)
     RETURNING ${columns}`,
  );
  const find = db.prepare<[string, string], ChatMessage>(
    `SELECT ${columns} FROM messages WHERE sender = ? AND client_id = ?`,
  );
  const after = db.prepare<{ user: string; offset: number }, ChatMessage>(
    `SELECT ${columns} FROM messages JOIN members USING (room)
     WHERE members.user = :user AND offset > MAX(:offset, members.since)
     ORDER BY offset`,
  );
  const rooms = db.prepare<[string], { room: string }>(
    'SELECT room FROM members WHERE user = ? ORDER BY room',
  );
  const join = db.prepare<[string, string]>(
    `INSERT OR IGNORE INTO members (user, room, since)
     SELECT ?, ?, COALESCE(MAX(offset), 0) FROM messages`,
  );

  return {
    /** Store a message; it gets the next offset. */
    insert: (room: string, from: string, id: string, text: string): ChatMessage =>
      insert.get(room, from, id, text) as ChatMessage,
    /** The message `from` sent with this id, if the store has it. */
    find: (from: string, id: string): ChatMessage | undefined => find.get(from, id),
    /** The messages of `user`'s rooms after `offset`, oldest first. */
    after: (user: string, offset: number): ChatMessage[] => after.all({ user, offset }),
    /** The rooms `user` has joined, sorted. */
    rooms: (user: string): string[] => rooms.all(user).map(({ room }) => room),
    /** Remember that `user` is in `room` (once). */
    join: (user: string, room: string): void => void join.run(user, room),
    close: () => db.close(),
  };
}
// #endregion store
