import { beforeEach } from 'vitest';
import { type BinaryName, findBinary, installHint } from './binaries.ts';

/**
 * The path of a program the tests of the enclosing suite cannot run without,
 * such as `redis-server`. Where it is missing, each of those tests is skipped
 * with the reason and the command that installs it, never passed.
 *
 * @example
 * describe('the Redis adapter', () => {
 *   const redisServer = requireBinary('redis-server');
 *   it('reaches every process', async () => { spawn(redisServer(), ['--port', '0']); });
 * });
 */
export function requireBinary(name: Exclude<BinaryName, 'chromium'>): () => string {
  const path = findBinary(name);
  if (path) return () => path;
  const reason = `${name} is not installed: install it with ${installHint(name)}`;
  beforeEach((context) => context.skip(reason));
  return () => {
    throw new Error(reason);
  };
}
