// fast-check generators: Socket.IO packets that socket.io-parser accepts, and
// input that it refuses. socket.io-parser (the parser inside Socket.IO 4.8)
// is the oracle the learner's codec is held to.
import fc from 'fast-check';
import { Decoder as OracleDecoder, Encoder as OracleEncoder } from 'socket.io-parser';
import type { Packet } from '#target/codec.ts';

/** socket.io-parser refuses a packet with more attachments than this. */
const MAX_ATTACHMENTS = 10;
const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting'];
const RESERVED_ALL = [...RESERVED, 'newListener', 'removeListener'];

/**
 * A key of a JSON object. Not "__proto__": socket.io-parser copies a binary
 * packet's objects with `copy[key] = …`, which turns that key into the
 * copy's prototype, and the key is gone from what it sends.
 */
const key = fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__');

/** What JSON carries exactly: no -0 (JSON writes 0), no NaN, no Infinity. */
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.string({ maxLength: 12 }),
);

const bytes = fc.uint8Array({ maxLength: 12 }).map((array) => Buffer.from(array));

/** A JSON value, with Buffers among the leaves when `binary`. */
function value(binary: boolean): fc.Arbitrary<unknown> {
  const leaf = binary ? fc.oneof({ weight: 3, arbitrary: scalar }, bytes) : scalar;
  return fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    ),
  })).node;
}

const object = fc.dictionary(key, value(false), { maxKeys: 4 });

/** "/" or "/" and a name without a comma, which would end it early. */
export const namespace = fc.oneof(
  fc.constant('/'),
  fc.string({ minLength: 1, maxLength: 8 }).map((name) => `/${name.replaceAll(',', '')}`),
);

/** An event name socket.io-parser lets through: not reserved (a number will do too). */
const eventName = fc.oneof(
  fc.string({ maxLength: 10 }).filter((name) => !RESERVED_ALL.includes(name)),
  fc.constantFrom('chat', 'say', 'join', 'file'),
  fc.nat(),
);

const ackId = fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { nil: undefined });

const countBuffers = (data: unknown): number => {
  if (Buffer.isBuffer(data)) return 1;
  if (Array.isArray(data)) return data.reduce((sum: number, item) => sum + countBuffers(item), 0);
  if (data && typeof data === 'object') {
    return Object.values(data).reduce((sum: number, item) => sum + countBuffers(item), 0);
  }
  return 0;
};

const withId = (packet: Packet, id: number | undefined): Packet =>
  id === undefined ? packet : { ...packet, id };

/** Any packet socket.io-parser encodes and decodes back to itself. */
export const packet: fc.Arbitrary<Packet> = fc
  .oneof(
    fc
      .record({ nsp: namespace, data: fc.option(object, { nil: undefined }) })
      .map(
        ({ nsp, data }): Packet => (data === undefined ? { type: 0, nsp } : { type: 0, nsp, data }),
      ),
    namespace.map((nsp): Packet => ({ type: 1, nsp })),
    fc
      .record({
        nsp: namespace,
        name: eventName,
        args: fc.array(value(true), { maxLength: 4 }),
        id: ackId,
      })
      .map(({ nsp, name, args, id }) => withId({ type: 2, nsp, data: [name, ...args] }, id)),
    fc
      .record({ nsp: namespace, args: fc.array(value(true), { maxLength: 4 }), id: fc.nat() })
      .map(({ nsp, args, id }): Packet => ({ type: 3, nsp, data: args, id })),
    fc
      .record({ nsp: namespace, data: fc.oneof(fc.string(), object) })
      .map(({ nsp, data }): Packet => ({ type: 4, nsp, data })),
  )
  .filter((p) => countBuffers(p.data) <= MAX_ATTACHMENTS);

/** socket.io-parser's frames for `packet`. */
export function oracleEncode(packet: Packet): unknown[] {
  return new OracleEncoder().encode(packet as never);
}

/**
 * What socket.io-parser decodes `frames` to: the packet, undefined while it
 * waits for more, or the error it throws.
 */
export function oracleDecode(frames: readonly (string | Uint8Array)[]): Packet | undefined {
  const decoder = new OracleDecoder();
  let decoded: Packet | undefined;
  decoder.on('decoded', (packet: Packet) => {
    decoded = packet;
  });
  try {
    for (const frame of frames) decoder.add(frame);
  } finally {
    decoder.destroy();
  }
  return decoded;
}

