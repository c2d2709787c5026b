import type { Lesson } from '../lessons.ts';

/** One Redis for many runs: pass `env` to every run, `prefixFor(run)` to each, `close()` at the end. */
export interface SharedRedis {
  env: Record<string, string>;
  /** The key prefix of one run (LESSON_REDIS_PREFIX), e.g. `grade:3:`; '' without a shared Redis. */
  prefixFor(run: number): Record<string, string>;
  close(): Promise<void>;
}

const NONE: SharedRedis = { env: {}, prefixFor: () => ({}), close: async () => {} };

/**
 * Start one `redis-server` for a class when `lesson` requires it, instead of one
 * per test file of every submission: each run's tests use it (LESSON_REDIS_URL)
 * under a key prefix of the run's own (LESSON_REDIS_PREFIX), so that submissions
 * graded side by side never read each other's keys, streams or channels (lesson
 * 7's tests prove that its app keeps to its prefix). Where redis-server is
 * missing, nothing starts: the tests that need it skip themselves, by name.
 * A LESSON_REDIS_URL already set is used instead, and left running.
 */
export async function sharedRedis(lesson: Lesson): Promise<SharedRedis> {
  if (!lesson.requires.includes('redis-server')) return NONE;
  const prefixFor = (run: number) => ({ LESSON_REDIS_PREFIX: `grade:${run}:` });
  // One given (an instructor's own Redis, say) is used as it is, and left running.
  if (process.env.LESSON_REDIS_URL) return { ...NONE, prefixFor };
  // By path, not package name, so that the docs build can import the commands' help.
  const { findBinary } = await import('../../../test-kit/binaries.ts');
  const binary = findBinary('redis-server');
  if (!binary) return NONE;
  const { startRedis } = await import('../../../test-kit/services.ts');
  const redis = await startRedis(binary);
  return {
    env: { LESSON_REDIS_URL: redis.url },
    prefixFor,
    close: () => redis.stop(),
  };
}
