import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import type { Express } from 'express';
import type { Server as IoServer } from 'socket.io';
import {
  io as ioClient,
  type ManagerOptions,
  type Socket,
  type SocketOptions,
} from 'socket.io-client';
import type { TestContext } from 'vitest';

export { lessonTarget } from './target.ts';

/** What every lesson's `createApp()` returns: built, wired, and not yet listening. */
export interface LessonApp {
  app: Express;
  httpServer: HttpServer;
  // biome-ignore lint/suspicious/noExplicitAny: lessons type their own event maps
  io: IoServer<any, any, any, any>;
}

export type StartedLesson<T extends LessonApp = LessonApp> = T & {
  /** The port the OS picked, e.g. `41237`. */
  port: number;
  /** `http://127.0.0.1:<port>`, ready for `fetch` and `connect`. */
  url: string;
};

export type Transport = 'polling' | 'websocket';

export type ConnectOptions = Partial<ManagerOptions & SocketOptions> & {
  /**
   * `'polling'` or `'websocket'` for one transport only; leave it out for the
   * default path (HTTP long-polling first, then the upgrade to WebSocket).
   */
  transport?: Transport;
};

// Socket.IO's own constraint on event maps, which interfaces meet too (a Record<…> type
// would take only type aliases).
// biome-ignore lint/suspicious/noExplicitAny: Socket.IO's EventsMap, which is not exported
type EventMap = { [event: string]: any };
// biome-ignore lint/suspicious/noExplicitAny: an untyped socket accepts any event and payload
type Untyped = Record<string, (...args: any[]) => void>;

export const DEFAULT_TIMEOUT_MS = 1000;

/**
 * Starts lesson servers and clients, and closes all of them in one call.
 * Tests use the shared kit through `startLesson()`, `createClient()`,
 * `connect()` and `connectError()`, with `afterEach(closeAll)`; a test that
 * runs concurrently with others gets a kit of its own from `kitFor()`.
 */
export class Kit {
  readonly #servers = new Set<LessonApp>();
  readonly #clients = new Set<Socket>();

  /**
   * Start a lesson's app on a free port (port 0) on the loopback interface.
   *
   * @example
   * const lesson = await kit.startLesson(createApp);
   * const res = await fetch(`${lesson.url}/health`);
   */
  async startLesson<T extends LessonApp, O>(
    createApp: (options?: O) => T,
    options?: O,
  ): Promise<StartedLesson<T>> {
    const lesson = createApp(options);
    this.#servers.add(lesson);
    await new Promise<void>((resolve, reject) => {
      lesson.httpServer.once('error', reject);
      lesson.httpServer.listen(0, '127.0.0.1', () => {
        lesson.httpServer.off('error', reject);
        resolve();
      });
    });
    const { port } = lesson.httpServer.address() as AddressInfo;
    return Object.assign(lesson, { port, url: `http://127.0.0.1:${port}` });
  }

  /**
   * Create a real `socket.io-client` socket without waiting for it to connect.
   * Each socket gets its own connection (`forceNew`) and, unless asked, does not
   * reconnect, so a test never waits on a retry timer.
   *
   * @example
   * const socket = kit.createClient(lesson, { transport: 'websocket', autoConnect: false });
   */
  createClient<L extends EventMap = Untyped, E extends EventMap = Untyped>(
    target: { url: string } | string,
    { transport, ...options }: ConnectOptions = {},
  ): Socket<L, E> {
    const url = typeof target === 'string' ? target : target.url;
    const socket: Socket<L, E> = ioClient(url, {
      forceNew: true,
      reconnection: false,
      ...(transport ? { transports: [transport] } : {}),
      ...options,
    });
    this.#clients.add(socket);
    return socket;
  }

