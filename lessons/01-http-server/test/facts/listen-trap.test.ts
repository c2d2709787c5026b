import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeAll, connect, connectError } from '@lessons/test-kit';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { startTrap } from '../../variants/app-listen-trap.ts';
import { startListenThenAttach } from '../../variants/listen-then-attach.ts';

const toClose: { close(): unknown }[] = [];
afterEach(async () => {
  await closeAll(); // the kit's clients
  await Promise.all(toClose.splice(0).map((server) => server.close()));
});

async function urlOf(server: Server): Promise<string> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('app.listen()', () => {
  it('creates a new http.Server on every call', async () => {
    const app = express();
    const first = app.listen(0);
    const second = app.listen(0);
    toClose.push(first, second);
    expect(first).not.toBe(second);
    expect(await urlOf(first)).not.toBe(await urlOf(second));
  });
});

describe('the trap: Socket.IO on http.createServer(app), then app.listen()', () => {
  it('leaves the server Socket.IO is attached to not listening', async () => {
    const { httpServer, io, server } = startTrap();
    toClose.push(io, server);
    await urlOf(server);
    expect(server).not.toBe(httpServer);
    expect(httpServer.listening).toBe(false);
    expect(io.httpServer).toBe(httpServer);
  });

  it('still serves Express routes from the listening server', async () => {
    const { io, server } = startTrap();
    toClose.push(io, server);
    const response = await fetch(`${await urlOf(server)}/health`);
    expect(response.status).toBe(200);
  });

  it('answers 404 on /socket.io/, because that server has no Socket.IO', async () => {
    const { io, server } = startTrap();
    toClose.push(io, server);
    const url = await urlOf(server);
    expect((await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).status).toBe(404);
    expect((await fetch(`${url}/socket.io/socket.io.min.js`)).status).toBe(404);
  });

  it('gives clients connect_error, over polling and over WebSocket', async () => {
    const { io, server } = startTrap();
    toClose.push(io, server);
    const url = await urlOf(server);
    expect((await connectError(url, { transport: 'polling' })).message).toBe('xhr poll error');
    expect((await connectError(url, { transport: 'websocket' })).message).toBe('websocket error');
  });
});

describe('also correct: const server = app.listen(port), then new Server(server)', () => {
  it('serves Express routes and Socket.IO from the one listening server', async () => {
    const { io, server } = startListenThenAttach();
    toClose.push(io);
    const url = await urlOf(server);
    expect(io.httpServer).toBe(server);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const socket = await connect(url);
    expect(socket.connected).toBe(true);
  });
});
