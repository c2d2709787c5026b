// The worked example of lesson 4: a card-game lobby that uses the same calls
// as the exercises, each for another job. Run it with
// `node --import tsx lessons/04-broadcast/examples/lobby.ts`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Server } from 'socket.io';

/** The tables a player may sit at. */
export const TABLES = ['north', 'south'];

export interface LobbyToClient {
  /** To the newcomer alone. */
  welcome: (text: string) => void;
  /** To everyone else, when someone arrives. */
  arrived: (name: string) => void;
  /** To everyone, whenever the count changes. */
  online: (count: number) => void;
  /** To the players already at a table, when someone sits down at it. */
  seated: (name: string) => void;
  /** To everyone at a table, the newcomer included: how many sit there now. */
  players: (count: number) => void;
  /** To everyone not playing yet: a table has a game on. */
  invite: (table: string) => void;
}

export type SitReply = { table: string } | { error: string };

export interface LobbyFromClient {
  sit: (table: string, ack: (reply: SitReply) => void) => void;
}

/** What the lobby keeps on each socket: its name, or '' for a guest. */
export interface LobbyData {
  name: string;
}

/** Build the lobby, like createApp(): it opens no port. */
export function createLobby() {
  const app = express();
  const httpServer = createServer(app);
  const io = new Server<LobbyFromClient, LobbyToClient, object, LobbyData>(httpServer);

  io.on('connection', (socket) => {
    const { name } = socket.handshake.query;
    socket.data.name = typeof name === 'string' ? name.slice(0, 40) : '';
    const who = socket.data.name || 'a guest';

    // #region guests
    // Guests watch; only a named player may send. This middleware sees every
    // message before its handler: next() lets a player's through, and a guest's
    // is answered through its acknowledgement, or dropped when it has none.
    // It never calls next(error): Socket.IO would emit that as an "error"
    // event on this socket, which throws where nothing listens for it.
    socket.use((packet, next) => {
      if (socket.data.name !== '') return next();
      const answer = packet[packet.length - 1];
      if (typeof answer === 'function')
        answer({ error: 'guests watch: connect with a name to play' });
    });
    // #endregion guests

    // #region newest-wins
    // One connection per name: the newest ends the older ones. An older
    // client gets "io server disconnect" and does not reconnect by itself,
    // so two tabs never take the name from each other in turn.
    if (socket.data.name !== '') {
      for (const other of io.of('/').sockets.values()) {
        if (other !== socket && other.data.name === socket.data.name) other.disconnect();
      }
    }
    // #endregion newest-wins

    // #region arrivals
    // The newcomer is greeted alone, the others hear who came, and everyone,
    // the newcomer included, gets the new count.
    socket.emit('welcome', `Welcome, ${who}`);
    socket.broadcast.emit('arrived', who);
    io.emit('online', io.of('/').sockets.size);
    // The socket has left the server's list by the time "disconnect" fires.
    socket.on('disconnect', () => io.emit('online', io.of('/').sockets.size));
    // #endregion arrivals

    // #region tables
    socket.on('sit', (table, ack) => {
      if (typeof ack !== 'function') return; // nobody would hear the answer
      if (typeof table !== 'string' || !TABLES.includes(table)) {
        return ack({ error: 'no such table' });
      }
      if (socket.rooms.has('playing')) return ack({ error: 'you already sit at a table' });
      socket.join([table, 'playing']);
      // The players already there, not the newcomer: they learn who sat down.
      socket.to(table).emit('seated', who);
      // Everyone at the table, the newcomer included: the new count.
      io.to(table).emit('players', io.of('/').adapter.rooms.get(table)?.size ?? 0);
      // Everyone who sits at no table yet, guests included: come and watch.
      io.except('playing').emit('invite', table);
      ack({ table });
    });
    // #endregion tables
  });

  return { app, httpServer, io };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { httpServer } = createLobby();
  httpServer.listen(Number(process.env.PORT ?? 0), () => {
    const { port } = httpServer.address() as AddressInfo;
    console.log(`Listening on http://localhost:${port}`);
  });
}
