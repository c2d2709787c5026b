// The events of lesson 8, shared by the server, the demo clients and the tests.
import type { Packet } from './codec.ts';

/** Answers carry either a result or an `error` that says what was wrong. */
export type Failure = { error: string };

/** A message to the other members of a room of /chat. */
export interface Said {
  from: string;
  room: string;
  text: string;
}

/** The namespace the raw client connects to, with an auth payload. */
export const CHAT = '/chat';

/** The events of /chat: every socket there has given a name in its auth payload. */
export type ChatServerEvents = {
  said: (message: Said) => void;
};

export type ChatClientEvents = {
  join: (room: string, ack: (reply: { rooms: string[] } | Failure) => void) => void;
  say: (
    message: { room: string; text: string },
    ack: (reply: { ok: true } | Failure) => void,
  ) => void;
  /** The bytes back, in reverse order: an answer with a binary attachment. */
  reverse: (bytes: Uint8Array, ack: (reply: Uint8Array | Failure) => void) => void;
  whoami: (ack: (reply: { name: string; auth: Record<string, unknown> }) => void) => void;
};

/** What the server keeps on each socket of /chat. */
export interface ChatData {
  name: string;
}

/** The main namespace "/", which the demo page uses to decode a frame with your codec. */
export type MainClientEvents = {
  decode: (text: string, ack: (reply: { packet: Packet } | Failure) => void) => void;
};
