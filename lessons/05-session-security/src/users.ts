// The demo users. Only scrypt hashes are kept: a leaked copy of this table
// does not reveal the passwords.
import { randomBytes, type ScryptOptions, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

// #region hash
// Node's default cost (N = 2^14, 16 MiB and about 40 ms per hash on a laptop).
// Raise N for production (OWASP asks for 2^17) after measuring on your server:
// each login costs that much CPU and memory, so rate-limit POST /login too.
const SCRYPT: ScryptOptions = { N: 2 ** 14, r: 8, p: 1 };
const KEY_LENGTH = 64;

interface PasswordHash {
  salt: Buffer;
  key: Buffer;
}

function hashPassword(password: string): PasswordHash {
  const salt = randomBytes(16);
  return { salt, key: scryptSync(password, salt, KEY_LENGTH, SCRYPT) };
}

// Hashed once, when the module loads: in a real app these come from a database.
const users = new Map<string, PasswordHash>([
  ['alice', hashPassword('wonderland')],
  ['bob', hashPassword('builder')],
]);

// Compared against when the username is unknown, so that a wrong username
// takes as long as a wrong password and does not reveal who has an account.
const nobody = hashPassword(randomBytes(16).toString('hex'));

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, SCRYPT, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Resolve with the username when the password matches, `undefined` otherwise. */
export async function verifyUser(username: string, password: string): Promise<string | undefined> {
  const stored = users.get(username) ?? nobody;
  // scrypt runs on libuv's thread pool; scryptSync here would block every socket.
  const key = await derive(password, stored.salt);
  // timingSafeEqual takes as long whichever byte differs first.
  const matches = timingSafeEqual(key, stored.key);
  return matches && users.has(username) ? username : undefined;
}
// #endregion hash
