import { DEFAULT_TIMEOUT_MS, hear, type Kit, type StartedLesson } from '@lessons/test-kit';
import type { Socket } from 'socket.io-client';
import { expect } from 'vitest';
import type { ClientToServerEvents, News, ServerToClientEvents } from '#target/events.ts';
import { PEOPLE, type PersonName, ROOMS, type Row, type Scene, SENDER } from './who-receives.ts';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
export type Clients = Record<PersonName, Client>;

/**
 * Connect the four people of the scene with `kit`'s clients, and put each in
 * their rooms.
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
        expect(await client.timeout(DEFAULT_TIMEOUT_MS).emitWithAck('join', room)).toMatchObject({
          rooms: expect.arrayContaining([room]),
        });
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
    const reply = await sender
      .timeout(DEFAULT_TIMEOUT_MS)
      .emitWithAck('shout', { ...via.shout, text: 'hello' });
    expect(reply).toEqual({ ok: true });
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
