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
    // TODO(log): log every incoming event with socket.onAny, whether or not a handler
    // exists for it, as `${socket.id} ← ${event}(${show(args)})`; and log why the
    // socket left, as `${socket.id} disconnected (${reason})`.
    void show;
    // #endregion exercise-log

    // #region exercise-echo
    // TODO(echo): echo a `message` back to its sender with socket.send(data).
    socket.on('message', () => {
      socket.send('Not implemented yet: TODO(echo) in app.ts');
    });
    // #endregion exercise-echo

    // #region exercise-greetings
    // TODO(greetings): answer `eventName` with `greetings`, carrying the same arguments in
    // the same order. Leave out a trailing function: it is the sender's callback, not data.
    socket.on('eventName', () => {
      socket.emit('greetings', 'Not implemented yet: TODO(greetings) in app.ts');
    });
    // #endregion exercise-greetings

    // #region exercise-sum
    // TODO(sum): acknowledge `sum` with sum(args), the arguments before the callback.
    // The callback, when there is one, is the last argument. Answer every request,
    // valid or not, and never throw. This stand-in answers at once, so tests fail fast.
    socket.on('sum', (...args: unknown[]) => {
      const callback = args.find(
        (arg): arg is (result: SumResult) => void => typeof arg === 'function',
      );
      callback?.({ error: 'Not implemented yet: TODO(sum) in app.ts' });
    });
    void sum;
    // #endregion exercise-sum

    // #region exercise-whoareyou
    // TODO(whoareyou): ask the client `whoareyou` and wait for its answer no longer than
    // whoareyouTimeoutMs; log `${socket.id} is "<answer>"`, or that it did not answer.
    void whoareyouTimeoutMs;
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
