// A Socket.IO client written by hand: a WebSocket from the ws package, the
// Engine.IO packets read and written here, the Socket.IO packets by codec.ts.
import WebSocket from 'ws';
import { Decoder, encode, type Packet, PacketType } from './codec.ts';

// #region handshake-type
/** The JSON of Engine.IO's open packet: the first frame the server sends. */
export interface Handshake {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}
// #endregion handshake-type

export interface RawOptions {
  /** The namespace to connect to: "/" or "/chat". */
  namespace?: string;
  /** The CONNECT packet's payload, which the server reads as socket.handshake.auth. */
  auth?: Record<string, unknown>;
  /** How long to wait for each answer, in ms. */
  timeoutMs?: number;
}

type Listener = (...args: unknown[]) => void;

/** Engine.IO's packet types: the first character of every text frame. */
const OPEN = '0';
const PING = '2';
const PONG = '3';
const MESSAGE = '4';

type Received = { data: WebSocket.RawData; isBinary: boolean };

/**
 * Every frame a WebSocket receives, kept from the moment it opens: several
 * frames can arrive in one TCP packet, and one read after another must not
 * lose those in between.
 */
export class Inbox {
  readonly #queue: Received[] = [];
  #wake?: () => void;
  #closed?: number;
  #handler?: (frame: Received) => void;

