import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoder, decode, encode, type Packet } from '#target/codec.ts';
import { malformed, oracleDecode, oracleEncode, packet } from './arbitraries.ts';

const bytes = (...values: number[]) => Buffer.from(values);

/** A packet or frames as a failure message shows them: JSON, bytes as <01 02>. */
function show(value: unknown): string {
  return JSON.stringify(value, (_, item) =>
    item?.type === 'Buffer' && Array.isArray(item.data)
      ? `<${item.data.map((b: number) => b.toString(16).padStart(2, '0')).join(' ')}>`
      : item,
  );
}

/** The examples of the Socket.IO protocol's "Packet encoding" section, and a CONNECT with auth. */
const EXAMPLES: [string, Packet, (string | Buffer)[]][] = [
  ['CONNECT to the main namespace', { type: 0, nsp: '/' }, ['0']],
  [
    'CONNECT to /chat with an auth payload',
    { type: 0, nsp: '/chat', data: { name: 'ana' } },
    ['0/chat,{"name":"ana"}'],
  ],
  [
    'the server’s CONNECT to /admin, with the socket id',
    { type: 0, nsp: '/admin', data: { sid: 'oSO0OpakMV_3jnilAAAA' } },
    ['0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}'],
  ],
  [
    'CONNECT_ERROR',
    { type: 4, nsp: '/', data: { message: 'Not authorized' } },
    ['4{"message":"Not authorized"}'],
  ],
  ['EVENT', { type: 2, nsp: '/', data: ['foo'] }, ['2["foo"]']],
  ['EVENT to /admin', { type: 2, nsp: '/admin', data: ['bar'] }, ['2/admin,["bar"]']],
  ['EVENT with ack id 12', { type: 2, nsp: '/', data: ['foo'], id: 12 }, ['212["foo"]']],
  ['ACK 13 on /admin', { type: 3, nsp: '/admin', data: ['bar'], id: 13 }, ['3/admin,13["bar"]']],
  [
    'EVENT with bytes: BINARY_EVENT, one attachment',
    { type: 2, nsp: '/', data: ['baz', bytes(1, 2, 3, 4)] },
    ['51-["baz",{"_placeholder":true,"num":0}]', bytes(1, 2, 3, 4)],
  ],
  [
    'EVENT to /admin with two attachments',
    { type: 2, nsp: '/admin', data: ['baz', bytes(1, 2), bytes(3, 4)] },
    [
      '52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
      bytes(1, 2),
      bytes(3, 4),
    ],
  ],
  [
    'ACK 15 with bytes: BINARY_ACK',
    { type: 3, nsp: '/', data: ['bar', bytes(1, 2, 3, 4)], id: 15 },
    ['61-15["bar",{"_placeholder":true,"num":0}]', bytes(1, 2, 3, 4)],
  ],
  ['DISCONNECT', { type: 1, nsp: '/' }, ['1']],
  ['DISCONNECT from /admin', { type: 1, nsp: '/admin' }, ['1/admin,']],
];

describe('encode', () => {
  it.each(EXAMPLES)('writes %s as the protocol shows it', (_, input, frames) => {
    const written = encode(input);
    expect(written, `encode(${show(input)}) wrote ${show(written)}`).toEqual(frames);
  });

  it('writes what socket.io-parser writes, for 1,000 random packets', () => {
    fc.assert(
      fc.property(packet, (input) => {
        const expected = oracleEncode(input);
        const written = encode(input);
        expect(written, `encode(${show(input)}): socket.io-parser wrote ${show(expected)}`).toEqual(
          expected,
        );
      }),
      { numRuns: 1000 },
    );
  });
});

describe('decode', () => {
  it.each(EXAMPLES)('reads %s back into its packet', (_, input, frames) => {
    const read = decode(frames);
    // A BINARY_EVENT reads back as the EVENT it was written from, as in socket.io-parser.
    expect(read, `decode(${show(frames)}) read ${show(read)}`).toEqual(input);
  });

  it('answers undefined until the last attachment of a binary packet arrives', () => {
    const decoder = new Decoder();
    const header = '52-/chat,7["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]';
    expect(decoder.add(header), `add(${show(header)}): one frame of three`).toBeUndefined();
    expect(decoder.add(bytes(1)), 'add(<01>): two frames of three').toBeUndefined();
    const read = decoder.add(bytes(2));
    expect(read, 'add(<02>): the last frame completes the packet').toEqual({
      type: 2,
      nsp: '/chat',
      id: 7,
      data: ['file', bytes(1), bytes(2)],
    });
    expect(decoder.add('2["next"]'), 'the same decoder, reading the next packet').toEqual({
      type: 2,
      nsp: '/',
      data: ['next'],
    });
  });

  it('reads back what socket.io-parser and your encode write, for 1,000 random packets', () => {
    fc.assert(
      fc.property(packet, (input) => {
        const theirs = oracleEncode(input) as (string | Uint8Array)[];
        expect(decode(theirs), `decode(${show(theirs)}), written by socket.io-parser`).toEqual(
          input,
        );
        expect(oracleDecode(theirs), 'socket.io-parser reads its own frames').toEqual(input);
        const yours = encode(input);
        expect(decode(yours), `decode(${show(yours)}), written by your encode`).toEqual(input);
      }),
      { numRuns: 1000 },
    );
  });

  it('throws an Error on what socket.io-parser refuses, and still reads a valid packet', () => {
    fc.assert(
      fc.property(malformed, packet, ({ why, frames }, valid) => {
        expect(() => oracleDecode(frames), `socket.io-parser refuses ${why}`).toThrow();
        let thrown: unknown;
        try {
          decode(frames);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, `decode(${show(frames)}): ${why}, which must throw`).toBeInstanceOf(Error);
        // A decoder that refuses everything is no decoder.
        const theirs = oracleEncode(valid) as (string | Uint8Array)[];
        expect(decode(theirs), `decode(${show(theirs)}), a valid packet`).toEqual(valid);
      }),
      { numRuns: 1000 },
    );
  });
});
