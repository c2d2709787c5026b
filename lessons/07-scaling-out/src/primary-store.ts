// Sessions kept in the cluster's primary, for the setup without Redis: every
// worker asks the primary over Node's IPC channel, so a login through one
// worker holds on all of them. It shares nothing beyond this machine (and is
// gone when the primary stops): across machines, use Redis (RedisStore).
import cluster, { type Worker } from 'node:cluster';
import session from 'express-session';

interface StoreRequest {
  type: 'store:request';
  id: number;
  op: 'get' | 'set' | 'destroy' | 'touch';
  sid: string;
  session?: session.SessionData;
}

interface StoreReply {
  type: 'store:reply';
  id: number;
  error?: string;
  session?: session.SessionData | null;
}

/** In the primary: answer every worker's session requests from one MemoryStore. */
export function servePrimaryStore(): void {
  const store = new session.MemoryStore();
  cluster.on('message', (worker: Worker, message: StoreRequest) => {
    if (message?.type !== 'store:request') return;
    const reply = (error: unknown, found?: session.SessionData | null) => {
      const answer: StoreReply = { type: 'store:reply', id: message.id, session: found };
      if (error) answer.error = String(error);
      if (worker.isConnected()) worker.send(answer);
    };
    const { op, sid } = message;
    if (op === 'get') store.get(sid, reply);
    else if (op === 'destroy') store.destroy(sid, (error) => reply(error));
    else if (message.session && op === 'set') store.set(sid, message.session, reply);
    else if (message.session && op === 'touch')
      store.touch(sid, message.session, () => reply(null));
    else reply('bad request');
  });
}

/** In a worker: an express-session store whose sessions live in the primary. */
export class PrimaryStore extends session.Store {
  #next = 0;
  readonly #pending = new Map<number, (reply: StoreReply) => void>();

  constructor() {
    super();
    process.on('message', (message: StoreReply) => {
      if (message?.type !== 'store:reply') return;
      this.#pending.get(message.id)?.(message);
      this.#pending.delete(message.id);
    });
  }

  #ask(op: StoreRequest['op'], sid: string, data?: session.SessionData): Promise<StoreReply> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, resolve);
      const request: StoreRequest = { type: 'store:request', id, op, sid, session: data };
      process.send?.(request, undefined, {}, (error) => {
        if (!error) return;
        this.#pending.delete(id);
        reject(error);
      });
    });
  }

  override get(sid: string, callback: (error: unknown, data?: session.SessionData | null) => void) {
    this.#ask('get', sid).then(
      (reply) => callback(reply.error, reply.session ?? null),
      (error) => callback(error),
    );
  }

  override set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void) {
    this.#ask('set', sid, data).then(
      (reply) => callback?.(reply.error),
      (error) => callback?.(error),
    );
  }

  override destroy(sid: string, callback?: (error?: unknown) => void) {
    this.#ask('destroy', sid).then(
      (reply) => callback?.(reply.error),
      (error) => callback?.(error),
    );
  }

  override touch(sid: string, data: session.SessionData, callback?: () => void) {
    this.#ask('touch', sid, data).then(
      () => callback?.(),
      () => callback?.(),
    );
  }
}