// No number that is not negative: after the type, socket.io-parser reads
// digits as an acknowledgement id, and 0123 is a CONNECT with id 123.
const text = fc.string({ maxLength: 8 });
const notArray = fc
  .oneof(fc.constant(null), fc.boolean(), text, object)
  .map((v) => JSON.stringify(v));
const anyPayload = fc
  .oneof(fc.constant(null), fc.boolean(), text, object, fc.array(scalar), fc.integer({ max: -1 }))
  .map((v) => JSON.stringify(v));

const TWO_PLACEHOLDERS = JSON.stringify([
  'x',
  { _placeholder: true, num: 0 },
  { _placeholder: true, num: 1 },
]);

/** Text frames and frame sequences that socket.io-parser refuses, each with why. */
export const malformed: fc.Arbitrary<{ why: string; frames: (string | Uint8Array)[] }> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...'789abz-[{"'), fc.string({ maxLength: 12 }))
    .map(([type, rest]) => ({ why: 'an unknown packet type', frames: [type + rest] })),
  fc.tuple(fc.constantFrom('2', '3', '5', '6'), notArray).map(([type, rest]) => ({
    why: 'an EVENT or ACK whose payload is not an array',
    frames: [type === '5' || type === '6' ? `${type}1-${rest}` : type + rest, Buffer.from([1])],
  })),
  fc.constantFrom(...RESERVED, '').map((name) => ({
    why: 'an EVENT with a reserved name, or none',
    frames: [name === '' ? '2[]' : `2${JSON.stringify([name, 1])}`],
  })),
  fc.oneof(fc.constant(null), fc.boolean(), fc.array(scalar), fc.object()).map((first) => ({
    why: 'an EVENT whose name is not a string or a number',
    frames: [`2${JSON.stringify([first])}`],
  })),
  fc
    .oneof(fc.constant(null), fc.boolean(), text, fc.array(scalar), fc.integer({ max: -1 }))
    .map((data) => ({
      why: 'a CONNECT whose payload is not an object',
      frames: [`0${JSON.stringify(data)}`],
    })),
  anyPayload.map((data) => ({ why: 'a DISCONNECT with a payload', frames: [`1${data}`] })),
  fc
    .oneof(fc.constant(null), fc.boolean(), fc.integer({ max: -1 }), fc.array(scalar))
    .map((data) => ({
      why: 'a CONNECT_ERROR that is neither an object nor a string',
      frames: [`4${JSON.stringify(data)}`],
    })),
  fc
    .tuple(fc.constantFrom('0', '2', '3', '4', '2/chat,', '21'), fc.string({ maxLength: 10 }))
    .map(([head, rest]) => ({
      // No JSON text ends with a comma.
      why: 'a payload that is not JSON',
      frames: [`${head}{${rest},`],
    })),
  fc
    .tuple(
      fc.constantFrom('5', '6'),
      fc.oneof(
        fc.constantFrom('', '0', 'x', '-1', '1.5'),
        fc.integer({ min: MAX_ATTACHMENTS + 1 }).map(String),
        fc.constant('9'.repeat(400)),
      ),
    )
    .map(([type, count]) => ({
      why: 'a binary packet with no, too many or no readable attachments',
      frames: [`${type}${count}-["x"]`],
    })),
  fc.constantFrom('5', '6', '51', '5["x"]').map((text) => ({
    why: 'a binary packet without the - after its count',
    frames: [text],
  })),
  bytes.map((buffer) => ({
    why: 'a binary frame with no binary packet before it',
    frames: [buffer],
  })),
  fc.constantFrom('2["x"]', '0', '51-["x",1]').map((text) => ({
    why: 'a text frame while the attachments of a binary packet are awaited',
    frames: [`52-${TWO_PLACEHOLDERS}`, Buffer.from([1]), text],
  })),
  fc.oneof(fc.integer({ min: 1 }), fc.constantFrom(-1, '0', null)).map((num) => ({
    why: 'a placeholder for an attachment that is not there',
    frames: [`51-${JSON.stringify(['x', { _placeholder: true, num }])}`, Buffer.from([1])],
  })),
);
