import { createServer } from 'node:http';
import { closeAll, createClient, nextEvent, startLesson } from '@lessons/test-kit';
import express from 'express';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';

// The proofs behind what lesson 5's page says of maxHttpBufferSize, on a bare
// server: what Engine.IO and the official client do, not what lesson 5 adds.
afterEach(closeAll);

const CAP = 1000;

/** A server whose cap is CAP bytes; it answers each `note` with `noted`, so a poll has something to return. */
function cappedServer() {
  return startLesson(() => {
    const app = express();
    const httpServer = createServer(app);
    const io = new Server(httpServer, { maxHttpBufferSize: CAP });
    const notes: string[] = [];
    io.on('connection', (socket) => {
      socket.on('note', (note: string) => {
        notes.push(note);
        socket.emit('noted', note.length);
      });
    });
    return { app, httpServer, io, notes };
  });
}

/** An EVENT packet as the client writes it: `42["note","xxx…"]`. */
const note = (length: number, char = 'x') => `42${JSON.stringify(['note', char.repeat(length)])}`;

/** Open a long-polling session by hand and connect to the main namespace; resolves with its URL. */
async function handMadeSession(url: string) {
  const base = `${url}/socket.io/?EIO=4&transport=polling`;
  const open = JSON.parse((await (await fetch(base)).text()).slice(1));
  const session = `${base}&sid=${open.sid}`;
  expect(await (await fetch(session, { method: 'POST', body: '40' })).text()).toBe('ok');
  expect(await (await fetch(session)).text()).toMatch(/^40\{"sid":/); // connected
  return { session, maxPayload: open.maxPayload as number };
}

const post = (session: string, body: string) => fetch(session, { method: 'POST', body });

describe('maxHttpBufferSize over WebSocket', () => {
  it('closes the connection with code 1009 when one message is over the cap: "transport close" on the client', async () => {
    const server = await cappedServer();
    const serverSide = nextEvent<[ServerSocket]>(server.io, 'connection');
    const client = createClient(server, { transport: 'websocket' });
    const [[socket]] = await Promise.all([serverSide, nextEvent(client, 'connect')]);
    const onClient = nextEvent<[string, { context: { code: number } }]>(client, 'disconnect');
    const onServer = nextEvent<[string]>(socket, 'disconnect');
    client.emit('note', 'x'.repeat(CAP + 200));
    const [reason, details] = await onClient;
    expect(reason).toBe('transport close');
    expect(details.context.code).toBe(1009); // "Message Too Big", RFC 6455
    expect((await onServer)[0]).toBe('transport error');
  });
});

describe('maxHttpBufferSize over long-polling', () => {
  it('answers a POST over the cap with HTTP 413 and keeps the session: the same sid still sends and polls', async () => {
    const server = await cappedServer();
    const { session, maxPayload } = await handMadeSession(server.url);
    expect(maxPayload).toBe(CAP); // the open packet announces the cap
    const [socket] = [...server.io.of('/').sockets.values()];

    const tooBig = await post(session, note(CAP + 200));
    expect(tooBig.status).toBe(413);
    const after = await post(session, note(10));
    expect([after.status, await after.text()]).toEqual([200, 'ok']);
    expect(await (await fetch(session)).text()).toBe('42["noted",10]');
    expect(server.notes).toEqual(['x'.repeat(10)]);
    expect(socket?.connected).toBe(true);
  });

  it('counts the whole POST body: four packets of 313 bytes in one POST are over a 1,000-byte cap, in two POSTs they pass', async () => {
    const server = await cappedServer();
    const { session } = await handMadeSession(server.url);
    const packet = note(300);
    expect(packet.length).toBe(313);
    // Engine.IO separates the packets of one POST with the record separator, \x1e.
    const four = [packet, packet, packet, packet].join('\x1e');
    expect((await post(session, four)).status).toBe(413);
    expect(server.notes).toEqual([]); // none of the four was read

    const two = [packet, packet].join('\x1e');
    expect((await post(session, two)).status).toBe(200);
    expect((await post(session, two)).status).toBe(200);
    expect(server.notes).toHaveLength(4);
  });

  it('is the official client\'s end: on the 413 it reports "xhr post error", closes with reason "transport error", and the server sees it close', async () => {
    const server = await cappedServer();
    const serverSide = nextEvent<[ServerSocket]>(server.io, 'connection');
    const client = createClient(server, { transport: 'polling' });
    const [[socket]] = await Promise.all([serverSide, nextEvent(client, 'connect')]);
    const onClient = nextEvent<[string, Error & { description: unknown }]>(client, 'disconnect');
    const onServer = nextEvent<[string]>(socket, 'disconnect');
    client.emit('note', 'x'.repeat(CAP + 200));
    const [reason, error] = await onClient;
    expect(reason).toBe('transport error');
    expect(error.message).toBe('xhr post error');
    expect(error.description).toBe(413); // the HTTP status
    // The client's close packet: the server did not close the session itself.
    expect((await onServer)[0]).toBe('transport close');
  });

  it('does not trouble the official client with small packets: it spreads them over POSTs that each fit under the cap', async () => {
    const server = await cappedServer();
    const client = createClient(server, { transport: 'polling' });
    await nextEvent(client, 'connect');
    const posts: number[] = [];
    server.httpServer.prependListener('request', (request) => {
      if (request.method === 'POST') posts.push(Number(request.headers['content-length']));
    });
    for (let i = 0; i < 6; i++) client.emit('note', 'x'.repeat(300)); // 1,878 bytes in all
    await expect.poll(() => server.notes).toHaveLength(6);
    expect(client.connected).toBe(true);
    expect(posts.length).toBeGreaterThanOrEqual(2);
    for (const length of posts) expect(length).toBeLessThanOrEqual(CAP);
  });
});
