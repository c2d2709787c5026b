// The demo users, as a database would hold them: a scrypt hash per user, never
// the password. A leaked copy of this table does not reveal alice's password.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

// #region hash
// Node's default cost: N = 2^14 needs 16 MiB and about 40 ms per hash on a
// laptop. OWASP asks for N = 2^17 (128 MiB): measure on your server, since each
// login costs that much CPU and memory, and rate-limit POST /login.
const COST = { N: 2 ** 14, r: 8, p: 1 } satisfies ScryptOptions;
const KEY_LENGTH = 64;

function derive(password: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  // scrypt runs on libuv's thread pool; scryptSync would stall every socket meanwhile.
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, cost, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `scrypt$N$r$p$salt$key`, the cost stored beside the hash so it can be raised later. */
export async function hashPassword(password: string, cost: ScryptOptions = COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return [
    'scrypt',
    cost.N,
    cost.r,
    cost.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

// Made once with hashPassword('wonderland') and hashPassword('builder'): salt, then key.
export const DEMO_USERS: ReadonlyMap<string, string> = new Map([
  [
    'alice',
    'scrypt$16384$8$1$UbgTukSbY3L4xEwhsKmniQ$' +
      'QAv2wpb3TlL5cnSpPXhnFMP06aHcIOV-0fnD5PnUZDtLKe8cYvi_Gy0u9lOC65GPfyrNBMufI8giE4SXaGUbdw',
  ],
  [
    'bob',
    'scrypt$16384$8$1$M1-PqQJkLG4NFtUmwYPcEA$' +
      '_qU_a10CRHPHFp2S_nyH0J1O_QJLsPc2ygtyLHSnXTGWrv0Hqv-arLbe9xiB75F8yUXd9jk9L8I2HGJ2B9m2fg',
  ],
]);
// Checked when the username is unknown, so that a wrong username takes as long
// as a wrong password and does not reveal who has an account.
const nobody =
  'scrypt$16384$8$1$qw11mRVKWMl7M36YVVfTMw$' +
  'Ew2tv3f9icXd1HooPoB0nrWqB2CFU2-TsE3h2YR6m2Ilx4kPIIM7xK_Gr5YPPALHM35RFV_ClzFFiVwjJZ-oIA';

/** Resolve with the username when the password matches its hash, `undefined` otherwise. */
export async function verifyUser(
  username: string,
  password: string,
  users: ReadonlyMap<string, string> = DEMO_USERS,
): Promise<string | undefined> {
  const known = users.get(username);
  const [, N, r, p, salt = '', expected = ''] = (known ?? nobody).split('$');
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  });
  // timingSafeEqual takes as long whichever byte differs first.
  const matches = timingSafeEqual(key, Buffer.from(expected, 'base64url'));
  return matches && known ? username : undefined;
}
// #endregion hash
