import {
  DEFAULT_TIMEOUT_MS,
  hear,
  type Kit,
  nextEvent,
  type StartedLesson,
} from '@lessons/test-kit';
import type { Socket } from 'socket.io-client';
import { expect } from 'vitest';
import type { ClientToServerEvents, News, ServerToClientEvents } from '#target/events.ts';
import { PEOPLE, type PersonName, ROOMS, type Row, type Scene, SENDER } from './who-receives.ts';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
export type Clients = Record<PersonName, Client>;

/** The scene in words, for failure messages: "ana in red, ben in red and blue, …". */
export const SCENE = PEOPLE.map(
  (name) => `${name} in ${ROOMS[name].join(' and ') || 'no room'}`,
).join(', ');

/**
 * A value as JSON for a failure message, long strings cut short:
 * `{"text":"xxxxxxxxxxxx… (501 characters)"}`.
 */
export function preview(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    typeof item === 'string' && item.length > 40
      ? `${item.slice(0, 12)}… (${item.length} characters)`
      : item,
  );
}

/**
 * Send `event` with `args` and resolve with the acknowledgement; when none
 * comes within the kit's second, fail with a message that names the sender,
 * the event and what it carried.
 *
 * @example
 * const reply = await ask(clients.ana, 'ana', 'shout', { target: 'self', text: 'hi' });
 */
export async function ask(
  client: Pick<Socket, 'timeout'>,
  who: string,
  event: string,
  ...args: unknown[]
): Promise<unknown> {
  try {
    return await client.timeout(DEFAULT_TIMEOUT_MS).emitWithAck(event, ...args);
  } catch (error) {
    const sent = args.map(preview).join(', ');
    throw new Error(
      `${who} sent ${event}(${sent}) and got no acknowledgement within ${DEFAULT_TIMEOUT_MS} ms: does the server answer every ${event}?`,
      { cause: error },
    );
  }
}

/**
 * The next `event` on `client`, or a failure that names who waited and what
 * for, with `why` to say what that means.
 *
 * @example
 * const [reason] = await awaitEvent<[string]>(clients.ana, 'ana', 'disconnect', 'after her bye');
 */
export async function awaitEvent<T extends unknown[]>(
  client: Parameters<typeof nextEvent>[0],
  who: string,
  event: string,
  why: string,
): Promise<T> {
  try {
    return await nextEvent<T>(client, event);
  } catch (error) {
    throw new Error(`${who} got no "${event}" event within ${DEFAULT_TIMEOUT_MS} ms ${why}`, {
      cause: error,
    });
  }
}

/**
 * Connect the four people of the scene with `kit`'s clients, and put each in
 * their rooms through the app's `join`.
 *
 * @example
 * const { clients, scene } = await setScene(lesson, kit);
 */
export async function setScene(
  lesson: StartedLesson,
  kit: Pick<Kit, 'connect'>,
): Promise<{ clients: Clients; scene: Scene }> {
  const connected = await Promise.all(
    PEOPLE.map(async (name) => {
      // WebSocket only: who receives what does not depend on the transport, and
      // skipping the upgrade from long-polling makes each scene quicker to set.
      const client = await kit.connect<ServerToClientEvents, ClientToServerEvents>(lesson, {
        query: { name },
        transport: 'websocket',
      });
      for (const room of ROOMS[name]) {
        expect(await ask(client, name, 'join', room), `${name}'s join("${room}") answered`).toEqual(
          { rooms: expect.arrayContaining([room]) },
        );
      }
      return [name, client] as const;
    }),
  );
  const clients = Object.fromEntries(connected) as Clients;
  const ids = Object.fromEntries(
    connected.map(([name, client]) => [name, client.id]),
  ) as Scene['ids'];
  const socket = lesson.io.of('/').sockets.get(ids[SENDER]);
  if (!socket) throw new Error(`${SENDER} has no socket on the server`);
  return { clients, scene: { io: lesson.io, socket, ids } };
}

/** Send a row the way it says: a shout or a bye from the sender, or a call on the server. */
export async function send(row: Row, clients: Clients, scene: Scene): Promise<void> {
  const { via } = row;
  const sender = clients[SENDER];
  if ('shout' in via) {
    const shout = { ...via.shout, text: 'hello' };
    const reply = await ask(sender, SENDER, 'shout', shout);
    expect(
      reply,
      `${SENDER}'s shout ${preview(shout)} answered, where { ok: true } was due`,
    ).toEqual({
      ok: true,
    });
  } else if ('bye' in via) {
    sender.emit('bye');
  } else {
    via.server(scene);
  }
}

/** Every `news` each person receives from `action` (see the kit's `hear()`). */
export function deliveries(
  lesson: StartedLesson,
  clients: Clients,
  action: () => unknown,
  fenced: readonly PersonName[] = PEOPLE,
): Promise<Record<PersonName, News[]>> {
  return hear<PersonName, News>(lesson, clients, 'news', action, fenced);
}

/**
 * Who received a wrong number of copies, in words, or '' when everyone got
 * what they should: "dan received 1 copy but should receive none".
 */
export function misdelivered(
  received: Record<string, unknown[]>,
  receivers: readonly string[],
): string {
  const copies = (count: number) =>
    count === 0 ? 'none' : `${count} cop${count === 1 ? 'y' : 'ies'}`;
  return Object.entries(received)
    .map(([name, messages]) => [name, messages.length, receivers.includes(name) ? 1 : 0] as const)
    .filter(([, got, want]) => got !== want)
    .map(
      ([name, got, want]) => `${name} received ${copies(got)} but should receive ${copies(want)}`,
    )
    .join('; ');
}
