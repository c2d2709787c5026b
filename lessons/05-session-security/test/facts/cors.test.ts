// A fact about Socket.IO, proved with a server of its own: the cors option
// decides which CORS headers go out; it refuses no handshake.
import { createServer } from 'node:http';
import { type Kit, kitFor } from '@lessons/test-kit';
import express from 'express';
import { Server } from 'socket.io';
import { describe, expect, it } from 'vitest';

/** A bare Socket.IO server with the cors option, on `kit`; resolves with its URL. */
async function startWithCors(kit: Kit): Promise<string> {
  const lesson = await kit.startLesson(() => {
    const app = express();
    const httpServer = createServer(app);
    const io = new Server(httpServer, {
      cors: { origin: ['http://localhost:3000'], credentials: true },
    });
    return { app, httpServer, io };
  });
  return lesson.url;
}

describe.concurrent("Socket.IO's cors option is not an origin check", () => {
  it('lets a WebSocket handshake from an origin it does not list connect', async (context) => {
    const kit = kitFor(context);
    const url = await startWithCors(kit);
    const socket = await kit.connect(url, {
      transport: 'websocket',
      extraHeaders: { origin: 'https://evil.example' },
    });
    expect(socket.connected).toBe(true);
  });

  it('answers a polling handshake from that origin too, only without the header that lets a page read it', async (context) => {
    const url = await startWithCors(kitFor(context));
    const response = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.text()).toMatch(/^0\{"sid"/); // the server opened a connection
  });
});
