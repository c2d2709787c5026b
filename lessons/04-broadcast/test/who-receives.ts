// The "who receives?" table: one row per way to emit, with who receives it in
// one fixed scene. The tests run every row against real clients (the rows sent
// through the app in who-receives.test.ts, those that call Socket.IO directly
// in facts/who-receives.test.ts), and the docs page docs/guide/who-receives.md
// renders its table from these rows, so the site shows no row that the tests
// do not check.
// #region row
import type { Server, Socket } from 'socket.io';
import type { News, Shout } from '#target/events.ts';

/** The four people of the scene; ana sends every message. */
export const PEOPLE = ['ana', 'ben', 'cat', 'dan'] as const;
export type PersonName = (typeof PEOPLE)[number];
export const SENDER: PersonName = 'ana';

/** Who is in which room: ben is in both, dan in none. */
export const ROOMS: Record<PersonName, string[]> = {
  ana: ['red'],
  ben: ['red', 'blue'],
  cat: ['blue'],
  dan: [],
};

/** What a row's server-side call gets: the server, the sender's socket on it, and everyone's ids. */
export interface Scene {
  io: Server;
  socket: Socket;
  ids: Record<PersonName, string>;
}

/**
 * How a row is sent: through the app (`shout` from ana, or `bye`), or by
 * calling Socket.IO on the server directly for the calls the app does not offer.
 */
export type Via =
  | { shout: Omit<Shout, 'text'> }
  | { bye: true }
  | { server: (scene: Scene) => void };

export interface Row {
  /** The call, as the docs show it. */
  call: string;
  /** Who it reaches, in words. */
  reaches: string;
  /** Exactly who receives it, once each. */
  receivers: PersonName[];
  via: Via;
}
// #endregion row

/** What the rows that call Socket.IO directly send. */
export const SERVER_NEWS: News = { from: 'server', target: 'server', text: 'hello' };

/** Every way to emit `news`, sent by ana in the scene above. */
export const EMITS: Row[] = [
  {
    call: 'socket.emit(…)',
    reaches: 'the sender only',
    receivers: ['ana'],
    via: { shout: { target: 'self' } },
  },
  {
    call: 'io.emit(…)',
    reaches: 'everyone, the sender included',
    receivers: ['ana', 'ben', 'cat', 'dan'],
    via: { shout: { target: 'all' } },
  },
  {
    call: 'socket.broadcast.emit(…)',
    reaches: 'everyone but the sender',
    receivers: ['ben', 'cat', 'dan'],
    via: { shout: { target: 'others' } },
  },
  {
    call: "io.to('red').emit(…)",
    reaches: 'the room, the sender included as a member',
    receivers: ['ana', 'ben'],
    via: { shout: { target: 'room', room: 'red' } },
  },
  {
    call: "io.to('blue').emit(…)",
    reaches: 'the room, which a sender outside it may send to',
    receivers: ['ben', 'cat'],
    via: { shout: { target: 'room', room: 'blue' } },
  },
  {
    call: "socket.to('red').emit(…)",
    reaches: 'the room but the sender',
    receivers: ['ben'],
    via: { shout: { target: 'room-others', room: 'red' } },
  },
  {
    call: "socket.to('blue').emit(…)",
    reaches: 'the room, from a sender outside it',
    receivers: ['ben', 'cat'],
    via: { shout: { target: 'room-others', room: 'blue' } },
  },
  {
    call: "io.except('red').emit(…)",
    reaches: 'everyone outside the room',
    receivers: ['cat', 'dan'],
    via: { shout: { target: 'except-room', room: 'red' } },
  },
  {
    call: "io.except('blue').emit(…)",
    reaches: 'everyone outside the room, the sender included',
    receivers: ['ana', 'dan'],
    via: { shout: { target: 'except-room', room: 'blue' } },
  },
  {
    call: "io.in('red').emit(…)",
    reaches: 'the same as io.to: in is another name for to',
    receivers: ['ana', 'ben'],
    via: { server: (scene) => scene.io.in('red').emit('news', SERVER_NEWS) },
  },
  {
    call: "io.to(['red', 'blue']).emit(…)",
    reaches: 'the union of the rooms, each socket once',
    receivers: ['ana', 'ben', 'cat'],
    via: { server: (scene) => scene.io.to(['red', 'blue']).emit('news', SERVER_NEWS) },
  },
  {
    call: "socket.to(['red', 'blue']).emit(…)",
    reaches: 'the union of the rooms but the sender, each socket once',
    receivers: ['ben', 'cat'],
    via: { server: (scene) => scene.socket.to(['red', 'blue']).emit('news', SERVER_NEWS) },
  },
  {
    call: "io.to('blue').except('red').emit(…)",
    reaches: 'the members of one room who are not in the other',
    receivers: ['cat'],
    via: { server: (scene) => scene.io.to('blue').except('red').emit('news', SERVER_NEWS) },
  },
  {
    call: 'io.to(ben.id).emit(…)',
    reaches: 'one socket, through the room named after its id',
    receivers: ['ben'],
    via: { server: (scene) => scene.io.to(scene.ids.ben).emit('news', SERVER_NEWS) },
  },
];

/** The ways to end connections from the server, and whose they end. */
export const DISCONNECTS: Row[] = [
  {
    call: 'socket.disconnect()',
    reaches: 'this one client, for good: no reconnection',
    receivers: ['ana'],
    via: { bye: true },
  },
  {
    call: "io.in('red').disconnectSockets()",
    reaches: 'every member of the room',
    receivers: ['ana', 'ben'],
    via: { server: (scene) => scene.io.in('red').disconnectSockets() },
  },
  {
    call: 'io.disconnectSockets()',
    reaches: 'everyone',
    receivers: ['ana', 'ben', 'cat', 'dan'],
    via: { server: (scene) => scene.io.disconnectSockets() },
  },
];

/** How a row is sent, in words, for the docs. */
export function describeVia(via: Via): string {
  if ('shout' in via) {
    const { target, room } = via.shout;
    return room
      ? `shout { target: '${target}', room: '${room}' }`
      : `shout { target: '${target}' }`;
  }
  if ('bye' in via) return 'bye';
  return '';
}
