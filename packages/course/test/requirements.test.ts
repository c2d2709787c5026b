import { installHint } from '@lessons/test-kit/binaries';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lesson } from '../src/lessons.ts';
import { missingForRun, missingForTests } from '../src/requirements.ts';

const lesson = (requires: Lesson['requires']) =>
  ({ number: 7, title: 'Scaling out', requires }) as Lesson;

describe("a lesson's requires, on a machine that lacks them", () => {
  const saved = { PATH: process.env.PATH, CHROMIUM_PATH: process.env.CHROMIUM_PATH };
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.CHROMIUM_PATH === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved.CHROMIUM_PATH;
  });

  it('pnpm lesson refuses to start without a program the server needs, naming the install command', () => {
    process.env.PATH = '';
    expect(missingForRun(lesson(['redis-server', 'chromium']))).toEqual([
      `Lesson 7 needs redis-server, which this machine does not have. Install it with: ${installHint('redis-server')}`,
    ]);
  });

  it('the test commands say which tests are skipped, and how to install what they need', () => {
    process.env.PATH = '';
    process.env.CHROMIUM_PATH = '/nowhere';
    expect(missingForTests(lesson(['chromium', 'redis-server']))).toEqual([
      expect.stringMatching(
        /^CHROMIUM_PATH is \/nowhere, .* Lesson 7's browser tests are skipped\.$/,
      ),
      `Lesson 7 needs redis-server, which is not installed: its tests that use it are skipped. Install it with: ${installHint('redis-server')}`,
    ]);
    expect(missingForTests(lesson([]))).toEqual([]);
  });
});
