// The events of lesson 3, shared by the server, the demo clients and the tests.

/** A message to the other members of a room. */
export interface Said {
  from: string;
  room: string;
  text: string;
}

/** A private message, delivered to every tab its recipient has open. */
export interface Whispered {
  from: string;
  text: string;
}

/** Answers carry either a result or an `error` that says what was wrong. */
export type Failure = { error: string };
export type RoomsReply = { rooms: string[] } | Failure;
export type OkReply = { ok: true } | Failure;
export type MembersReply = { members: string[] } | Failure;

export type ServerToClientEvents = {
  said: (message: Said) => void;
  whispered: (message: Whispered) => void;
};

export type ClientToServerEvents = {
  join: (room: string, ack: (reply: RoomsReply) => void) => void;
  leave: (room: string, ack: (reply: RoomsReply) => void) => void;
  say: (message: { room: string; text: string }, ack: (reply: OkReply) => void) => void;
  whisper: (message: { to: string; text: string }, ack: (reply: OkReply) => void) => void;
  members: (room: string, ack: (reply: MembersReply) => void) => void;
};

/** What the server keeps on each socket (`socket.data`), read back by fetchSockets(). */
export interface SocketData {
  name: string;
}
