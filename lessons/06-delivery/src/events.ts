// The events of lesson 6, shared by the server, the clients, the demo and the tests.

/** A chat message as the server stored it: `offset` is its place in the history. */
export interface ChatMessage {
  offset: number;
  room: string;
  from: string;
  /** The id the sender chose, the same on every retry. */
  id: string;
  text: string;
}

/** What a client sends: the server adds the offset and the sender. */
export interface Draft {
  room: string;
  id: string;
  text: string;
}

/** Answers carry either a result or an `error` that says what was wrong. */
export type Failure = { error: string };
/** `duplicate: true` when the server had this id from this sender already. */
export type SendReply = { offset: number; duplicate: boolean } | Failure;
export type RoomsReply = { rooms: string[] } | Failure;

export type ServerToClientEvents = {
  chat: (message: ChatMessage) => void;
};

export type ClientToServerEvents = {
  chat: (draft: Draft, ack: (reply: SendReply) => void) => void;
  join: (room: string, ack: (reply: RoomsReply) => void) => void;
};

/** What a client sends in `auth` when it connects. */
export interface ChatAuth {
  token: string;
  /** The offset of the last message the client received; 0 or absent for none. */
  serverOffset?: number;
}

/** What the server keeps on each socket (`socket.data`). */
export interface SocketData {
  user: string;
  serverOffset: number;
}
