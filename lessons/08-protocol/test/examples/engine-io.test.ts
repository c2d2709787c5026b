import { closeAll, startLesson } from '@lessons/test-kit';
import { decodePayload as theirDecode, encodePayload as theirEncode } from 'engine.io-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, explain, traceSession } from '../../examples/engine-io.ts';
import { createApp } from '../../src/app.ts';

afterEach(closeAll);

describe('the Engine.IO example: long-polling payloads', () => {
  const packets = [
    { type: 'message', data: 'hello' },
    { type: 'ping' },
    { type: 'message', data: Buffer.from([1, 2, 3, 4]) },
  ];

  it('writes 4hello\\x1e2\\x1ebAQIDBA==, as engine.io-parser does', async () => {
    const theirs = await new Promise<string>((resolve) => theirEncode(packets as never, resolve));
    expect(encodePayload(packets)).toBe('4hello\x1e2\x1ebAQIDBA==');
    expect(encodePayload(packets)).toBe(theirs);
  });

  it('reads it back, as engine.io-parser does', () => {
    const body = '4hello\x1e2\x1ebAQIDBA==';
    expect(decodePayload(body)).toEqual(packets);
    expect(theirDecode(body, 'nodebuffer')).toEqual(packets);
    expect(() => decodePayload('9nine')).toThrow('no Engine.IO packet');
  });
});

describe('the Engine.IO example: explain', () => {
  it('names each layer of a frame', () => {
    expect(explain('2')).toBe('2  ping');
    expect(explain('2probe')).toBe('2probe  ping probe: the upgrade');
    expect(explain('42/chat,["said"]')).toBe('42/chat,["said"]  message: EVENT');
    expect(explain(Buffer.from([1, 2]))).toBe('<2 bytes>  an attachment, as is');
  });
});

describe('the Engine.IO example: a session traced from polling to WebSocket', () => {
  it('records the open packet, the CONNECT, the probe, the noop and the upgrade', async () => {
    const lesson = await startLesson(createApp);
    const trace = await traceSession(lesson.url);
    const lines = trace.map(({ from, transport, frame }) => `${from} ${transport} ${frame}`);
    expect(lines).toEqual([
      expect.stringMatching(/^server polling 0\{"sid":/),
      'client polling 40',
      expect.stringMatching(/^server polling 40\{"sid":/),
      'client websocket 2probe',
      'server websocket 3probe',
      'server polling 6',
      'client websocket 5',
      'client websocket 42["hello"]',
    ]);
  });
});
