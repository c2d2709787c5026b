// The worked example of lesson 8: the layer under your codec. Engine.IO
// packets read and written by hand, over long-polling (fetch) and then
// WebSocket (ws), every frame recorded and explained. `pnpm lesson 8` prints
// such a trace live, and the lesson page shows one captured at build time.
import WebSocket from 'ws';

// #region example-payload
/** Engine.IO v4's packet types, by the digit that starts each packet. */
export const ENGINE_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];

/** One Engine.IO packet: its type, and its data as text or bytes. */
export interface EnginePacket {
  type: string;
  data?: string | Buffer;
}

/** The body of a long-polling request: packets joined by \x1e, bytes as b + base64. */
export function encodePayload(packets: EnginePacket[]): string {
  return packets
    .map(({ type, data }) =>
      Buffer.isBuffer(data)
        ? `b${data.toString('base64')}`
        : `${ENGINE_TYPES.indexOf(type)}${data ?? ''}`,
    )
    .join('\x1e');
}

/** The packets of a long-polling body; throws on a type it does not know. */
export function decodePayload(body: string): EnginePacket[] {
  return body.split('\x1e').map((text) => {
    // A binary packet is always a message: it has no type digit of its own.
    if (text.startsWith('b')) {
      return { type: 'message', data: Buffer.from(text.slice(1), 'base64') };
    }
    const type = ENGINE_TYPES[Number(text.charAt(0))];
    if (type === undefined || text === '') throw new Error(`no Engine.IO packet: ${text}`);
    return text.length > 1 ? { type, data: text.slice(1) } : { type };
  });
}
// #endregion example-payload

// #region example-explain
const SOCKET_IO_TYPES = [
  'CONNECT',
  'DISCONNECT',
  'EVENT',
  'ACK',
  'CONNECT_ERROR',
  'BINARY_EVENT',
  'BINARY_ACK',
];

/** What one frame is, in words: "2  ping", "42/chat,…  message: EVENT". */
export function explain(frame: string | Buffer): string {
  if (Buffer.isBuffer(frame)) return `<${frame.length} bytes>  an attachment, as is`;
  const engine = ENGINE_TYPES[Number(frame.charAt(0))] ?? 'unknown';
  if (frame === '2probe' || frame === '3probe') return `${frame}  ${engine} probe: the upgrade`;
  if (engine !== 'message' || frame.length < 2) return `${frame}  ${engine}`;
  return `${frame}  message: ${SOCKET_IO_TYPES[Number(frame.charAt(1))] ?? 'not Socket.IO'}`;
}
// #endregion example-explain

/** One frame of a trace: who sent it, on which transport. */
export interface TracedFrame {
  from: 'client' | 'server';
  transport: 'polling' | 'websocket';
  frame: string | Buffer;
}

/**
 * Open a session over long-polling, connect to "/", then upgrade it to
 * WebSocket and send one event, recording every frame in `trace`.
 *
 * @example
 * const trace = await traceSession('http://localhost:3000');
 */
export async function traceSession(url: string, timeoutMs = 2000): Promise<TracedFrame[]> {
  const trace: TracedFrame[] = [];
  const path = `${url}/socket.io/?EIO=4&transport=polling`;
  const record = (from: TracedFrame['from'], transport: TracedFrame['transport']) => {
    return (frame: string | Buffer) => trace.push({ from, transport, frame });
  };
  const serverPolling = record('server', 'polling');
  const clientPolling = record('client', 'polling');

  // #region example-polling
  // GET without a sid opens the session: the answer is the open packet.
  const opened = decodePayload(await (await fetch(path)).text());
  const open = opened[0]?.data as string;
  serverPolling(`0${open}`);
  const { sid } = JSON.parse(open) as { sid: string };

  // Each later request names the session. A POST carries packets up...
  const send = async (packets: EnginePacket[]) => {
    const body = encodePayload(packets);
    for (const text of body.split('\x1e')) clientPolling(text);
    await fetch(`${path}&sid=${sid}`, { method: 'POST', body });
  };
  // ...and a GET waits for packets down.
  const receive = async () => {
    const body = await (await fetch(`${path}&sid=${sid}`)).text();
    for (const text of body.split('\x1e')) serverPolling(text);
    return decodePayload(body);
  };
  await send([{ type: 'message', data: '0' }]); // Socket.IO CONNECT to "/"
  await receive(); // 40{"sid":…}: connected
  // #endregion example-polling

  // #region example-upgrade
  // The upgrade: a WebSocket with the same sid, probed before it is used.
  const ws = new WebSocket(
    `${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket&sid=${sid}`,
  );
  const serverWs = record('server', 'websocket');
  const clientWs = record('client', 'websocket');
  const frames: string[] = [];
  let arrived = () => {};
  ws.on('message', (data) => {
    serverWs(data.toString());
    frames.push(data.toString());
    arrived();
  });
  const next = async () => {
    const deadline = Date.now() + timeoutMs;
    while (frames.length === 0) {
      if (Date.now() > deadline) throw new Error('no frame from the server in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        arrived = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return frames.shift() as string;
  };
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const pending = receive(); // the poll the server must end with a noop (6)
    clientWs('2probe');
    ws.send('2probe');
    await next(); // 3probe
    await pending;
    clientWs('5');
    ws.send('5'); // from here on, the session is on WebSocket
    clientWs('42["hello"]');
    ws.send('42["hello"]');
    return trace;
  } finally {
    ws.close();
  }
  // #endregion example-upgrade
}
