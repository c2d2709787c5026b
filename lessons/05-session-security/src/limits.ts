// Limits per user, not per socket or per request: one user opens as many
// sockets, connections and requests as they like, so every count is keyed by
// what they cannot multiply: the session, the username, the address.
import type { Request, RequestHandler, Response } from 'express';
import pLimit from 'p-limit';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** At most `max` in any window of `perMs`, counted from the first. */
export interface Rate {
  max: number;
  perMs: number;
}

function limiter(keyPrefix: string, { max, perMs }: Rate) {
  return new RateLimiterMemory({ keyPrefix, points: max, duration: perMs / 1000 });
}

/**
 * One budget of chat messages per session, shared by all its sockets, so that
 * more sockets, or a new socket after each disconnect, buy no more messages.
 * Resolves true when this message is within the budget.
 */
export function chatLimiter(rate: Rate): (sessionId: string) => Promise<boolean> {
  // #region exercise-rate-limit
  const perSession = limiter('chat', rate);
  return (sessionId) =>
    perSession.consume(sessionId).then(
      () => true,
      (rejection: unknown) => {
        // The limiter rejects with a RateLimiterRes when the budget is spent,
        // and with an Error only when it fails.
        if (rejection instanceof RateLimiterRes) return false;
        throw rejection;
      },
    );
  // #endregion exercise-rate-limit
}

export interface LoginLimits {
  /** Login attempts that fail, per address: stops one machine guessing. */
  perAddress: Rate;
  /** Login attempts that fail, per username, from any address: stops many machines guessing one password. */
  perUser: Rate;
  /**
   * scrypt hashes at once, all logins together. libuv's pool has 4 threads,
   * shared with file reads, and each hash keeps a CPU core busy: leave a core
   * to the event loop.
   */
  hashes: number;
  /** Logins waiting for a hash; beyond this, 503 at once rather than a queue that grows. */
  queued: number;
  /** Logins of one address being hashed or waiting at once. */
  perAddressAtOnce: number;
}

// #region login-throttle
/**
 * The throttles of POST /login. Every one answers before the hash is computed:
 * a refused guess costs the server no scrypt, so refusing cannot itself be the
 * flood. An attempt counts as failed until it succeeds, so that a burst of
 * concurrent guesses is counted as it arrives, not once their hashes are done.
 */
export function loginThrottle(limits: LoginLimits) {
  const byAddress = limiter('login-address', limits.perAddress);
  const byUser = limiter('login-user', limits.perUser);
  const hashing = pLimit(limits.hashes);
  // One hash at a time per address: its next attempt waits on its own turn, so an
  // address holds at most one place in the shared queue, and other users' logins
  // wait for at most one hash of it.
  const perAddress = new Map<string, ReturnType<typeof pLimit>>();
  const atOnce = new Map<string, number>();

  function refuse(res: Response, status: 429 | 503, error: string, retryAfterMs: number) {
    res.set('retry-after', String(Math.ceil(retryAfterMs / 1000)));
    res.status(status).json({ error });
  }

  /**
   * Ahead of every other middleware, before the body is read: a flood from
   * one address is refused for the price of the request, not of helmet, the
   * session and the JSON parser too.
   */
  const gate: RequestHandler = (req, res, next) => {
    const address = req.ip ?? '';
    const running = atOnce.get(address) ?? 0;
    if (running >= limits.perAddressAtOnce) {
      refuse(res, 429, 'Too many logins at once', 1000);
      return;
    }
    atOnce.set(address, running + 1); // now, before any await: concurrent requests see it
    res.once('close', () => {
      const left = (atOnce.get(address) ?? 1) - 1;
      if (left > 0) atOnce.set(address, left);
      else atOnce.delete(address);
    });
    byAddress.get(address).then((spent) => {
      if (spent && spent.consumedPoints >= limits.perAddress.max) {
        refuse(res, 429, 'Too many failed logins: try again later', spent.msBeforeNext);
      } else next();
    }, next);
  };

  /** Check the password with `verify`, unless a throttle refuses; answer the refusal on `res`. */
  async function attempt(
    req: Request,
    res: Response,
    username: string,
    verify: () => Promise<string | undefined>,
  ): Promise<string | undefined> {
    const address = req.ip ?? '';
    const spent = await Promise.allSettled([byAddress.consume(address), byUser.consume(username)]);
    const refused = spent.find((result) => result.status === 'rejected');
    if (refused) {
      if (!(refused.reason instanceof RateLimiterRes)) throw refused.reason;
      refuse(res, 429, 'Too many failed logins: try again later', refused.reason.msBeforeNext);
      return undefined;
    }
    const refund = () => Promise.all([byAddress.reward(address), byUser.reward(username)]);
    if (hashing.pendingCount >= limits.queued) {
      await refund(); // not tried, so not a failure
      refuse(res, 503, 'Too many logins at once: try again', 1000);
      return undefined;
    }
    const turn = perAddress.get(address) ?? pLimit(1);
    perAddress.set(address, turn);
    const user = await turn(() => hashing(verify)).finally(() => {
      if (turn.activeCount + turn.pendingCount === 0) perAddress.delete(address);
    });
    if (!user) {
      res.status(401).json({ error: 'Wrong username or password' });
      return undefined;
    }
    await refund();
    return user;
  }

  return { gate, attempt };
}
// #endregion login-throttle
