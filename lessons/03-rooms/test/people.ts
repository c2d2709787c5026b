import {
  type ConnectOptions,
  connect,
  DEFAULT_TIMEOUT_MS,
  type LessonApp,
} from '@lessons/test-kit';
import type { Socket } from 'socket.io-client';
import { expect } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '#target/events.ts';

export type Person = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Connect as `name` over WebSocket, in `room` when given (the server's default otherwise).
 *
 * @example
 * const ana = await person(lesson, 'ana', 'kitchen');
 */
export function person(
  lesson: { url: string },
  name: string,
  room?: string,
  options: ConnectOptions = {},
): Promise<Person> {
  const query = room === undefined ? { name } : { name, room };
  // WebSocket unless asked: rooms do not depend on the transport, and skipping
  // the upgrade from long-polling makes each test quicker.
  return connect<ServerToClientEvents, ClientToServerEvents>(lesson, {
    transport: 'websocket',
    ...options,
    query,
  });
}

/** Emit and resolve with the acknowledgement; fail fast when none comes. */
export const ask = (socket: Person) => socket.timeout(DEFAULT_TIMEOUT_MS);

/** A value as a failure message shows it: its JSON, or what String() makes of it. */
export function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Send `event` with `args` and resolve with the acknowledgement; when none
 * comes in time, fail with the message sent and what to look for.
 *
 * @example
 * const reply = await request(ana, 'members', 'kitchen');
 */
export async function request(
  socket: Pick<Socket, 'timeout'>,
  event: string,
  ...args: unknown[]
): Promise<unknown> {
  try {
    return await socket.timeout(DEFAULT_TIMEOUT_MS).emitWithAck(event, ...args);
  } catch {
    throw new Error(
      `${event}(${args.map(show).join(', ')}) got no acknowledgement within ${DEFAULT_TIMEOUT_MS} ms: does the server call ack for it?`,
    );
  }
}

/**
 * Expect the acknowledgement of `event(...args)` to equal `expected`. A
 * failure names the message sent and shows the whole answer, error text included.
 *
 * @example
 * await expectReply(ana, 'members', ['user:ana'], { members: ['ana'] });
 */
export async function expectReply(
  socket: Pick<Socket, 'timeout'>,
  event: string,
  args: unknown[],
  expected: unknown,
): Promise<void> {
  const reply = await request(socket, event, ...args);
  expect(
    reply,
    `${event}(${args.map(show).join(', ')}) answered ${show(reply)}, expected ${show(expected)}`,
  ).toEqual(expected);
}

/**
 * The rooms the server has put `socket` in, its own id left out, sorted: what
 * the server holds, whatever the handlers answer.
 *
 * @example
 * expect(roomsOnServer(lesson, ana)).toEqual(['lobby', 'user:ana']);
 */
export function roomsOnServer(lesson: Pick<LessonApp, 'io'>, socket: { id: string | undefined }) {
  const serverSide = lesson.io.of('/').sockets.get(socket.id ?? '');
  if (!serverSide) throw new Error(`the server has no socket with id ${socket.id}`);
  return [...serverSide.rooms].filter((room) => room !== socket.id).sort();
}
