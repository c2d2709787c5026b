// The events of lesson 4, shared by the server, the demo clients and the tests.

/** Who a shout is for; each target is one of Socket.IO's ways to emit. */
export const TARGETS = ['self', 'all', 'others', 'room', 'room-others', 'except-room'] as const;
export type Target = (typeof TARGETS)[number];

/** The targets that name a room, and so need one. */
export const ROOM_TARGETS = ['room', 'room-others', 'except-room'] as const satisfies Target[];
export type RoomTarget = (typeof ROOM_TARGETS)[number];

/** Whether `target` names a room: a client's target is any string until it is checked. */
export const isRoomTarget = (target: string): target is RoomTarget =>
  (ROOM_TARGETS as readonly string[]).includes(target);

/** What every receiver of a shout gets. */
export interface News {
  from: string;
  target: string;
  text: string;
}

export interface Shout {
  target: Target;
  /** Required by 'room', 'room-others' and 'except-room'. */
  room?: string;
  text: string;
}

/** Answers carry either a result or an `error` that says what was wrong. */
export type Failure = { error: string };
export type RoomsReply = { rooms: string[] } | Failure;
export type OkReply = { ok: true } | Failure;

export type ServerToClientEvents = {
  news: (news: News) => void;
};

export type ClientToServerEvents = {
  join: (room: string, ack: (reply: RoomsReply) => void) => void;
  shout: (shout: Shout, ack: (reply: OkReply) => void) => void;
  bye: () => void;
};

/** What the server keeps on each socket (`socket.data`). */
export interface SocketData {
  name: string;
}
