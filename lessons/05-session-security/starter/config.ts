// Read the server's settings from the environment, once, at start-up.
import { type AppOptions, DEFAULTS } from './app.ts';

export interface Config {
  port: number;
  /** The address server.ts listens on: loopback unless HOST says otherwise. */
  host: string;
  options: AppOptions;
  /** Printed at start-up: a development run that works but must not reach production. */
  warnings: string[];
}

/** A setting that stops the server from starting; server.ts prints the message and exits. */
export class ConfigError extends Error {}

// #region node-env
// A misspelt NODE_ENV ("Production", "prod") would otherwise run as development:
// the demo accounts, no production checks, a random secret when none is set.
// Only these values mean anything.
const NODE_ENVS = ['development', 'test', 'production'];

function environment(env: NodeJS.ProcessEnv): string {
  const value = env.NODE_ENV ?? '';
  if (value === '' || NODE_ENVS.includes(value)) return value || 'development';
  throw new ConfigError(
    `NODE_ENV must be one of ${NODE_ENVS.join(', ')} (or unset), not "${value}". ` +
      'Refusing to start rather than run as development.',
  );
}
// #endregion node-env

// #region durations
// Accepted ranges. A TTL of 0 ends every session as it starts, a check interval
// of 0 runs the check every millisecond, and setInterval turns anything above
// 2^31 - 1 ms (24.8 days) into 1 ms.
const LIMITS = {
  PORT: { min: 0, max: 65_535, unit: '' },
  SESSION_TTL_MS: { min: 10_000, max: 7 * 24 * 60 * 60_000, unit: ' ms' }, // 10 s to 7 days
  SESSION_CHECK_MS: { min: 100, max: 60 * 60_000, unit: ' ms' }, // 0.1 s to 1 hour
};

function wholeNumber(env: NodeJS.ProcessEnv, name: keyof typeof LIMITS, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const { min, max, unit } = LIMITS[name];
  const range = `from ${min} to ${max}${unit}`;
  if (!/^\d+$/.test(text)) {
    throw new ConfigError(`${name} must be a whole number, not "${text}". Use one ${range}.`);
  }
  const value = Number(text);
  if (value < min || value > max) throw new ConfigError(`${name} must be ${range}, not ${text}.`);
  return value;
}
// #endregion durations

// #region secret-strength
// Length alone lets 32 spaces or "a" x 32 through. This estimate counts, for each
// character, at most log2 of its alphabet (lower case, upper case, digits, other)
// and at most log2 of the number of distinct characters in the secret. It catches
// repeated characters and short alphabets; it cannot tell a random string from a
// memorable one, so generate the secret.
const MIN_SECRET_LENGTH = 32;
const MIN_SECRET_BITS = 128;
const ALPHABETS: [RegExp, number][] = [
  [/[a-z]/, 26],
  [/[A-Z]/, 26],
  [/[0-9]/, 10],
  [/[^a-zA-Z0-9]/, 33],
];

function estimatedBits(secret: string): number {
  const characters = [...secret];
  const alphabet = ALPHABETS.reduce(
    (size, [pattern, n]) => size + (pattern.test(secret) ? n : 0),
    0,
  );
  const distinct = new Set(characters).size;
  return characters.length * Math.log2(Math.min(alphabet, distinct) || 1);
}

const GENERATE = `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;

function checkSecret(secret: string): void {
  if ([...secret].length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      `SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters long in production. ` +
        `Generate one with ${GENERATE}`,
    );
  }
  const bits = Math.floor(estimatedBits(secret));
  if (bits < MIN_SECRET_BITS) {
    throw new ConfigError(
      `SESSION_SECRET is too predictable for production: about ${bits} bits, ` +
        `and it needs ${MIN_SECRET_BITS}. ` +
        `Generate one with ${GENERATE}`,
    );
  }
}
// #endregion secret-strength

// #region config
export function readConfig(env: NodeJS.ProcessEnv): Config {
  const production = environment(env) === 'production';
  const warnings: string[] = [];

  // SESSION_SECRET="new,old" signs with the first secret and still accepts cookies
  // signed with the others, so you can rotate it without logging everyone out.
  const secrets = (env.SESSION_SECRET ?? '').split(',').filter(Boolean);
  if (secrets.length === 0 && production) {
    throw new ConfigError(
      'SESSION_SECRET is not set. Refusing to start with NODE_ENV=production: ' +
        `set SESSION_SECRET to the output of ${GENERATE}`,
    );
  }
  if (secrets.length === 0) {
    warnings.push(
      'Warning: SESSION_SECRET is not set, so this run signs cookies with a random secret ' +
        'and every session ends when the server stops. NODE_ENV=production refuses to start without it.',
    );
  }
  if (production) for (const secret of secrets) checkSecret(secret);

  // #region trust-proxy
  // This server speaks plain HTTP, so in production HTTPS ends at a proxy. Without
  // 'trust proxy', Express ignores X-Forwarded-Proto and the cookie loses Secure.
  const proxy = env.TRUST_PROXY ? trustProxy(env.TRUST_PROXY) : undefined;
  if (production && (proxy === undefined || proxy === false || proxy === 0)) {
    throw new ConfigError(
      'TRUST_PROXY is not set. Refusing to start with NODE_ENV=production: without it the ' +
        'session cookie is never Secure. Set TRUST_PROXY to the HTTPS proxy in front of this ' +
        'server: 1 for one proxy, or its address, e.g. TRUST_PROXY=loopback.',
    );
  }
  // #endregion trust-proxy

  return {
    port: wholeNumber(env, 'PORT', 3000),
    // #region host
    // Loopback by default: the demo page publishes the demo passwords.
    host: env.HOST || '127.0.0.1',
    // #endregion host
    options: {
      ...(secrets.length > 0 ? { secret: secrets } : {}),
      sessionTtlMs: wholeNumber(env, 'SESSION_TTL_MS', DEFAULTS.sessionTtlMs),
      sessionCheckMs: wholeNumber(env, 'SESSION_CHECK_MS', DEFAULTS.sessionCheckMs),
      allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
      ...(proxy !== undefined ? { trustProxy: proxy } : {}),
      // #region demo-users
      // The demo accounts' passwords are published: never accept them in production.
      demoUsers: !production,
      // #endregion demo-users
    },
    warnings,
  };
}
// #endregion config

// Express's 'trust proxy': a number of hops, true, or addresses such as "loopback".
function trustProxy(text: string): boolean | number | string {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return /^\d+$/.test(text) ? Number(text) : text;
}
