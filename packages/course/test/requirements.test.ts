import { installHint } from '@lessons/test-kit/binaries';
import { afterEach, describe, expect, it } from 'vitest';
import { findLesson, type Lesson } from '../src/lessons.ts';
import { missingForRun, missingForTests } from '../src/requirements.ts';

const lesson = (requires: Lesson['requires'], run?: Lesson['run']) =>
  ({ number: 7, title: 'Scaling out', requires, run }) as Lesson;

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

  it('pnpm lesson asks only for what running needs when the lesson says so (run.requires)', () => {
    process.env.PATH = '';
    // Lesson 7's tests need redis-server and nginx; its default run (cluster workers) neither.
    expect(missingForRun(lesson(['redis-server', 'nginx'], { requires: [], redis: true }))).toEqual(
      [],
    );
    expect(missingForRun(lesson([], { requires: ['redis-server'], redis: false }))).toEqual([
      `Lesson 7 needs redis-server, which this machine does not have. Install it with: ${installHint('redis-server')}`,
    ]);
    const lesson7 = findLesson('07-scaling-out');
    expect(lesson7?.requires, "lesson 7's tests").toEqual(['redis-server', 'nginx', 'chromium']);
    expect(lesson7 && missingForRun(lesson7), 'pnpm lesson 7 on a machine without them').toEqual(
      [],
    );
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
