// The events of lesson 7, shared by the server, the demo clients and the tests.

/** What a socket hears first: who it is, and which process serves it. */
export interface Welcome {
  username: string;
  /** The process id of the worker that holds this socket. */
  worker: number;
}

/** A chat line, to everyone or to one room, stamped with the worker that sent it. */
export interface Said {
  from: string;
  text: string;
  room?: string;
  worker: number;
}

/** One member of a room, and the worker that holds that socket. */
export interface Member {
  username: string;
  worker: number;
}

/** Answers carry either a result or an `error` that says what was wrong. */
export type Failure = { error: string };
export type OkReply = { ok: true } | Failure;
export type MembersReply = { members: Member[] } | Failure;
export type WorkersReply = { workers: number[] } | Failure;

export type ServerToClientEvents = {
  welcome: (welcome: Welcome) => void;
  said: (message: Said) => void;
};

export type ClientToServerEvents = {
  /** Say `text` to everyone, or to the members of `room`. */
  say: (message: { text: string; room?: string }, ack: (reply: OkReply) => void) => void;
  /** Put every socket of this user, on every worker, in `room`. */
  join: (room: string, ack: (reply: OkReply) => void) => void;
  /** Who is in `room`, on every worker. */
  members: (room: string, ack: (reply: MembersReply) => void) => void;
  /** The process id of every worker that answers. */
  workers: (ack: (reply: WorkersReply) => void) => void;
};

/** What the workers ask each other through the adapter (`io.serverSideEmit`). */
export type InterServerEvents = {
  whoami: (ack: (worker: number) => void) => void;
};

/** What the server keeps on each socket (`socket.data`), read back by fetchSockets(). */
export interface SocketData {
  username: string;
  sessionId: string;
  /** The process id of the worker that holds the socket. */
  worker: number;
}
