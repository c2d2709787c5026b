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
/**
 * The frames of one packet. An EVENT or ACK whose data holds binary is sent
 * as BINARY_EVENT or BINARY_ACK: each Uint8Array (or ArrayBuffer) in the
 * data becomes a placeholder, and travels in a frame of its own.
 */
export function encode(packet: Packet): Frames {
  const attachments: Uint8Array[] = [];
  let { type, data } = packet;
  // Only an EVENT or an ACK carries attachments.
  if (type === PacketType.EVENT || type === PacketType.ACK) {
    data = cutOut(data, attachments);
    if (attachments.length > 0) {
      type = type === PacketType.EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK;
    }
  }

  let text = String(type);
  if (type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK) {
    text += `${attachments.length}-`;
  }
  // The main namespace "/" is left out; any other ends with a comma.
  if (packet.nsp && packet.nsp !== '/') text += `${packet.nsp},`;
  if (packet.id !== undefined && packet.id !== null) text += String(packet.id);
  if (data !== undefined) text += JSON.stringify(data);
  return [text, ...attachments];
}

/** A copy of `value` with every binary replaced by its placeholder. */
function cutOut(value: unknown, attachments: Uint8Array[]): unknown {
  if (isBinary(value)) {
    const placeholder: Placeholder = { _placeholder: true, num: attachments.length };
    attachments.push(value as Uint8Array);
    return placeholder;
  }
  if (Array.isArray(value)) return value.map((item) => cutOut(item, attachments));
  if (!isObject(value)) return value;
  // fromEntries, not copy[key] = …: a key "__proto__" stays a key.
  const entries = Object.entries(value);
  return Object.fromEntries(entries.map(([key, item]) => [key, cutOut(item, attachments)]));
}
// #endregion exercise-encode

// #region exercise-decode
/**
 * Reads the frames of one connection, one at a time: `add()` answers the
 * packet a frame completes, or undefined while a binary packet still waits
 * for attachments. Throws on anything that is not a valid packet.
 */
export class Decoder {
  #pending?: { packet: Packet; count: number; buffers: Uint8Array[] };

  add(frame: string | Uint8Array): Packet | undefined {
    if (typeof frame !== 'string') {
      if (!this.#pending) throw new Error('a binary frame without a binary packet before it');
      const pending = this.#pending;
      pending.buffers.push(frame);
      if (pending.buffers.length < pending.count) return undefined;
      this.#pending = undefined;
      pending.packet.data = putBack(pending.packet.data, pending.buffers);
      return pending.packet;
    }
    if (this.#pending) throw new Error('a text frame while attachments were awaited');
    return this.#text(frame);
  }

  #text(text: string): Packet | undefined {
    let type = Number(text.charAt(0)) as PacketType;
    if (!/^[0-6]/.test(text)) throw new Error(`unknown packet type "${text.charAt(0)}"`);
    let at = 1;

    let count = 0;
    if (type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK) {
      const dash = text.indexOf('-', at);
      const digits = dash < 0 ? '' : text.slice(at, dash);
      if (!/^\d+$/.test(digits)) throw new Error('a binary packet without its attachment count');
      count = Number(digits);
      if (count < 1) throw new Error('a binary packet with no attachment');
      if (count > MAX_ATTACHMENTS) throw new Error(`more than ${MAX_ATTACHMENTS} attachments`);
      at = dash + 1;
    }

    let nsp = '/';
    if (text.charAt(at) === '/') {
      const comma = text.indexOf(',', at);
      const end = comma < 0 ? text.length : comma;
      nsp = text.slice(at, end);
      at = comma < 0 ? end : end + 1;
    }

    const packet: Packet = { type, nsp };
    const id = /^\d+/.exec(text.slice(at))?.[0];
    if (id !== undefined) {
      packet.id = Number(id);
      at += id.length;
    }

    const json = text.slice(at);
    if (json !== '') {
      let data: unknown;
      try {
        data = JSON.parse(json);
      } catch {
        throw new Error(`a payload that is not JSON: ${json.slice(0, 40)}`);
      }
      if (!payloadFits(type, data)) throw new Error(`a payload a type ${type} cannot carry`);
      packet.data = data;
    }

    if (count === 0) return packet;
    // Read as EVENT or ACK once the attachments are back, as socket.io-parser does.
    type = type === PacketType.BINARY_EVENT ? PacketType.EVENT : PacketType.ACK;
    packet.type = type;
    this.#pending = { packet, count, buffers: [] };
    return undefined;
  }
}

/** `value` with each placeholder replaced by its attachment. */
function putBack(value: unknown, buffers: Uint8Array[]): unknown {
  if (Array.isArray(value)) return value.map((item) => putBack(item, buffers));
  if (!isObject(value)) return value;
  if (value._placeholder === true) {
    const { num } = value;
    if (typeof num !== 'number' || !(num >= 0 && num < buffers.length)) {
      throw new Error(`a placeholder for attachment ${String(num)}, which is not there`);
    }
    return buffers[num];
  }
  const entries = Object.entries(value);
  return Object.fromEntries(entries.map(([key, item]) => [key, putBack(item, buffers)]));
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
