import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import express from 'express';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SumResult } from './events.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

export interface AppOptions {
  /** Where the server writes what happens: `console.log` unless a test collects the lines. */
  log?: (line: string) => void;
  /** How long the server waits for a client to answer `whoareyou`. */
  whoareyouTimeoutMs?: number;
}

// Each stand-in answers at once with this, so a test fails fast instead of waiting.
const NOT_YET = 'Not implemented yet: see the TODOs in app.ts';

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp({ log = console.log, whoareyouTimeoutMs = 5000 }: AppOptions = {}) {
  const app = express();
  app.use(express.static(publicDir));
  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer);

  // Register every handler before the first await, so no event arrives while its handler is missing.
  io.on('connection', async (socket) => {
    log(`${socket.id} connected`);

    // TODO: log every incoming event, with or without a handler, using socket.onAny:
    // `${socket.id} ← ${event}(${show(args)})`.

    // TODO: echo a `message` back to its sender with socket.send(data).
    socket.on('message', () => {
      socket.send(NOT_YET);
    });

    // TODO: answer `eventName` with `greetings`, carrying the same arguments in the
    // same order. Leave out a trailing function: it is the sender's callback, not data.
    socket.on('eventName', () => {
      socket.emit('greetings', NOT_YET);
    });

    // TODO: acknowledge `sum` with sum(args): the callback, when there is one, is the
    // last argument. Answer every request, valid or not, and never throw.
    socket.on('sum', (...args: unknown[]) => {
      const ack = args.pop();
      if (typeof ack === 'function') ack({ error: NOT_YET });
    });

    // TODO: log why the socket left: socket.on('disconnect', (reason) => …).

    // TODO: ask the client `whoareyou` with an acknowledgement and a timeout of
    // whoareyouTimeoutMs (socket.timeout(ms).emitWithAck), then log the answer,
    // or that none came.
    void whoareyouTimeoutMs;
  });

  return { app, httpServer, io };
}

/** Add up the arguments of `sum`, or say in plain words why they cannot be added. */
// biome-ignore lint/correctness/noUnusedVariables: yours to call, in the sum TODO
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

function kind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}

/** `'Hello!', { mr: 'john' }, <Buffer 01 02 03 04>, ack`: one log line's worth of arguments. */
// biome-ignore lint/correctness/noUnusedVariables: yours to call, in the onAny TODO
function show(args: unknown[]): string {
  return args
    .map((arg) => (typeof arg === 'function' ? 'ack' : inspect(arg, { breakLength: Infinity })))
    .join(', ');
}
