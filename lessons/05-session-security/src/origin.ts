// Where a request comes from, and whether this server answers it. Used for the
// routes that change state and for every Engine.IO request, handshake or not.
import type { IncomingMessage, Server } from 'node:http';

/** A Node request as Engine.IO hands it to its middlewares and to allowRequest. */
export type EngineRequest = IncomingMessage & {
  _query: Record<string, string | undefined>;
  /** Why the origin check refused this request, set by the first Engine.IO middleware. */
  refusal?: string;
};

// #region origin
/** The server's own origins, for the port it actually listens on, plus `allowedOrigins`. */
export function originCheck(httpServer: Server, allowedOrigins: string[]) {
  return (origin: string): boolean => {
    const address = httpServer.address();
    const port = typeof address === 'object' && address ? address.port : undefined;
    const own = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
    return own.includes(origin) || allowedOrigins.includes(origin);
  };
}
// #endregion origin

/**
 * Why this Engine.IO request must be refused, or `undefined` to let it through
 * to the session. Run on every request: allowRequest sees only handshakes.
 */
export function requestRefusal(
  req: EngineRequest,
  isAllowedOrigin: (origin: string) => boolean,
): string | undefined {
  // #region exercise-origin-check
  // JSONP wraps the answer in a script any page can load and read: the sid included.
  if (req._query.j !== undefined) return 'JSONP not allowed';
  const { origin } = req.headers;
  if (origin !== undefined) return isAllowedOrigin(origin) ? undefined : 'origin not allowed';
  // Browsers leave Origin out of a GET that is same-origin or no-cors: a <script>,
  // an <img>, fetch(url, { mode: 'no-cors' }). A page on another port of this
  // host is same-site, so the SameSite=Lax cookie goes along. What tells that
  // page apart from ours is fetch metadata, which every current browser sends and
  // no page can forge.
  const site = req.headers['sec-fetch-site'];
  // No Sec-Fetch-Site: not a browser (a script sets whatever headers it likes,
  // and no page can make it send someone's cookie), or a browser too old to send
  // fetch metadata, which cannot read our answers: no JSONP, no CORS headers.
  // (Node's fetch sends Sec-Fetch-Mode: cors, and no Sec-Fetch-Site.)
  if (site === undefined) return undefined;
  // Our own page's requests are same-origin, in mode cors (XHR, fetch) or websocket.
  const mode = req.headers['sec-fetch-mode'] ?? '';
  if (site === 'same-origin' && ['cors', 'websocket', 'same-origin'].includes(mode)) {
    return undefined;
  }
  return 'not from this origin';
  // #endregion exercise-origin-check
}
