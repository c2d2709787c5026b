import { afterEach, describe, expect, it } from 'vitest';
import { lessonConfig } from '../vitest.ts';

const config = () =>
  lessonConfig(new URL('../../../lessons/01-http-server/vitest.config.ts', import.meta.url).href)
    .test;

describe('lessonConfig()', () => {
  const slow = process.env.COURSE_SLOW;
  afterEach(() => {
    if (slow === undefined) delete process.env.COURSE_SLOW;
    else process.env.COURSE_SLOW = slow;
  });

  it('runs every test of the lesson but those in test/slow/', () => {
    delete process.env.COURSE_SLOW;
    expect(config()?.include).toEqual(['test/**/*.test.ts']);
    expect(config()?.exclude).toContain('test/slow/**');
  });

  it('runs only test/slow/ in the slow suite (COURSE_SLOW=1)', () => {
    process.env.COURSE_SLOW = '1';
    expect(config()?.include).toEqual(['test/slow/**/*.test.ts']);
    expect(config()?.exclude).not.toContain('test/slow/**');
  });
});
