// The history lives in the database file, not in the server process.
import type { AddressInfo } from 'node:net';
import { kitFor } from '@lessons/test-kit';
import { describe, expect, it } from 'vitest';
import { createApp } from '#target/app.ts';
import { client, connected, inbox, reconnect, say, texts, useDbFiles } from './helpers.ts';

const dbFile = useDbFiles();

/** Start the app on `port` (0 for any) and resolve with it and a function that stops it. */
async function serve(dbPath: string, port = 0) {
  const lesson = createApp({ dbPath });
  await new Promise<void>((resolve) => lesson.httpServer.listen(port, '127.0.0.1', resolve));
  const { port: bound } = lesson.httpServer.address() as AddressInfo;
  const stop = async () => {
    const closed = lesson.io.close();
    lesson.httpServer.closeAllConnections();
    await closed;
  };
  return { ...lesson, port: bound, url: `http://127.0.0.1:${bound}`, stop };
}

describe('a server restart', () => {
  it('keeps the history: a client that reconnects with its offset gets exactly what it missed', async (context) => {
    const kit = kitFor(context);
    const dbPath = dbFile();
    const before = await serve(dbPath);
    context.onTestFinished(before.stop);
    const ana = client(kit, before, 'ana');
    const ben = client(kit, before, 'ben');
    const benInbox = inbox(ben.socket);
    await Promise.all([connected(ana.socket), connected(ben.socket)]);
    for (const chat of [ana, ben]) {
      const joined = await chat.socket.timeout(1000).emitWithAck('join', 'general');
      expect(joined, `join("general") answered ${JSON.stringify(joined)}`).toMatchObject({
        rooms: ['general'],
      });
    }
    const one = await say(ana, { room: 'general', id: 'a1', text: 'one' });
    expect(one, 'the answer to the first chat').toEqual({ offset: 1, duplicate: false });
    await benInbox.until(1, 'ben before he left');
    ben.socket.disconnect();
    await say(ana, { room: 'general', id: 'a2', text: 'two' });
    await say(ana, { room: 'general', id: 'a3', text: 'three' });

    const anaGone = new Promise((resolve) => ana.socket.once('disconnect', resolve));
    await before.stop();
    await anaGone;
    const after = await serve(dbPath, before.port);
    context.onTestFinished(after.stop);

    await reconnect(ben.socket);
    expect(ben.socket.recovered, 'ben after the restart: no recovery').toBe(false);
    await reconnect(ana.socket);
    expect(ana.socket.recovered, 'ana after the restart: no recovery').toBe(false);
    const four = await say(ana, { room: 'general', id: 'a4', text: 'four' });
    expect(four, 'the answer to the first chat after the restart').toEqual({
      offset: 4,
      duplicate: false,
    });
    await benInbox.until(4, 'ben after the restart');
    expect(texts(benInbox.messages), 'what ben received, before and after the restart').toEqual([
      'one',
      'two',
      'three',
      'four',
    ]);
  });
});