  /**
   * Connect a real client and wait for `connect`; rejects with the server's
   * `connect_error` message when the connection is refused.
   *
   * @example
   * const socket = await kit.connect(lesson, { query: { name: 'ana' } });
   */
  async connect<L extends EventMap = Untyped, E extends EventMap = Untyped>(
    target: { url: string } | string,
    options: ConnectOptions = {},
  ): Promise<Socket<L, E>> {
    const socket = this.createClient<L, E>(target, options);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Client did not connect within ${DEFAULT_TIMEOUT_MS} ms`)),
        DEFAULT_TIMEOUT_MS,
      );
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        reject(new Error(`Client could not connect: ${error.message}`, { cause: error }));
      });
    });
    return socket;
  }

  /**
   * Try to connect and resolve with the `connect_error` the client receives;
   * rejects if the connection succeeds instead.
   *
   * @example
   * const error = await kit.connectError(lesson);
   * expect(error.message).toBe('name required');
   */
  async connectError(
    target: { url: string } | string,
    options: ConnectOptions = {},
  ): Promise<Error> {
    const socket = this.createClient(target, options);
    const outcome = await Promise.race([
      nextEvent<[Error]>(socket, 'connect_error').then(([error]) => error),
      nextEvent(socket, 'connect').then(() => undefined),
    ]);
    socket.close();
    if (!outcome) throw new Error('Expected the connection to be refused, but it connected');
    return outcome;
  }

  /** Close every client and server this kit opened, and wait until the servers have stopped listening. */
  async close(): Promise<void> {
    for (const socket of this.#clients) socket.close();
    this.#clients.clear();
    const servers = [...this.#servers];
    this.#servers.clear();
    await Promise.all(
      servers.map(({ io, httpServer }) => {
        // io.close() disconnects every socket, then closes the HTTP server under it.
        const closed = io.close();
        // That close waits for every open connection, and a browser page still open keeps
        // one alive and reconnects over it: cut them all.
        httpServer.closeAllConnections();
        return closed;
      }),
    );
  }
}

/** The kit of the tests that share `afterEach(closeAll)`. */
const shared = new Kit();

/**
 * A kit of one test's own, closed when that test finishes. The tests of a
 * `describe.concurrent` block need one each: a shared `closeAll()` after one
 * test would close the servers of the others still running. Concurrent tests
 * that each wait for something that may never come then wait side by side.
 *
 * @example
 * describe.concurrent('welcome', () => {
 *   it('greets a socket', async (context) => {
 *     const kit = kitFor(context);
 *     const lesson = await kit.startLesson(createApp);
 *     const socket = kit.createClient(lesson);
 *   });
 * });
 */
export function kitFor({ onTestFinished }: Pick<TestContext, 'onTestFinished'>): Kit {
  const kit = new Kit();
  onTestFinished(() => kit.close());
  return kit;
}

/**
 * Start a lesson's app on a free port (port 0) on the loopback interface.
 *
 * @example
 * const lesson = await startLesson(createApp);
 * const res = await fetch(`${lesson.url}/health`);
 */
export function startLesson<T extends LessonApp, O>(
  createApp: (options?: O) => T,
  options?: O,
): Promise<StartedLesson<T>> {
  return shared.startLesson(createApp, options);
}

/**
 * Create a real `socket.io-client` socket without waiting for it to connect;
 * see `Kit.createClient()`.
 *
 * @example
 * const socket = createClient(lesson, { transport: 'websocket', autoConnect: false });
 */
export function createClient<L extends EventMap = Untyped, E extends EventMap = Untyped>(
  target: { url: string } | string,
  options: ConnectOptions = {},
): Socket<L, E> {
  return shared.createClient<L, E>(target, options);
}

/**
 * Connect a real client and wait for `connect`; rejects with the server's
 * `connect_error` message when the connection is refused.
 *
 * @example
 * const socket = await connect(lesson, { query: { name: 'ana' } });
 */
export function connect<L extends EventMap = Untyped, E extends EventMap = Untyped>(
  target: { url: string } | string,
  options: ConnectOptions = {},
): Promise<Socket<L, E>> {
  return shared.connect<L, E>(target, options);
}

/**
 * Try to connect and resolve with the `connect_error` the client receives;
 * rejects if the connection succeeds instead.
 *
 * @example
 * const error = await connectError(lesson);
 * expect(error.message).toBe('name required');
 */
export function connectError(
  target: { url: string } | string,
  options: ConnectOptions = {},
): Promise<Error> {
  return shared.connectError(target, options);
}

/**
 * A TCP port that is free right now, for a process that must be told its port
 * (`pnpm lesson 1 --port 41237`). Code that listens itself should listen on
 * port 0 instead, which cannot race.
 *
 * @example
 * const port = await freePort();
 */
export async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A client socket, a server socket, an Engine.IO socket, or any EventEmitter. */
interface Listenable {
  // biome-ignore lint/suspicious/noExplicitAny: every emitter types its listeners its own way
  once(...args: any[]): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: every emitter types its listeners its own way
  off(...args: any[]): unknown;
}

/**
 * Resolve with the arguments of the next `event` on `emitter` (a client
 * socket, a server socket, or any EventEmitter). Rejects after `timeoutMs`
 * with a message that names the event.
 *
 * @example
 * const [welcome] = await nextEvent<[{ id: string }]>(socket, 'welcome');
 */
export function nextEvent<T extends unknown[] = unknown[]>(
  emitter: Listenable,
  event: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for the "${event}" event`));
    }, timeoutMs);
    emitter.once(event, listener);
  });
}

