import { describe, expect, it } from 'vitest';
import type { SuiteRun, TestOutcome } from '../src/grading/run.ts';
import { scoreRun } from '../src/grading/score.ts';

const test = (name: string, outcome: Partial<TestOutcome> = {}): TestOutcome => ({
  file: 'test/app.test.ts',
  name,
  state: 'passed',
  errors: [],
  durationMs: 1,
  ...outcome,
});

const run = (tests: TestOutcome[]): SuiteRun => ({
  tests,
  files: [{ file: 'test/app.test.ts', tests: tests.length, errors: [] }],
  unhandled: [],
  notes: { fixedPorts: [], leaks: [], exits: [] },
  finished: true,
  timedOut: false,
  output: '',
  durationMs: 10,
});

const expected = (tests: TestOutcome[]) => tests.map(({ file, name }) => ({ file, name }));

describe('scoreRun()', () => {
  it('says what went wrong once per distinct cause, with the tests it broke', () => {
    const notServer = 'AssertionError: expected an io Server attached to the same http.Server';
    const tests = [
      test('io > is attached', { state: 'failed', errors: [`${notServer}\n    at app.test.ts:9`] }),
      test('io > greets', { state: 'failed', errors: [notServer] }),
      test('http > serves the page', { state: 'failed', errors: ['expected 501 to be 200'] }),
      test('http > opens no port'),
    ];
    expect(scoreRun(run(tests), expected(tests), 1000).reasons).toEqual([
      `fails 2 tests ("io > is attached", …): ${notServer}`,
      'fails "http > serves the page": expected 501 to be 200',
    ]);
  });

  it('gives the cause of every other failure beside a test that got no answer in time', () => {
    const tests = [
      test('members > answers', { state: 'failed', errors: ['Test timed out in 5000ms.'] }),
      test('workers > lists this app', {
        state: 'failed',
        errors: ['workers: expected { workers: [ 1, 2, 3, 4 ] } to deeply equal [ 1, 2, 3 ]'],
      }),
    ];
    expect(scoreRun(run(tests), expected(tests), 60_000).reasons).toEqual([
      '1 test got no answer in time (a handler that never replies?)',
      'fails "workers > lists this app": workers: expected { workers: [ 1, 2, 3, 4 ] } to deeply equal [ 1, 2, 3 ]',
    ]);
  });

  it('counts a skipped test (a missing program, the lesson config) neither as passed nor in the total', () => {
    const tests = [
      test('answers'),
      test('shows the page', { state: 'skipped', note: 'No Chromium found.' }),
      test('filtered out by the lesson config', { state: 'skipped' }),
      test('refuses', { state: 'failed', errors: ['expected 401'] }),
    ];
    const score = scoreRun(run(tests), expected(tests), 60_000);
    expect(score).toMatchObject({ passed: 1, total: 2, score: 0.5 });
    expect(score.skipped.map((t) => t.name)).toEqual([
      'shows the page',
      'filtered out by the lesson config',
    ]);
  });

  it('says when a test passed only when run again, as grading retries a failed test once', () => {
    const tests = [test('answers'), test('answers fast', { retries: 1 })];
    const score = scoreRun(run(tests), expected(tests), 60_000);
    expect(score).toMatchObject({ passed: 2, total: 2 });
    expect(score.reasons).toEqual([
      'passed 1 test(s) only when run again (grading runs a failed test once more): answers fast',
    ]);
  });
});
