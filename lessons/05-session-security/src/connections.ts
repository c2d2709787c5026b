// Every Engine.IO connection, filed under the session that opened it. A
// connection exists before any socket and outlives them: one that has sent
// no CONNECT yet, or has sent DISCONNECT and keeps answering pings, is in no
// room, so only this list finds it on logout and expiry, and only this list
// can count what one session holds open.
import type { IncomingMessage } from 'node:http';
import type session from 'express-session';
import type { Socket } from 'socket.io';

// Socket.IO's requests are plain Node requests, which express-session decorates too.
export type SessionRequest = IncomingMessage & {
  session?: session.Session & Partial<session.SessionData>;
};

export type Connection = Socket['conn'];

export interface ConnectionLimits {
  /** Engine.IO connections one logged-in session may hold open at once (tabs, devices). */
  perSession: number;
  /** Connections without a logged-in session, all together: each can only be refused. */
  anonymous: number;
  /** Bytes the server may hold for one client that does not take them, queued or buffered. */
  queuedBytes: number;
}

const ANONYMOUS = '';

/** The logged-in session of a handshake request, or '' for none. */
export function sessionKey(request: SessionRequest): string {
  return request.session?.username ? request.session.id : ANONYMOUS;
}

// #region connection-caps
export function trackConnections(limits: ConnectionLimits) {
  const bySession = new Map<string, Set<Connection>>();
  const capOf = (key: string) => (key === ANONYMOUS ? limits.anonymous : limits.perSession);

  return {
    /** Why a handshake of this session is refused, or undefined while it is under its cap. */
    refusal(key: string): string | undefined {
      const open = bySession.get(key)?.size ?? 0;
      return open < capOf(key) ? undefined : 'too many connections';
    },

    /**
     * File a new connection under its session. allowRequest refused the
     * handshakes over the cap, but handshakes run concurrently, so one over it
     * is closed here, as it opens: the count is exact only at this point.
     */
    add(conn: Connection) {
      const key = sessionKey(conn.request as SessionRequest);
      const open = bySession.get(key) ?? new Set();
      if (open.size >= capOf(key)) {
        conn.close(true);
        return;
      }
      open.add(conn);
      bySession.set(key, open);
      conn.once('close', () => {
        open.delete(conn);
        if (open.size === 0 && bySession.get(key) === open) bySession.delete(key);
      });
      boundQueue(conn, limits);
    },

    /** The logged-in sessions that hold a connection on this server. */
    sessionIds(): string[] {
      return [...bySession.keys()].filter((key) => key !== ANONYMOUS);
    },

    /** Close every connection of the session, with a socket or without. */
    closeAll(sessionId: string) {
      for (const conn of bySession.get(sessionId) ?? []) conn.close();
    },
  };
}
// #endregion connection-caps

// #region queue-bound
// Socket.IO queues every packet for a client until that client takes it: a
// long-polling client that stops polling, or a WebSocket client that stops
// reading, makes the server hold every broadcast for it until the ping
// timeout (45 s by default). Past the bound, the client is dropped instead.
function boundQueue(conn: Connection, { queuedBytes }: ConnectionLimits) {
  const internals = conn as unknown as {
    transport: { name: string; socket?: { bufferedAmount: number; terminate(): void } };
  };
  let queued = 0; // bytes in Engine.IO's write buffer, which a flush hands to the transport
  conn.on('flush', () => {
    queued = 0;
  });
  conn.on('packetCreate', (packet: { data?: string | Buffer }) => {
    queued += typeof packet.data === 'string' ? packet.data.length : (packet.data?.length ?? 0);
    const { transport } = internals;
    // What the WebSocket holds in memory because the client is not reading.
    const buffered = transport.name === 'websocket' ? (transport.socket?.bufferedAmount ?? 0) : 0;
    if (queued + buffered <= queuedBytes) return;
    conn.close(true); // discard the queue
    // A WebSocket close waits for the peer's answer, holding what it buffered.
    if (transport.name === 'websocket') transport.socket?.terminate();
  });
}
// #endregion queue-bound
