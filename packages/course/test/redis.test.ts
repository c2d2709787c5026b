import { requireBinary } from '@lessons/test-kit/requires';
import { redisCommand } from '@lessons/test-kit/services';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { sharedRedis } from '../src/grading/redis.ts';
import { ECHO } from './fixtures.ts';

const needsRedis = { ...ECHO, requires: ['redis-server' as const] };

describe('sharedRedis(), one Redis for a class', () => {
  afterEach(() => {
    delete process.env.LESSON_REDIS_URL;
  });

  it('starts nothing for a lesson whose tests need no Redis', async () => {
    const redis = await sharedRedis(ECHO);
    expect(redis.env).toEqual({});
    expect(redis.prefixFor(1)).toEqual({});
    await redis.close();
  });

  describe('where redis-server is installed', () => {
    const redisServer = requireBinary('redis-server');

    it('starts one for a lesson that needs it, gives each run a prefix of its own, and stops it', async () => {
      redisServer();
      const redis = await sharedRedis(needsRedis);
      onTestFinished(() => redis.close());
      const url = redis.env.LESSON_REDIS_URL as string;
      expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(await redisCommand(Number(new URL(url).port), 'PING')).toBe('+PONG');
      expect([0, 1, 2].map((run) => redis.prefixFor(run).LESSON_REDIS_PREFIX)).toEqual([
        'grade:0:',
        'grade:1:',
        'grade:2:',
      ]);
      await redis.close();
      expect(await redisCommand(Number(new URL(url).port), 'PING')).toBe('ECONNREFUSED');
    });
  });

  it('uses a LESSON_REDIS_URL already set, with a prefix per run, and leaves it running', async () => {
    process.env.LESSON_REDIS_URL = 'redis://127.0.0.1:1';
    const redis = await sharedRedis(needsRedis);
    expect(redis.env).toEqual({}); // the runs inherit it
    expect(redis.prefixFor(4)).toEqual({ LESSON_REDIS_PREFIX: 'grade:4:' });
    await redis.close();
  });
});
