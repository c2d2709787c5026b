// The events of lesson 5, shared by the server, the demo clients and the tests.
// These types describe honest clients only: the server validates every payload,
// because a hostile client can send any value in any position.

export type ChatAck = { ok: true } | { error: string };

export interface ServerToClientEvents {
  welcome: (payload: { username: string }) => void;
  chat: (message: { from: string; text: string }) => void;
}

export interface ClientToServerEvents {
  whoami: (ack: (payload: { username: string }) => void) => void;
  chat: (text: string, ack: (result: ChatAck) => void) => void;
}

export type InterServerEvents = Record<string, never>;

/** What the auth middleware stores on each socket once its session is checked. */
export interface SocketData {
  username: string;
  sessionId: string;
}
