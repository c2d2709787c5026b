// Socket.IO v5 packets, written and read by hand: the format that
// socket.io-parser, the parser inside every Socket.IO server and client,
// puts inside each Engine.IO message.
//
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
//
// followed, for BINARY_EVENT and BINARY_ACK, by one binary frame per attachment.

// #region types
/** The seven Socket.IO packet types: the first character of every packet. */
export const PacketType = {
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** One Socket.IO packet, as socket.io-parser models it. */
export interface Packet {
  type: PacketType;
  /** The namespace: "/" for the main one, "/chat" for another. */
  nsp: string;
  /** CONNECT: the auth object; EVENT: [name, ...args]; ACK: [...args]. */
  data?: unknown;
  /** The acknowledgement id of an EVENT that asks for one, and of its ACK. */
  id?: number;
}

/** A packet on the wire: one text frame, then its binary attachments. */
export type Frames = [string, ...Uint8Array[]];

/** Where a binary attachment was cut out of the payload. */
export interface Placeholder {
  _placeholder: true;
  num: number;
}
// #endregion types

// #region rules
/** Event names Socket.IO keeps for itself: an EVENT that names one is refused. */
export const RESERVED_EVENTS = [
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
];

/** socket.io-parser's default limit: a packet with more attachments is refused. */
export const MAX_ATTACHMENTS = 10;

/** A Buffer, a typed array or an ArrayBuffer: what travels as an attachment. */
export function isBinary(value: unknown): value is Uint8Array | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

/** A plain object: `{…}` in JSON, not an array, not null. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}

/** Whether `data` is a payload a packet of `type` may carry, as socket.io-parser checks it. */
export function payloadFits(type: PacketType, data: unknown): boolean {
  switch (type) {
    case PacketType.CONNECT:
      return isObject(data);
    case PacketType.DISCONNECT:
      return data === undefined;
    case PacketType.CONNECT_ERROR:
      return typeof data === 'string' || isObject(data);
    case PacketType.EVENT:
    case PacketType.BINARY_EVENT: {
      if (!Array.isArray(data)) return false;
      const [name] = data;
      if (typeof name === 'number') return true;
      return typeof name === 'string' && !RESERVED_EVENTS.includes(name);
    }
    default:
      return Array.isArray(data);
  }
}
// #endregion rules

// #region exercise-encode
// TODO(encode): write encode(packet): the packet's text frame, then one frame
// per binary attachment (see the task on the lesson page).
export function encode(packet: Packet): Frames {
  throw new Error(`TODO(encode): encode() is not written yet (asked for type ${packet.type})`);
}
// #endregion exercise-encode

// #region exercise-decode
// TODO(decode): write the Decoder: add() reads one frame and answers the packet
// it completes, undefined while attachments are awaited, or throws.
export class Decoder {
  add(frame: string | Uint8Array): Packet | undefined {
    void frame;
    throw new Error('TODO(decode): Decoder.add() is not written yet');
  }
}
// #endregion exercise-decode

/**
 * The packet that `frames` make, or an error when they make none or more
 * than one.
 *
 * @example
 * decode(['2["hi"]']); // { type: 2, nsp: '/', data: ['hi'] }
 */
export function decode(frames: readonly (string | Uint8Array)[]): Packet {
  const decoder = new Decoder();
  let packet: Packet | undefined;
  for (const frame of frames) {
    if (packet) throw new Error('frames left over after a whole packet');
    packet = decoder.add(frame);
  }
  if (!packet) throw new Error('the frames end before the packet does');
  return packet;
}
