import {
  closeAll,
  connect,
  connectError,
  hear,
  type StartedLesson,
  startLesson,
} from '@lessons/test-kit';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createExampleApp,
  MAX_BUZZES,
  type QuizClientEvents,
  type QuizServerEvents,
} from '../../examples/quiz.ts';

type Player = Socket<QuizServerEvents, QuizClientEvents>;
type Quiz = StartedLesson<ReturnType<typeof createExampleApp>>;

afterEach(closeAll);

/** Connect a player for `team` over WebSocket. */
const player = (quiz: Quiz, team: string): Promise<Player> =>
  connect<QuizServerEvents, QuizClientEvents>(quiz, { query: { team }, transport: 'websocket' });

/** Two red players and one blue, on a quiz of their own. */
async function teams() {
  const quiz = await startLesson(createExampleApp);
  const [red1, red2, blue] = await Promise.all([
    player(quiz, 'red'),
    player(quiz, 'red'),
    player(quiz, 'blue'),
  ]);
  return { quiz, red1, red2, blue };
}

describe('the quiz example: io.use', () => {
  it('refuses a team it does not know, with the reason in connect_error', async () => {
    const quiz = await startLesson(createExampleApp);
    const error = await connectError(quiz, { query: { team: 'green' } });
    expect(error.message).toBe('pick a team: red or blue');
    expect((await connectError(quiz)).message).toBe('pick a team: red or blue');
  });

  it('puts each socket in its team’s room on connection', async () => {
    const { quiz, red1, blue } = await teams();
    const rooms = quiz.io.of('/').adapter.rooms;
    expect([...(rooms.get('team:red') ?? [])].includes(red1.id as string)).toBe(true);
    expect(rooms.get('team:red')?.size).toBe(2);
    expect([...(rooms.get('team:blue') ?? [])]).toEqual([blue.id]);
  });
});

describe('the quiz example: join and leave', () => {
  it('moves a socket from one team’s room to the other’s with switch', async () => {
    const { red2 } = await teams();
    expect(await red2.timeout(1000).emitWithAck('switch', 'blue')).toEqual({ team: 'blue' });
    expect(await red2.timeout(1000).emitWithAck('count', 'red')).toEqual({ players: 1 });
    expect(await red2.timeout(1000).emitWithAck('count', 'blue')).toEqual({ players: 2 });
  });
});

describe('the quiz example: socket.to(room).emit', () => {
  it('sends typing to the teammates, never to the one typing or the other team', async () => {
    const { quiz, red1, red2, blue } = await teams();
    const heard = await hear(quiz, { red1, red2, blue }, 'typing', async () => {
      red1.emit('typing');
      // One connection's messages are handled in order: once count answers, typing went out.
      await red1.timeout(1000).emitWithAck('count', 'red');
    });
    expect(heard).toEqual({ red1: [], red2: [{ id: red1.id }], blue: [] });
  });
});

describe('the quiz example: io.to(room).emit', () => {
  it('sends buzzed to every socket of the team, the buzzer’s own included', async () => {
    const { quiz, red1, red2, blue } = await teams();
    const heard = await hear(quiz, { red1, red2, blue }, 'buzzed', async () => {
      expect(await red1.timeout(1000).emitWithAck('buzz')).toEqual({ ok: true });
    });
    expect(heard).toEqual({ red1: [{ team: 'red' }], red2: [{ team: 'red' }], blue: [] });
  });
});

describe('the quiz example: io.in(room).fetchSockets()', () => {
  it('counts the sockets in a team’s room', async () => {
    const { blue } = await teams();
    expect(await blue.timeout(1000).emitWithAck('count', 'red')).toEqual({ players: 2 });
    expect(await blue.timeout(1000).emitWithAck('count', 'blue')).toEqual({ players: 1 });
  });
});

describe('the quiz example: socket.use', () => {
  it(`lets ${MAX_BUZZES} buzzes through, then answers the next with the reason`, async () => {
    const { red1 } = await teams();
    for (let buzz = 1; buzz <= MAX_BUZZES; buzz += 1) {
      expect(await red1.timeout(1000).emitWithAck('buzz')).toEqual({ ok: true });
    }
    expect(await red1.timeout(1000).emitWithAck('buzz')).toEqual({
      error: `${MAX_BUZZES} buzzes per player`,
    });
  });
});
