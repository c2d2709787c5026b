import { createHash, randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** RFC 6455, section 1.3: the GUID every server appends to the key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The `Sec-WebSocket-Accept` a server must answer to `Sec-WebSocket-Key`. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
}

export interface Handshake {
  /** The request's lines, as sent: request line, then headers. */
  request: string[];
  /** The response's lines, as received: status line, then headers. */
  response: string[];
  key: string;
  accept: string;
  /** The text frames the server sent after the handshake, before we said anything. */
  unprompted: string[];
  /** What we sent next (`40`: Socket.IO's CONNECT to the main namespace) and the frames that came back. */
  prompted: { sent: string; received: string[] };
}

/** The path a Socket.IO v4 client asks for when it opens WebSocket directly. */
export const SOCKET_IO_WEBSOCKET_PATH = '/socket.io/?EIO=4&transport=websocket';

/**
 * Open a WebSocket to a listening server by hand, over a raw TCP socket, and
 * record the HTTP upgrade handshake and the first frames. `prompted` sends one
 * text frame and collects `expectFrames` replies.
 *
 * @example
 * const handshake = await captureHandshake(httpServer, { prompt: '40', expectFrames: 2 });
 */
export async function captureHandshake(
  server: HttpServer,
  { prompt = '40', expectFrames = 2 } = {},
): Promise<Handshake> {
  const { port } = server.address() as AddressInfo;
  const key = randomBytes(16).toString('base64');
  const request = [
    `GET ${SOCKET_IO_WEBSOCKET_PATH} HTTP/1.1`,
    // The server does not look at Host; this is what a browser on the lesson's page sends.
    'Host: localhost:3000',
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits',
  ];
  const socket = connect(port, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve).once('error', reject);
    });
    const reader = new FrameReader(socket);
    socket.write(`${request.join('\r\n')}\r\n\r\n`);
    const response = await reader.head();
    const unprompted = [await reader.text()];
    socket.write(maskedTextFrame(prompt));
    const received: string[] = [];
    for (let i = 0; i < expectFrames; i++) received.push(await reader.text());
    const accept = response.find((l) => /^sec-websocket-accept:/i.test(l))?.split(': ')[1] ?? '';
    return { request, response, key, accept, unprompted, prompted: { sent: prompt, received } };
  } finally {
    socket.destroy();
  }
}

/** A client's text frame: FIN, opcode 1, masked, as RFC 6455 requires of clients. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('maskedTextFrame() writes short frames only');
  const mask = randomBytes(4);
  const masked = payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/** Reads the HTTP response head, then unmasked server frames, from a raw socket. */
class FrameReader {
  private buffer = Buffer.alloc(0);
  private waiting?: () => void;
  private failure?: Error;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
    const fail = (error: Error) => {
      this.failure = error;
      this.waiting?.();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('The server closed the connection')));
  }

  private async until<T>(take: () => T | undefined, timeoutMs = 2000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('Timed out waiting for the server');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  head(): Promise<string[]> {
    return this.until(() => {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      this.buffer = this.buffer.subarray(end + 4);
      return lines;
    });
  }

  text(): Promise<string> {
    return this.until(() => {
      if (this.buffer.length < 2) return undefined;
      const [first = 0, second = 0] = this.buffer;
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return undefined;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        throw new Error('FrameReader reads frames under 64 KiB only');
      }
      if (this.buffer.length < offset + length) return undefined;
      const payload = this.buffer.subarray(offset, offset + length).toString('utf8');
      this.buffer = this.buffer.subarray(offset + length);
      if ((first & 0x0f) !== 1)
        throw new Error(`Expected a text frame, got opcode ${first & 0x0f}`);
      return payload;
    });
  }
}
