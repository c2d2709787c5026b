// A seeded fault run: 3 clients send chat messages to one room while the
// connections of seeded clients are cut at seeded message indices. Time moves
// by events: each step waits for the answers and deliveries it depends on, so
// a seed gives the same run, and the same losses, every time.
// Messages between two cuts or returns are sent side by side; the run waits for
// every answer before it cuts a connection or brings one back.
import { DEFAULT_TIMEOUT_MS, nextEvent, type Transport } from '@lessons/test-kit';
import type { Server, Socket as ServerSocket } from 'socket.io';
import type { Socket } from 'socket.io-client';

/** mulberry32: a tiny seeded PRNG, enough to pick senders and cuts; returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The three clients, one per way of connecting, and the share of the messages
 * each sends. With retries a client sends one message at a time and waits for
 * its answer, which over long-polling takes HTTP requests of its own: ben sends
 * one message in ten, and receives them all, so the run stays under 3 s.
 */
export const PEERS = [
  { name: 'ana', transport: 'websocket', share: 0.45 },
  { name: 'ben', transport: 'polling', share: 0.1 },
  { name: 'cat', transport: undefined, share: 0.45 }, // long-polling, then the upgrade
] as const satisfies readonly {
  name: string;
  transport: Transport | undefined;
  share: number;
}[];
export type PeerName = (typeof PEERS)[number]['name'];

/**
 * A cut: `before` closes the peer's connection before message `index` is
 * sent; `after-send` right after the peer itself sent it, so that the server
 * receives the message and its answer is lost (WebSocket peers only: over
 * long-polling the answer may come back on the other HTTP request first).
 */
export interface Cut {
  peer: PeerName;
  kind: 'before' | 'after-send';
  /** The index of the message before which the peer reconnects (`count` for the end). */
  back: number;
}

export interface Step {
  index: number;
  sender: PeerName;
  cut?: Cut;
  /** Peers that reconnect before this message is sent. */
  returning: PeerName[];
}

/** The sender of a message, for a number in [0, 1), by each peer's share. */
function pick(at: number): PeerName {
  let sum = 0;
  for (const { name, share } of PEERS) {
    sum += share;
    if (at < sum) return name;
  }
  return 'cat';
}

/** The plan for a seed: who sends each message, who is cut when, and for how long. */
export function plan(seed: number, count: number, cutRate = 0.03): Step[] {
  const random = mulberry32(seed);
  const backAt = new Map<PeerName, number>();
  const steps: Step[] = [];
  for (let index = 0; index < count; index++) {
    const returning = [...backAt].filter(([, back]) => back === index).map(([peer]) => peer);
    for (const peer of returning) backAt.delete(peer);
    let sender = pick(random());
    let cut: Cut | undefined;
    if (random() < cutRate) {
      const online = PEERS.filter(({ name }) => !backAt.has(name));
      const target = online[Math.floor(random() * online.length)];
      const afterSend = random() < 0.5 && target?.transport === 'websocket';
      const back = Math.min(count, index + 2 + Math.floor(random() * 20));
      if (target) {
        cut = { peer: target.name, kind: afterSend ? 'after-send' : 'before', back };
        if (afterSend) sender = target.name;
        backAt.set(target.name, back);
      }
    }
    steps.push({ index, sender, returning, ...(cut ? { cut } : {}) });
  }
  return steps;
}

/** The id a sender gives its n-th message (n from 0): the same on every retry. */
export const messageId = (sender: PeerName, n: number) => `${sender}-${n}`;

/** One client of the run, connected and in the room. */
export interface Peer {
  name: PeerName;
  socket: Socket;
  /** Send the sender's n-th message; resolves with the answer, rejects when none comes. */
  send(n: number): Promise<unknown>;
}

/** What each peer received: the ids of its chat messages, in order, duplicates included. */
export type Received = Record<PeerName, string[]>;

/**
 * Run the plan against `io` and the connected `peers`, and resolve with what
 * each one received. Each peer must answer 'fence' (see fenced()); the run reconnects
 * every peer by itself (`socket.connect()`), never on a timer.
 */
