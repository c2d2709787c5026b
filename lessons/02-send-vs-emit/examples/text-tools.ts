// A worked example for lesson 2: the APIs of app.ts, used on other events.
// Run it with `node --import tsx lessons/02-send-vs-emit/examples/text-tools.ts`.
// #region setup
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server } from 'socket.io';

/** What `measure` answers: the length of a string, or why there is none. */
export type Measure = { length: number } | { error: string };

export interface ToolClientEvents {
  message: (text: unknown) => void;
  reverse: (...args: unknown[]) => void;
  measure: (text: unknown, ack: (result: Measure) => void) => void;
}

export interface ToolServerEvents {
  message: (text: string) => void;
  reversed: (...args: unknown[]) => void;
  clock: (ack: (time: string) => void) => void;
}

export interface ToolOptions {
  log?: (line: string) => void;
  /** How long the server waits for a client to answer `clock`. */
  clockTimeoutMs?: number;
}

/** Build the example, like createApp(): it opens no port. */
export function createTextTools({ log = console.log, clockTimeoutMs = 5000 }: ToolOptions = {}) {
  const app = express();
  const httpServer = createServer(app);
  const io = new Server<ToolClientEvents, ToolServerEvents>(httpServer);

  io.on('connection', (socket) => {
    // #endregion setup
    // #region shout
    // emit('message', …) is what send() does: the client's on('message') reads both.
    socket.on('message', (text) => {
      socket.emit('message', String(text).toUpperCase());
    });
    // #endregion shout

    // #region reverse
    // A rest parameter takes every argument, however many came; spread sends them on.
    socket.on('reverse', (...args) => {
      socket.emit('reversed', ...args.reverse());
    });
    // #endregion reverse

    // #region measure
    // A fixed number of arguments: the callback is the second. Check it, then always answer.
    socket.on('measure', (text, ack) => {
      if (typeof ack !== 'function') return;
      ack(typeof text === 'string' ? { length: text.length } : { error: 'measure takes a string' });
    });
    // #endregion measure

    // #region clock
    // The server asks, with a callback: after timeout(ms), its first argument is the
    // error, set when no answer came in time.
    socket.timeout(clockTimeoutMs).emit('clock', (error, time) => {
      log(error ? `${socket.id} kept its clock to itself` : `${socket.id}'s clock says ${time}`);
    });
    // #endregion clock

    // #region tally
    // Count what each socket sends, by event name, and report it when the socket leaves.
    const counts = new Map<string, number>();
    socket.onAny((event) => {
      counts.set(event, (counts.get(event) ?? 0) + 1);
    });
    socket.on('disconnect', (reason) => {
      const sent = [...counts].map(([event, count]) => `${event} ×${count}`).join(', ');
      log(`${socket.id} left (${reason}) having sent ${sent || 'nothing'}`);
    });
    // #endregion tally
  });

  return { app, httpServer, io };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { httpServer } = createTextTools();
  httpServer.listen(Number(process.env.PORT ?? 3000), () => {
    const { port } = httpServer.address() as AddressInfo;
    console.log(`Listening on http://localhost:${port}`);
  });
}
