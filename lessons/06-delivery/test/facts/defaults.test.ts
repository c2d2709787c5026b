// Defaults and engine facts the page states, checked against the libraries themselves.
import { createServer } from 'node:http';
import { kitFor } from '@lessons/test-kit';
import Database from 'better-sqlite3';
import express from 'express';
import { Server } from 'socket.io';
import { describe, expect, it } from 'vitest';

describe.concurrent('defaults and engines', () => {
  it('keeps a session 2 minutes and skips the middlewares on a recovery, unless told otherwise', () => {
    // The Server fills in the options object it is given.
    const options = { connectionStateRecovery: {} };
    new Server(options);
    expect(options.connectionStateRecovery, 'the recovery options filled in').toEqual({
      maxDisconnectionDuration: 120_000,
      skipMiddlewares: true,
    });
  });

  it('pings every 25 s and waits 20 s for the answer', async () => {
    const httpServer = createServer();
    const io = new Server(httpServer);
    const { pingInterval, pingTimeout } = io.engine.opts;
    expect({ pingInterval, pingTimeout }, 'the heartbeat options').toEqual({
      pingInterval: 25_000,
      pingTimeout: 20_000,
    });
    await io.close();
  });

  it('resends an emit after ackTimeout when retries is set, with the same arguments', async (context) => {
    const kit = kitFor(context);
    const received: unknown[] = [];
    const lesson = await kit.startLesson(() => {
      const httpServer = createServer();
      const io = new Server(httpServer);
      io.on('connection', (socket) =>
        socket.on('note', (note: unknown, ack: (reply: string) => void) => {
          received.push(note);
          if (received.length === 2) ack('answered'); // the first try goes unanswered
        }),
      );
      return { app: express(), httpServer, io };
    });
    const socket = await kit.connect(lesson, {
      transport: 'websocket',
      retries: 1,
      ackTimeout: 50,
    });
    expect(await socket.emitWithAck('note', { id: 'n1' }), 'the answer').toBe('answered');
    expect(received, 'what the server received').toEqual([{ id: 'n1' }, { id: 'n1' }]);
  });

  it('never reuses an AUTOINCREMENT id in SQLite, where a plain INTEGER PRIMARY KEY does', () => {
    const db = new Database(':memory:');
    const next = (table: string) => {
      db.exec(`DELETE FROM ${table} WHERE id = (SELECT MAX(id) FROM ${table})`);
      return db.prepare(`INSERT INTO ${table} (v) VALUES ('x') RETURNING id`).get() as {
        id: number;
      };
    };
    db.exec(`
      CREATE TABLE plain (id INTEGER PRIMARY KEY, v TEXT);
      CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
      INSERT INTO plain (v) VALUES ('a'), ('b');
      INSERT INTO auto (v) VALUES ('a'), ('b');
    `);
    expect(next('plain').id, 'plain: the id after deleting row 2').toBe(2);
    expect(next('auto').id, 'AUTOINCREMENT: the id after deleting row 2').toBe(3);
    db.close();
  });
});
