// Read the server's settings from the environment, once, at start-up.
import { type AppOptions, DEFAULTS } from './app.ts';

export interface Config {
  port: number;
  options: AppOptions;
  /** Printed at start-up: a development run that works but must not reach production. */
  warnings: string[];
}

/** A setting that stops the server from starting; server.ts prints the message and exits. */
export class ConfigError extends Error {}

// #region config
export function readConfig(env: NodeJS.ProcessEnv): Config {
  const production = env.NODE_ENV === 'production';
  const warnings: string[] = [];

  // SESSION_SECRET="new,old" signs with the first secret and still accepts cookies
  // signed with the others, so you can rotate it without logging everyone out.
  const secrets = (env.SESSION_SECRET ?? '').split(',').filter(Boolean);
  if (secrets.length === 0 && production) {
    throw new ConfigError(
      'SESSION_SECRET is not set. Refusing to start with NODE_ENV=production: ' +
        'set SESSION_SECRET to a long random string, e.g. the output of ' +
        `node -e "console.log(require('node:crypto').randomBytes(32).toString('hex'))"`,
    );
  }
  if (secrets.length === 0) {
    warnings.push(
      'Warning: SESSION_SECRET is not set, so this run signs cookies with a random secret ' +
        'and every session ends when the server stops. NODE_ENV=production refuses to start without it.',
    );
  }
  if (production && secrets.some((secret) => secret.length < 32)) {
    throw new ConfigError('SESSION_SECRET must be at least 32 characters long in production.');
  }

  return {
    port: wholeNumber(env, 'PORT', 3000),
    options: {
      ...(secrets.length > 0 ? { secret: secrets } : {}),
      sessionTtlMs: wholeNumber(env, 'SESSION_TTL_MS', DEFAULTS.sessionTtlMs),
      sessionCheckMs: wholeNumber(env, 'SESSION_CHECK_MS', DEFAULTS.sessionCheckMs),
      allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
      ...(env.TRUST_PROXY ? { trustProxy: trustProxy(env.TRUST_PROXY) } : {}),
    },
    warnings,
  };
}
// #endregion config

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new ConfigError(`${name} must be a whole number, not "${text}".`);
  return Number(text);
}

// Express's 'trust proxy': a number of hops, true, or addresses such as "loopback".
function trustProxy(text: string): boolean | number | string {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return /^\d+$/.test(text) ? Number(text) : text;
}
