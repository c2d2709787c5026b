import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { type Namespace, Server, type ServerOptions } from 'socket.io';
import { decode } from './codec.ts';
import {
  CHAT,
  type ChatClientEvents,
  type ChatData,
  type ChatServerEvents,
  type MainClientEvents,
} from './events.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/** The timings a test shortens: a ping timeout in 100 ms, not 45 s. */
export type AppOptions = Partial<
  Pick<ServerOptions, 'pingInterval' | 'pingTimeout' | 'connectTimeout'>
>;

/** A name or a room: 1 to 40 characters. */
const isName = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= 40;

/**
 * Call `handler` only when the client asked for an acknowledgement, and
 * answer { error } instead of letting a throw end the process.
 */
function answered<Args extends unknown[]>(
  handler: (ack: (reply: unknown) => void, ...args: Args) => void,
) {
  return (...args: unknown[]) => {
    const ack = args.pop();
    if (typeof ack !== 'function') return; // nobody would hear the answer
    try {
      handler(ack as (reply: unknown) => void, ...(args as Args));
    } catch (error) {
      ack({ error: (error as Error).message });
    }
  };
}

/** Build the app, its HTTP server and its Socket.IO server. Opens no port: see server.ts. */
export function createApp(options: AppOptions = {}) {
  const app = express();
  app.use(express.static(publicDir));
  const httpServer = createServer(app);
  const io = new Server(httpServer, options);

  // #region main
  // The main namespace "/": the demo page decodes a frame with your codec.
  io.on('connection', (socket) => {
    socket.on(
      'decode' satisfies keyof MainClientEvents,
      answered((ack, text: unknown) => {
        if (typeof text !== 'string' || text.length > 10_000) {
          return ack({ error: 'send one text frame, up to 10,000 characters' });
        }
        ack({ packet: decode([text]) });
      }),
    );
  });
  // #endregion main

  // #region chat
  // /chat: a namespace that asks for a name in the CONNECT packet's auth payload.
  const chat: Namespace<ChatClientEvents, ChatServerEvents, object, ChatData> = io.of(CHAT);
  chat.use((socket, next) => {
    const { name } = socket.handshake.auth as { name?: unknown };
    if (!isName(name)) return next(new Error('name required'));
    socket.data.name = name;
    next();
  });

  chat.on('connection', (socket) => {
    socket.on(
      'whoami',
      answered((ack) => ack({ name: socket.data.name, auth: socket.handshake.auth })),
    );
    socket.on(
      'join',
      answered((ack, room: unknown) => {
        if (!isName(room)) return ack({ error: 'room names are 1 to 40 characters' });
        // A room named after a socket id would reach that socket.
        if (chat.sockets.has(room)) return ack({ error: 'that room belongs to a socket' });
        socket.join(room);
        ack({ rooms: [...socket.rooms].filter((r) => r !== socket.id).sort() });
      }),
    );
    socket.on(
      'say',
      answered((ack, message: unknown) => {
        const { room, text } = (message ?? {}) as { room?: unknown; text?: unknown };
        if (!isName(room) || typeof text !== 'string' || text.length > 500) {
          return ack({ error: 'say carries { room, text }' });
        }
        if (!socket.rooms.has(room)) return ack({ error: 'not in room' });
        socket.to(room).emit('said', { from: socket.data.name, room, text });
        ack({ ok: true });
      }),
    );
    socket.on(
      'reverse',
      answered((ack, bytes: unknown) => {
        if (!(bytes instanceof Uint8Array)) return ack({ error: 'reverse carries bytes' });
        ack(Buffer.from(bytes).reverse());
      }),
    );
  });
  // #endregion chat

  return { app, httpServer, io };
}
