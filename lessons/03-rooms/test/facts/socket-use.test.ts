import { createServer } from 'node:http';
import { closeAll, connect, nextEvent, startLesson } from '@lessons/test-kit';
import express from 'express';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(closeAll);

/** A server whose one socket middleware refuses `refused` with next(new Error(…)). */
function refusingServer() {
  const app = express();
  const httpServer = createServer(app);
  const io = new Server(httpServer);
  io.on('connection', (socket) => {
    socket.use(([event], next) => next(event === 'refused' ? new Error('refused') : undefined));
    socket.on('refused', (ack: (reply: string) => void) => ack('handled'));
    socket.on('allowed', (ack: (reply: string) => void) => ack('handled'));
  });
  return { app, httpServer, io };
}

describe('socket.use: next(new Error())', () => {
  it('drops the message and emits "error" on the server’s socket; the client hears nothing', async () => {
    const lesson = await startLesson(refusingServer);
    const client = await connect(lesson, { transport: 'websocket' });
    const [serverSide] = lesson.io.of('/').sockets.values();
    if (!serverSide) throw new Error('no server-side socket');
    const error = nextEvent<[Error]>(serverSide, 'error');

    const answers: string[] = [];
    client.emit('refused', (reply: string) => answers.push(`refused: ${reply}`));
    // One connection's messages are handled in order: once "allowed" is
    // answered, "refused" was handled too, and its acknowledgement never sent.
    answers.push(`allowed: ${await client.timeout(1000).emitWithAck('allowed')}`);

    expect((await error)[0].message).toBe('refused');
    expect(answers).toEqual(['allowed: handled']);
  });
});
