import { createServer } from 'node:http';
import { createApp } from '@lessons/01-http-server/app';
import { closeAll, nextEvent, noEvent, startLesson } from '@lessons/test-kit';
import express from 'express';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { acceptFor, captureHandshake, SOCKET_IO_WEBSOCKET_PATH } from '../.vitepress/handshake.ts';

// The proofs behind "WebSocket and Socket.IO, before you start".
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await closeAll();
});

function plainWebSocket(url: string): WebSocket {
  const ws = new WebSocket(url);
  sockets.push(ws);
  return ws;
}

const wsUrl = (lesson: { url: string }, path: string) =>
  `${lesson.url.replace(/^http/, 'ws')}${path}`;

describe('Sec-WebSocket-Accept', () => {
  it("is base64(SHA-1(key + the RFC's GUID)): the example of RFC 6455, section 1.3", () => {
    expect(acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
});

describe('the upgrade handshake with lesson 1', () => {
  it('answers 101 Switching Protocols with the Sec-WebSocket-Accept computed from our key', async () => {
    const lesson = await startLesson(createApp);
    const handshake = await captureHandshake(lesson.httpServer);
    expect(handshake.response[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(handshake.response).toContain('Upgrade: websocket');
    expect(handshake.response).toContain('Connection: Upgrade');
    expect(handshake.accept).toBe(acceptFor(handshake.key));
  });

  it('declines permessage-deflate: Socket.IO v4 leaves compression of WebSocket frames off', async () => {
    const lesson = await startLesson(createApp);
    const handshake = await captureHandshake(lesson.httpServer);
    expect(handshake.request.some((l) => l.startsWith('Sec-WebSocket-Extensions:'))).toBe(true);
    expect(handshake.response.some((l) => /^sec-websocket-extensions:/i.test(l))).toBe(false);
  });
});

describe('a plain WebSocket client against a Socket.IO server', () => {
  it("receives Engine.IO's open packet, then nothing: no connection, no welcome", async () => {
    const lesson = await startLesson(createApp);
    const ws = plainWebSocket(wsUrl(lesson, SOCKET_IO_WEBSOCKET_PATH));
    const [open] = await nextEvent<[Buffer]>(ws, 'message');
    expect(String(open)).toMatch(/^0\{"sid":"[\w-]+","upgrades":\[\],"pingInterval":25000,/);
    await noEvent(ws, 'message', 200);
    expect(lesson.io.sockets.sockets.size).toBe(0);
  });

  it('sees the welcome event as the text 42["welcome",…] once it sends Socket.IO\'s CONNECT packet, 40', async () => {
    const lesson = await startLesson(createApp);
    const handshake = await captureHandshake(lesson.httpServer, { prompt: '40', expectFrames: 2 });
    const [connected, welcome] = handshake.prompted.received;
    const sid = JSON.parse(connected?.slice(2) ?? '{}').sid;
    expect(connected).toMatch(/^40\{"sid":"[\w-]+"\}$/);
    expect(welcome).toBe(`42["welcome",{"id":"${sid}"}]`);
    // Engine.IO's session id (in the open packet) is not the socket.id.
    expect(handshake.unprompted[0]).not.toContain(sid);
  });

  it('is disconnected when it sends text that is not an Engine.IO packet', async () => {
    const lesson = await startLesson(createApp);
    const ws = plainWebSocket(wsUrl(lesson, SOCKET_IO_WEBSOCKET_PATH));
    await nextEvent(ws, 'message');
    const closed = nextEvent<[number]>(ws, 'close');
    ws.send('hello');
    const [code] = await closed;
    expect(code).toBe(1005); // closed without a status code
  });

  it('gets no WebSocket at all on a path other than /socket.io/: "socket hang up", after about a second', async () => {
    const lesson = await startLesson(createApp);
    const started = performance.now();
    const ws = plainWebSocket(wsUrl(lesson, '/'));
    const [error] = await nextEvent<[Error]>(ws, 'error', 3000);
    expect(error.message).toBe('socket hang up');
    // Engine.IO ends an upgrade request it does not own after destroyUpgradeTimeout: 1,000 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('hangs up after destroyUpgradeTimeout: sooner when the server sets it shorter', async () => {
    const lesson = await startLesson(() => {
      const httpServer = createServer();
      const io = new Server(httpServer, { destroyUpgradeTimeout: 200 });
      return { app: express(), httpServer, io };
    });
    const started = performance.now();
    const ws = plainWebSocket(wsUrl(lesson, '/'));
    const [error] = await nextEvent<[Error]>(ws, 'error', 3000);
    expect(error.message).toBe('socket hang up');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(900);
  });
});
