// What many tutorials rely on, and why this lesson checks the Origin itself.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from '@lessons/test-kit';
import { Server } from 'socket.io';
import { describe, expect, it, type TestContext } from 'vitest';
import { ownedBy } from './helpers.ts';

/** A Socket.IO server configured with CORS for one origin, and no other origin check. */
async function startWithCors({ onTestFinished }: TestContext): Promise<string> {
  const httpServer = createServer();
  const io = new Server(httpServer, {
    cors: { origin: ['http://localhost:3000'], credentials: true },
  });
  onTestFinished(() => io.close());
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
}

describe.concurrent("Socket.IO's cors option is not an origin check", () => {
  it('lets a WebSocket handshake from an origin it does not list connect', async (context) => {
    const url = await startWithCors(context);
    const socket = await connect(url, {
      transport: 'websocket',
      extraHeaders: { origin: 'https://evil.example' },
    });
    context.onTestFinished(() => {
      socket.close();
    });
    expect(socket.connected).toBe(true);
  });

  it('answers a polling handshake from that origin too, only without the header that lets a page read it', async (context) => {
    const url = await startWithCors(context);
    const response = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.text()).toMatch(/^0\{"sid"/); // the server opened a connection
  });
});

describe.concurrent('allowRequest with an Origin allowlist', () => {
  it('answers a polling handshake from another origin with 403 and opens nothing', async (context) => {
    const { start } = ownedBy(context);
    const lesson = await start();
    const response = await fetch(`${lesson.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ code: 4, message: 'origin not allowed' });
    expect(lesson.io.engine.clientsCount).toBe(0);
  });
});
