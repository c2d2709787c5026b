// The worked example of lesson 3: a quiz night, where every socket plays for a
// team. It uses the calls the lesson's exercises ask for, each to another end:
// read it and run its tests (test/examples/), then write the lesson's server.
// It trusts its clients to send what QuizClientEvents says, to stay short; the
// lesson's server does not, and its last exercise shows why.
// #region example-setup
import { createServer } from 'node:http';
import express from 'express';
import { Server } from 'socket.io';

export const TEAMS = ['red', 'blue'] as const;
export type Team = (typeof TEAMS)[number];
const isTeam = (value: unknown): value is Team => TEAMS.includes(value as Team);

/** A result, or an `error` that says what was wrong, as in the lesson. */
type Reply<Result> = Result | { error: string };

export type QuizServerEvents = {
  typing: (notice: { id: string }) => void;
  buzzed: (buzz: { team: Team }) => void;
};

export type QuizClientEvents = {
  switch: (team: Team, ack: (reply: Reply<{ team: Team }>) => void) => void;
  typing: () => void;
  buzz: (ack: (reply: Reply<{ ok: true }>) => void) => void;
  count: (team: Team, ack: (reply: Reply<{ players: number }>) => void) => void;
};

/** What the server keeps on each socket. */
export interface QuizData {
  team: Team;
  buzzes: number;
}

/** How many times one connection may buzz. */
export const MAX_BUZZES = 3;

/** Build the quiz's app, HTTP server and Socket.IO server. Opens no port. */
export function createExampleApp() {
  const app = express();
  const httpServer = createServer(app);
  const io = new Server<QuizClientEvents, QuizServerEvents, object, QuizData>(httpServer);
  // #endregion example-setup

  // #region example-handshake
  // io('/?team=red'): the query picks a team, and anything else is refused.
  // The client gets connect_error with the message of the Error passed to next().
  io.use((socket, next) => {
    const { team } = socket.handshake.query;
    if (!isTeam(team)) return next(new Error('pick a team: red or blue'));
    socket.data = { team, buzzes: 0 };
    next();
  });
  // #endregion example-handshake

  io.on('connection', (socket) => {
    // #region example-team-room
    // A room per team: every socket that plays for red is in team:red.
    socket.join(`team:${socket.data.team}`);
    // #endregion example-team-room

    // #region example-switch
    // Change teams: leave one room, join the other. The rooms are the server's
    // to change; the client only asks.
    socket.on('switch', (team, ack) => {
      if (!isTeam(team)) return ack({ error: 'pick a team: red or blue' });
      socket.leave(`team:${socket.data.team}`);
      socket.join(`team:${team}`);
      socket.data.team = team;
      ack({ team });
    });
    // #endregion example-switch

    // #region example-typing
    // A notice for the teammates: socket.to() leaves out the socket that sent
    // it, which knows it is typing. The server picks the room, so no check.
    socket.on('typing', () => {
      socket.to(`team:${socket.data.team}`).emit('typing', { id: socket.id });
    });
    // #endregion example-typing

    // #region example-buzz
    // io.to(): every socket in the team's room, the buzzer's own included.
    socket.on('buzz', (ack) => {
      io.to(`team:${socket.data.team}`).emit('buzzed', { team: socket.data.team });
      ack({ ok: true });
    });
    // #endregion example-buzz

    // #region example-count
    // fetchSockets() resolves with the sockets in a room; a count needs only
    // how many. It can reject (a cluster adapter times out): answer, not crash.
    socket.on('count', (team, ack) => {
      if (!isTeam(team)) return ack({ error: 'pick a team: red or blue' });
      io.in(`team:${team}`)
        .fetchSockets()
        .then(
          (players) => ack({ players: players.length }),
          () => ack({ error: 'server error' }),
        );
    });
    // #endregion example-count

    // #region example-use
    // A socket middleware sees every message before its handler, as an array:
    // the event, its arguments, and the acknowledgement last when asked for.
    socket.use(([event, ...args], next) => {
      if (event !== 'buzz') return next();
      socket.data.buzzes += 1;
      if (socket.data.buzzes <= MAX_BUZZES) return next();
      // Not calling next() drops the message: answer why, when the client waits.
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ error: `${MAX_BUZZES} buzzes per player` });
    });
    // #endregion example-use
  });

  return { app, httpServer, io };
}