  constructor(ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (this.#handler) return this.#handler({ data, isBinary });
      this.#queue.push({ data, isBinary });
      this.#wake?.();
    });
    ws.on('close', (code) => {
      this.#closed = code;
      this.#wake?.();
    });
  }

  /**
   * The next text frame; rejects when the connection closes first, or after
   * `timeoutMs`, naming what was `awaited`.
   */
  async nextText(awaited: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.#queue.shift();
      if (frame && !frame.isBinary) return frame.data.toString();
      if (frame) continue;
      if (this.#closed !== undefined) {
        throw new Error(`the connection closed (${this.#closed}) before ${awaited}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${awaited} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Hand every frame still queued, and every frame to come, to `handler`. */
  drain(handler: (frame: Received) => void): void {
    this.#handler = handler;
    for (const frame of this.#queue.splice(0)) handler(frame);
  }
}

/**
 * One connection to one namespace, spoken by hand.
 *
 * @example
 * const raw = await RawClient.connect(url, { namespace: '/chat', auth: { name: 'ana' } });
 * const [reply] = await raw.emitWithAck('join', 'lobby');
 */
export class RawClient {
  /** The open packet's fields. */
  readonly handshake: Handshake;
  /** The Socket.IO id the CONNECT answer carried (not the Engine.IO sid). */
  readonly id: string;
  /** How many pings the server sent that this client answered. */
  pongs = 0;

  readonly #ws: WebSocket;
  readonly #nsp: string;
  readonly #timeoutMs: number;
  readonly #decoder = new Decoder();
  readonly #listeners = new Map<string, Listener[]>();
  readonly #acks = new Map<number, (args: unknown[]) => void>();
  #nextId = 0;

  private constructor(
    ws: WebSocket,
    inbox: Inbox,
    handshake: Handshake,
    id: string,
    options: RawOptions,
  ) {
    this.#ws = ws;
    this.handshake = handshake;
    this.id = id;
    this.#nsp = options.namespace ?? '/';
    this.#timeoutMs = options.timeoutMs ?? 1000;
    inbox.drain(({ data, isBinary }) => this.#onFrame(data, isBinary));
  }

  /**
   * Open a WebSocket to the Socket.IO server at `url` (http://host:port),
   * read the open packet, and connect to the namespace with the auth payload.
   * Rejects with the server's message when it refuses the namespace.
   */
  static async connect(url: string, options: RawOptions = {}): Promise<RawClient> {
    const { namespace = '/', auth, timeoutMs = 1000 } = options;
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    ws.on('error', () => {}); // a refused or dropped connection rejects through 'close'
    const inbox = new Inbox(ws);
    try {
      // #region exercise-open
      // Engine.IO speaks first: 0 and the session's settings, as JSON.
      const open = await inbox.nextText('the open packet', timeoutMs);
      if (!open.startsWith(OPEN)) throw new Error(`expected the open packet, got ${open}`);
      const handshake = JSON.parse(open.slice(1)) as Handshake;

      // Socket.IO's CONNECT, inside an Engine.IO message: 40/chat,{"name":"ana"}
      const [connect] = encode({ type: PacketType.CONNECT, nsp: namespace, data: auth });
      ws.send(MESSAGE + connect);

      const answer = await inbox.nextText(`the answer to ${MESSAGE + connect}`, timeoutMs);
      if (!answer.startsWith(MESSAGE)) throw new Error(`expected a message, got ${answer}`);
      const packet = new Decoder().add(answer.slice(1));
      const data = packet?.data as { sid?: string; message?: string } | undefined;
      if (packet?.type === PacketType.CONNECT_ERROR) {
        throw new Error(`refused: ${data?.message ?? String(packet.data)}`);
      }
      if (packet?.type !== PacketType.CONNECT || typeof data?.sid !== 'string') {
        throw new Error(`expected CONNECT with a sid, got ${answer}`);
      }
      return new RawClient(ws, inbox, handshake, data.sid, options);
      // #endregion exercise-open
    } catch (error) {
      ws.terminate();
      throw error;
    }
  }

  /** Every frame after the connection: Engine.IO first, then Socket.IO. */
  #onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    // On WebSocket an attachment is a binary frame as it is, with no "4" before it.
    if (isBinary) {
      this.#onPacketFrame(Buffer.from(data as Buffer));
      return;
    }
    const text = data.toString();
    // #region exercise-heartbeat
    // Since Engine.IO v4 the server pings and the client answers.
    if (text === PING) {
      this.#ws.send(PONG);
      this.pongs += 1;
      return;
    }
    // #endregion exercise-heartbeat
    if (text.startsWith(MESSAGE)) this.#onPacketFrame(text.slice(1));
  }

  #onPacketFrame(frame: string | Uint8Array): void {
    let packet: Packet | undefined;
    try {
      packet = this.#decoder.add(frame);
    } catch {
      this.close(); // what a Socket.IO client does with a malformed packet
      return;
    }
    if (packet && packet.nsp === this.#nsp) this.#onPacket(packet);
  }

  #onPacket(packet: Packet): void {
    const args = Array.isArray(packet.data) ? packet.data : [];
    // #region exercise-emit-ack
    // An ACK answers the EVENT that carried the same id.
    if (packet.type === PacketType.ACK && packet.id !== undefined) {
      this.#acks.get(packet.id)?.(args);
      this.#acks.delete(packet.id);
      return;
    }
    // #endregion exercise-emit-ack
    // #region exercise-receive
    // An EVENT's data is [name, ...args]: the listeners of that name get the args.
    if (packet.type === PacketType.EVENT) {
      const [event, ...rest] = args;
      for (const listener of this.#listeners.get(String(event)) ?? []) listener(...rest);
    }
    // #endregion exercise-receive
  }

  /** Call `listener` with the arguments of every `event` the server sends. */
  on(event: string, listener: Listener): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return this;
  }

  /** Send `event` with `args`, which may hold Uint8Arrays. */
  emit(event: string, ...args: unknown[]): void {
    this.#send({ type: PacketType.EVENT, nsp: this.#nsp, data: [event, ...args] });
  }

  /** Send `event` with `args` and an acknowledgement id; resolve with the ACK's arguments. */
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown[]> {
    // #region exercise-emit-ack
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#acks.delete(id);
        reject(new Error(`no ACK ${id} for "${event}" within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#acks.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.#send({ type: PacketType.EVENT, nsp: this.#nsp, data: [event, ...args], id });
    });
    // #endregion exercise-emit-ack
  }

  /** One packet: its text frame inside an Engine.IO message, then each attachment as is. */
  #send(packet: Packet): void {
    const [text, ...attachments] = encode(packet);
    this.#ws.send(MESSAGE + text);
    for (const attachment of attachments) this.#ws.send(attachment);
  }

  /** Leave the namespace (DISCONNECT), then close the WebSocket. */
  close(): void {
    if (this.#ws.readyState === WebSocket.OPEN) {
      this.#ws.send(MESSAGE + encode({ type: PacketType.DISCONNECT, nsp: this.#nsp })[0]);
      this.#ws.close();
    }
  }

  /** Resolve once the WebSocket has closed, with its close code. */
  closed(): Promise<number> {
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve(1006);
    return new Promise((resolve) => this.#ws.once('close', resolve));
  }
}