export async function runFaults(
  io: Server,
  peers: Record<PeerName, Peer>,
  steps: Step[],
  idOf: (message: unknown) => string,
): Promise<Received> {
  const received = {} as Received;
  const pending = {} as Record<PeerName, Promise<unknown>[]>;
  const sent = {} as Record<PeerName, number>;
  for (const peer of Object.values(peers)) {
    received[peer.name] = [];
    pending[peer.name] = [];
    sent[peer.name] = 0;
    peer.socket.on('chat', (message: unknown) => received[peer.name].push(idOf(message)));
  }
  const offline = new Set<PeerName>();

  const serverSocket = (peer: Peer): ServerSocket => {
    const socket = io.of('/').sockets.get(peer.socket.id ?? '');
    if (!socket) throw new Error(`${peer.name} has no socket on the server`);
    return socket;
  };
  /** Everything the server sent the peer before now has arrived: one connection keeps order. */
  const fence = (peer: Peer) => serverSocket(peer).timeout(DEFAULT_TIMEOUT_MS).emitWithAck('fence');
  const cut = async (peer: Peer, action: () => void = () => {}) => {
    const gone = Promise.all([
      nextEvent(serverSocket(peer), 'disconnect'),
      nextEvent(peer.socket, 'disconnect'),
    ]);
    action();
    peer.socket.io.engine.close();
    await gone;
    offline.add(peer.name);
  };
  const reconnect = async (peer: Peer) => {
    const back = nextEvent(peer.socket, 'connect', DEFAULT_TIMEOUT_MS);
    peer.socket.connect();
    await back;
    offline.delete(peer.name);
    // What it sent while away goes out now: wait for every answer.
    await Promise.allSettled(pending[peer.name].splice(0));
  };
  const send = (peer: Peer) => {
    const outcome = peer.send(sent[peer.name]++);
    outcome.catch(() => {}); // a lost answer is part of the run; the received lists tell
    return outcome;
  };

  // Messages between two cuts or returns go out side by side: nobody comes or
  // goes meanwhile, so the order the server handles them in changes nothing.
  const inFlight: Promise<unknown>[] = [];
  for (const step of steps) {
    if (step.returning.length > 0 || step.cut) await Promise.allSettled(inFlight.splice(0));
    for (const name of step.returning) await reconnect(peers[name]);
    const sender = peers[step.sender];
    const target = step.cut && peers[step.cut.peer];
    if (target) await fence(target);
    if (step.cut?.kind === 'after-send') {
      // Sent, then cut before the answer can come back.
      let outcome: Promise<unknown> = Promise.resolve();
      await cut(sender, () => {
        outcome = send(sender);
      });
      pending[sender.name].push(outcome);
      continue;
    }
    if (target) await cut(target);
    const outcome = send(sender);
    if (offline.has(sender.name)) pending[sender.name].push(outcome);
    else inFlight.push(outcome);
  }
  await Promise.allSettled(inFlight);
  for (const name of offline) await reconnect(peers[name]);
  await Promise.all(Object.values(peers).map(fence));
  return received;
}

/**
 * What each peer receives with Socket.IO's defaults (at most once, no
 * recovery, no history): every message the server handles while the peer is
 * connected, except its own message whose connection was cut right after it
 * was sent. A message sent while its sender is away waits in the client's
 * sendBuffer and is handled when the sender reconnects.
 */
export function atMostOnce(steps: Step[]): Received {
  const received = Object.fromEntries(PEERS.map(({ name }) => [name, []])) as unknown as Received;
  const waiting = Object.fromEntries(PEERS.map(({ name }) => [name, []])) as unknown as Record<
    PeerName,
    string[]
  >;
  const sent = Object.fromEntries(PEERS.map(({ name }) => [name, 0])) as Record<PeerName, number>;
  const offline = new Set<PeerName>();
  const deliver = (id: string, except?: PeerName) => {
    for (const { name } of PEERS)
      if (!offline.has(name) && name !== except) received[name].push(id);
  };
  const back = (name: PeerName) => {
    offline.delete(name);
    for (const id of waiting[name].splice(0)) deliver(id);
  };
  for (const step of steps) {
    for (const name of step.returning) back(name);
    const id = messageId(step.sender, sent[step.sender]++);
    if (step.cut?.kind === 'after-send') {
      deliver(id, step.sender);
      offline.add(step.sender);
      continue;
    }
    if (step.cut) offline.add(step.cut.peer);
    if (offline.has(step.sender)) waiting[step.sender].push(id);
    else deliver(id);
  }
  for (const name of [...offline]) back(name);
  return received;
}

/** Every id the run sent, in each sender's order. */
export function allIds(steps: Step[]): Record<PeerName, string[]> {
  const ids = Object.fromEntries(PEERS.map(({ name }) => [name, []])) as unknown as Record<
    PeerName,
    string[]
  >;
  for (const step of steps) ids[step.sender].push(messageId(step.sender, ids[step.sender].length));
  return ids;
}