/** A client socket as hear() needs it: its id, and its listeners. */
interface Hearer extends Listenable {
  id: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: every socket types its listeners its own way
  on(...args: any[]): unknown;
}

/**
 * Everything each socket of `sockets` receives as `event` while `action` runs.
 * Socket.IO delivers one connection's packets in order, so once a `fence`
 * event, sent by the server after the action, has reached the sockets (those
 * named in `fenced`, by default all), so has everything sent before it: an
 * empty list proves that nothing came, with no waiting on a timer.
 *
 * @example
 * const heard = await hear(lesson, { ana, ben }, 'said', () => ana.emitWithAck('say', …));
 * expect(heard).toEqual({ ana: [], ben: [{ from: 'ana', room: 'lobby', text: 'hi' }] });
 */
export async function hear<Name extends string, T = unknown>(
  lesson: Pick<LessonApp, 'io'>,
  sockets: Record<Name, Hearer>,
  event: string,
  action: () => unknown,
  fenced: readonly Name[] = Object.keys(sockets) as Name[],
): Promise<Record<Name, T[]>> {
  const names = Object.keys(sockets) as Name[];
  const heard = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<Name, T[]>;
  for (const name of names) sockets[name].on(event, (message: T) => heard[name].push(message));
  await action();
  const fences = fenced.map((name) => nextEvent(sockets[name], 'fence'));
  lesson.io.to(fenced.map((name) => sockets[name].id as string)).emit('fence');
  await Promise.all(fences);
  return heard;
}

/**
 * Resolve when nothing emits `event` on `emitter` for `windowMs`; reject with
 * the unexpected arguments otherwise. Use it to prove that someone was *not*
 * reached, after a positive check has shown the message went out.
 *
 * @example
 * await noEvent(bob, 'disconnect');
 */
export async function noEvent(emitter: Listenable, event: string, windowMs = 100): Promise<void> {
  const outcome = await nextEvent(emitter, event, windowMs).then(
    (args) => ({ received: args }),
    () => undefined,
  );
  if (outcome) {
    throw new Error(`Expected no "${event}" event, but got ${JSON.stringify(outcome.received)}`);
  }
}

/**
 * Close every client and server that `startLesson()`, `createClient()`,
 * `connect()` and `connectError()` opened, and wait until the servers have
 * stopped listening. Call it in `afterEach`.
 *
 * @example
 * afterEach(closeAll);
 */
export function closeAll(): Promise<void> {
  return shared.close();
}
