import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConnectOptions,
  DEFAULT_TIMEOUT_MS,
  type Kit,
  nextEvent,
  type StartedLesson,
} from '@lessons/test-kit';
import type { Socket as ServerSocket } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { afterAll, expect } from 'vitest';
import { type AppOptions, createApp } from '#target/app.ts';
import type { ChatClient, ChatSocket, SendAuth } from '#target/client.ts';
import type { ChatMessage, Draft } from '#target/events.ts';

export type Lesson = StartedLesson<ReturnType<typeof createApp>>;

/**
 * A new SQLite file for each call, in one temporary folder per test file,
 * removed after the file's last test (by then every app, and so every
 * database, is closed).
 */
export function useDbFiles(): () => string {
  const dir = mkdtempSync(join(tmpdir(), 'lesson-6-test-'));
  let count = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => join(dir, `chat-${++count}.db`);
}

/** Start the lesson's app on port 0 with a database file of its own. */
export function start(kit: Kit, dbPath: string, options: AppOptions = {}): Promise<Lesson> {
  return kit.startLesson(createApp, { dbPath, ...options });
}

/**
 * A chat client of `user` (token `token-<user>`), through the kit; not yet
 * connected. It has the options the client exercise asks for, written here, so
 * that the server's tests do not depend on that exercise.
 */
export function client(
  kit: Kit,
  lesson: { url: string },
  user: string,
  options: ConnectOptions = {},
): ChatClient {
  const chat: ChatClient = { socket: undefined as unknown as ChatSocket, offset: 0 };
  chat.socket = kit.createClient(lesson, {
    transport: 'websocket',
    ...options,
    auth: (send: SendAuth) => send({ token: `token-${user}`, serverOffset: chat.offset }),
    retries: 5,
    ackTimeout: 2000,
  });
  chat.socket.on('chat', (message) => {
    chat.offset = message.offset;
  });
  return chat;
}

/** Wait for `connect`, or fail with the `connect_error` the server sent. */
export async function connected(socket: Socket): Promise<void> {
  if (socket.connected) return;
  const outcome = await Promise.race([
    nextEvent(socket, 'connect').then(() => undefined),
    nextEvent<[Error]>(socket, 'connect_error').then(([error]) => error.message),
  ]);
  expect(outcome, 'the connect_error the server answered the connection with').toBeUndefined();
}

/** A connected client of `user`, in `rooms`. */
export async function member(
  kit: Kit,
  lesson: Lesson,
  user: string,
  rooms: string[] = ['general'],
  options: ConnectOptions = {},
): Promise<ChatClient> {
  const chat = client(kit, lesson, user, options);
  await connected(chat.socket);
  for (const room of rooms) {
    const reply = await chat.socket.timeout(DEFAULT_TIMEOUT_MS).emitWithAck('join', room);
    expect(reply, `join("${room}") as ${user} answered ${JSON.stringify(reply)}`).toMatchObject({
      rooms: expect.any(Array),
    });
  }
  return chat;
}

/** The server's socket for a connected client. */
export function serverSide(lesson: Pick<Lesson, 'io'>, socket: Socket): ServerSocket {
  const found = lesson.io.of('/').sockets.get(socket.id ?? '');
  if (!found) throw new Error(`no server socket with id ${socket.id}`);
  return found;
}

/**
 * Close the client's Engine.IO connection, as Socket.IO's docs do to
 * simulate a network failure, and wait until both ends have seen the disconnection.
 */
export async function cut(lesson: Pick<Lesson, 'io'>, socket: Socket): Promise<void> {
  const server = serverSide(lesson, socket);
  const gone = Promise.all([nextEvent(server, 'disconnect'), nextEvent(socket, 'disconnect')]);
  socket.io.engine.close();
  await gone;
}

/** Reconnect a client that was cut (the kit's clients do not reconnect by themselves). */
export async function reconnect(socket: Socket): Promise<void> {
  socket.connect();
  await connected(socket);
}

/** Send a chat and resolve with the server's answer, failing fast when none comes. */
export function say(chat: ChatClient, draft: Draft) {
  return chat.socket.timeout(DEFAULT_TIMEOUT_MS).emitWithAck('chat', draft);
}

/** Everything one socket receives as `chat`, and a way to wait for more. */
export interface Inbox {
  messages: ChatMessage[];
  /** Resolve once `count` messages have arrived; fail after the kit's timeout, naming `what`. */
  until(count: number, what: string): Promise<void>;
}

export function inbox(socket: Socket): Inbox {
  const messages: ChatMessage[] = [];
  let wake = () => {};
  socket.on('chat', (message: ChatMessage) => {
    messages.push(message);
    wake();
  });
  return {
    messages,
    until: (count, what) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          wake = () => {};
          const got = JSON.stringify(texts(messages));
          reject(new Error(`${what}: expected ${count} chat messages, got ${got}`));
        }, DEFAULT_TIMEOUT_MS);
        wake = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          wake = () => {};
          resolve();
        };
        wake();
      }),
  };
}

/** The texts of `messages`, for short failure messages. */
export const texts = (messages: ChatMessage[]) => messages.map(({ text }) => text);
