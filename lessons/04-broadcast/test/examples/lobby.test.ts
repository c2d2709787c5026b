// The worked example of lesson 4's page, proven: never graded.
import {
  closeAll,
  connect,
  createClient,
  DEFAULT_TIMEOUT_MS,
  hear,
  nextEvent,
  type StartedLesson,
  startLesson,
} from '@lessons/test-kit';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLobby, type LobbyFromClient, type LobbyToClient } from '../../examples/lobby.ts';

afterEach(closeAll);

type Player = Socket<LobbyToClient, LobbyFromClient>;
type Lobby = StartedLesson<ReturnType<typeof createLobby>>;

/** Connect as `name`, or as a guest without one, and wait until connected. */
const arrive = (lobby: Lobby, name?: string): Promise<Player> =>
  connect(lobby, { query: name ? { name } : {}, transport: 'websocket' });

/**
 * Every event each player receives while `action` runs, in order, as
 * `[event, ...args]`. A fence the server sends afterwards (the kit's `hear()`)
 * proves that nothing else is on its way.
 */
async function record<Name extends string>(
  lobby: Lobby,
  players: Record<Name, Player>,
  action: () => unknown,
): Promise<Record<Name, unknown[][]>> {
  const names = Object.keys(players) as Name[];
  const log = Object.fromEntries(names.map((name) => [name, [] as unknown[][]])) as Record<
    Name,
    unknown[][]
  >;
  for (const name of names) {
    players[name].onAny((event: string, ...args: unknown[]) => {
      if (event !== 'fence') log[name].push([event, ...args]);
    });
  }
  await hear(lobby, players, 'fence', action);
  return log;
}

const sit = (player: Player, table: unknown) =>
  player.timeout(DEFAULT_TIMEOUT_MS).emitWithAck('sit', table as string);

describe('the lobby example', () => {
  it('greets the newcomer alone, tells the others who came, and gives everyone the count', async () => {
    const lobby = await startLesson(createLobby);
    const ana = await arrive(lobby, 'ana');
    // Not yet connected: its listeners are in place before the welcome can arrive.
    const ben: Player = createClient(lobby, { query: { name: 'ben' }, transport: 'websocket' });
    const log = await record(lobby, { ana, ben }, () => nextEvent(ben, 'connect'));
    expect(log).toEqual({
      ana: [
        ['arrived', 'ben'],
        ['online', 2],
      ],
      ben: [
        ['welcome', 'Welcome, ben'],
        ['online', 2],
      ],
    });
  });

  it('tells the others at a table who sat down, the whole table the count, and everyone not playing about the game', async () => {
    const lobby = await startLesson(createLobby);
    const [ana, ben, cat, dan] = await Promise.all([
      arrive(lobby, 'ana'),
      arrive(lobby, 'ben'),
      arrive(lobby, 'cat'),
      arrive(lobby), // a guest
    ]);
    const everyone = { ana, ben, cat, dan };

    const first = await record(lobby, everyone, async () => {
      expect(await sit(ana, 'north')).toEqual({ table: 'north' });
    });
    expect(first).toEqual({
      ana: [['players', 1]],
      ben: [['invite', 'north']],
      cat: [['invite', 'north']],
      dan: [['invite', 'north']],
    });

    const second = await record(lobby, everyone, async () => {
      expect(await sit(ben, 'north')).toEqual({ table: 'north' });
    });
    expect(second).toEqual({
      ana: [
        ['seated', 'ben'],
        ['players', 2],
      ],
      ben: [['players', 2]],
      cat: [['invite', 'north']],
      dan: [['invite', 'north']],
    });

    // A table of its own: those playing at north hear nothing of it.
    const third = await record(lobby, everyone, async () => {
      expect(await sit(cat, 'south')).toEqual({ table: 'south' });
    });
    expect(third).toEqual({ ana: [], ben: [], cat: [['players', 1]], dan: [['invite', 'south']] });
  });

  it('answers a guest who sits { error }, drops one without an acknowledgement, and sends nothing', async () => {
    const lobby = await startLesson(createLobby);
    const [ana, guest] = await Promise.all([arrive(lobby, 'ana'), arrive(lobby)]);
    const log = await record(lobby, { ana, guest }, async () => {
      expect(await sit(guest, 'north')).toEqual({
        error: 'guests watch: connect with a name to play',
      });
      (guest as Socket).emit('sit', 'north'); // no acknowledgement: dropped
      expect(await sit(ana, 'nowhere')).toEqual({ error: 'no such table' });
    });
    expect(log).toEqual({ ana: [], guest: [] });
    expect(lobby.io.of('/').adapter.rooms.has('north')).toBe(false);
  });

  it('ends the older connection of a name when it connects again, for good, and leaves guests alone', async () => {
    const lobby = await startLesson(createLobby);
    const older = await connect<LobbyToClient, LobbyFromClient>(lobby, {
      query: { name: 'ana' },
      reconnection: true,
    });
    const [guest1, guest2] = await Promise.all([arrive(lobby), arrive(lobby)]);
    const ended = nextEvent<[string]>(older, 'disconnect');
    const newer = await arrive(lobby, 'ana');

    expect((await ended)[0]).toBe('io server disconnect');
    expect(older.active).toBe(false); // it will not reconnect by itself
    expect([newer.connected, guest1.connected, guest2.connected]).toEqual([true, true, true]);
    expect(lobby.io.of('/').sockets.size).toBe(3);
  });
});
