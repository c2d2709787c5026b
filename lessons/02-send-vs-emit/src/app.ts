// #region setup
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import express from 'express';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SumResult } from './events.ts';

// The demo page and its files, served at /.
const publicDir = fileURLToPath(new URL('../public', import.meta.url));

export interface AppOptions {
  /** Where the server writes what happens: `console.log` unless a test collects the lines. */
  log?: (line: string) => void;
  /** How long the server waits for a client to answer `whoareyou`. */
  whoareyouTimeoutMs?: number;
}

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp({ log = console.log, whoareyouTimeoutMs = 5000 }: AppOptions = {}) {
  const app = express();
  app.use(express.static(publicDir));
  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer);

  // Register every handler before the first await, so no event arrives while its handler is missing.
  io.on('connection', async (socket) => {
    log(`${socket.id} connected`);
    // #endregion setup

    // #region exercise-log
    // onAny sees every incoming event, whether or not a handler exists for it.
    socket.onAny((event, ...args) => {
      log(`${socket.id} ← ${event}(${show(args)})`);
    });
    // disconnect is not an event from the client: onAny never sees it.
    socket.on('disconnect', (reason) => {
      log(`${socket.id} disconnected (${reason})`);
    });
    // #endregion exercise-log

    // #region exercise-echo
    // socket.send(data) is socket.emit('message', data); the client reads it with on('message').
    socket.on('message', (data) => {
      socket.send(data);
    });
    // #endregion exercise-echo

    // #region exercise-greetings
    // Send the arguments back as they came, in order. A trailing function is the
    // sender's acknowledgement callback, not data: Socket.IO would treat it as
    // the callback of this emit too, so leave it out.
    socket.on('eventName', (...args) => {
      if (typeof args.at(-1) === 'function') args.pop();
      socket.emit('greetings', ...args);
    });
    // #endregion exercise-greetings

    // #region exercise-sum
    // The callback, when the client sent one, is always the last argument.
    // Answer every request, valid or not, and never throw: a client waits for this answer.
    socket.on('sum', (...args: unknown[]) => {
      const ack = args.pop();
      if (typeof ack !== 'function') {
        log(`${socket.id} sent sum without a callback: there is no one to answer`);
        return;
      }
      ack(sum(args));
    });
    // #endregion exercise-sum

    // #region exercise-whoareyou
    // The server asks too. With a timeout, emitWithAck rejects when no answer comes.
    try {
      const answer = await socket.timeout(whoareyouTimeoutMs).emitWithAck('whoareyou');
      log(`${socket.id} is ${JSON.stringify(answer)}`);
    } catch {
      log(`${socket.id} did not answer whoareyou within ${whoareyouTimeoutMs} ms`);
    }
    // #endregion exercise-whoareyou
  });

  return { app, httpServer, io };
}

// #region sum-of
/** Add up the arguments of `sum`, or say in plain words why they cannot be added. */
function sum(args: unknown[]): SumResult {
  const [numbers] = args;
  if (args.length !== 1) {
    return { error: `sum takes one array of numbers, not ${args.length} arguments` };
  }
  if (!Array.isArray(numbers)) {
    return { error: `sum takes an array of numbers, not ${kind(numbers)}` };
  }
  const bad = numbers.findIndex((item) => typeof item !== 'number' || !Number.isFinite(item));
  if (bad !== -1) {
    return { error: `item ${bad} is ${kind(numbers[bad])}, not a number` };
  }
  return { sum: numbers.reduce((total: number, item: number) => total + item, 0) };
}

/** `a string`, `an object`, `null`: what a value is, for a reason a person reads. */
function kind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}
// #endregion sum-of

// #region show
/** `'Hello!', { mr: 'john' }, <Buffer 01 02 03 04>, ack`: one log line's worth of arguments. */
function show(args: unknown[]): string {
  return args
    .map((arg) => (typeof arg === 'function' ? 'ack' : inspect(arg, { breakLength: Infinity })))
    .join(', ');
}
// #endregion show
