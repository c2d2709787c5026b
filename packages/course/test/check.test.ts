import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli.ts';
import { parseCheckArgs } from '../src/commands/check.ts';
import {
  currentExercise,
  hintLabel,
  nextHint,
  rememberCurrentExercise,
  takeHint,
} from '../src/commands/hint.ts';
import { processesWithEnv } from '../src/grading/run.ts';
import { findLesson, ROOT } from '../src/lessons.ts';
import { ECHO, FIXTURES, learnerCourse, learnerWithMistake } from './fixtures.ts';

const run = promisify(execFile);
// Where the checks below remember the exercise to work on: not in the learner's .course/.
const state = mkdtempSync(join(tmpdir(), 'course-state-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

/** Run `pnpm check …` as a learner would; resolves with the exit code and what it printed. */
async function check(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/check.ts', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', COURSE_STATE_DIR: state, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * Run `pnpm check …` on a learner's course whose echo starter is `app`
 * (its lines), as `pnpm check` would run on theirs; cleans up after.
 */
async function checkStarter(app: string[], args: string[], env: NodeJS.ProcessEnv = {}) {
  const submission = mkdtempSync(join(tmpdir(), 'starter-'));
  writeFileSync(join(submission, 'app.ts'), `${app.join('\n')}\n`);
  const lessons = learnerCourse(submission);
  try {
    return await check(args, { COURSE_LESSONS_DIR: lessons, ...env });
  } finally {
    rmSync(lessons, { recursive: true, force: true });
    rmSync(submission, { recursive: true, force: true });
  }
}

describe('parseCheckArgs()', () => {
  it('reads the lesson, --watch and --solution', () => {
    const parsed = parseCheckArgs(['01', '--watch', '--solution']);
    expect(parsed).toMatchObject({ watch: true, solution: true });
    expect(parsed !== 'help' && parsed.lesson.id).toBe('01-http-server');
  });

  it.each([
    [[], /Which lesson\?/],
    [['42'], /There is no lesson "42"/],
    [['1', 'nope'], /Lesson 1 has no exercise "nope"/],
    [['1', '--nope'], /Unknown option '--nope'/],
    [['1', '--timeout', '0'], /--timeout "0" is not valid: use a number above 0/],
  ])('refuses %j with a message that says what to do', (argv, message) => {
    expect(() => parseCheckArgs(argv)).toThrow(UsageError);
    expect(() => parseCheckArgs(argv)).toThrow(message);
  });
});

describe('pnpm check', () => {
  it.concurrent('on the starter: each file as it finishes, with each failing test and what it expected, each exercise, then passed/total and the hint of the first exercise, exit 1', async () => {
    const lesson = findLesson('1');
    const [first] = lesson?.exercises ?? [];
    if (!first) throw new Error('lesson 1 declares no exercises');
    const { code, stdout } = await check(['1']);
    expect(code).toBe(1);
    expect(stdout).toContain('Testing your starter in lessons/01-http-server/starter');
    const total = /^0 of (\d+) tests pass\.$/m.exec(stdout)?.[1];
    expect(Number(total)).toBeGreaterThan(0);
    // Each file's results come as soon as it finishes, before the summary.
    expect(stdout.indexOf('test/app.test.ts: 0 of')).toBeGreaterThan(0);
    expect(stdout.indexOf('test/app.test.ts: 0 of')).toBeLessThan(
      stdout.indexOf(`0 of ${total} tests`),
    );
    // What the test expected, in words that lead to the fix.
    expect(stdout).toContain(
      '    expected an io Server attached to the same http.Server that createApp() returns',
    );
    for (const exercise of lesson?.exercises ?? []) {
      expect(stdout).toMatch(new RegExp(`^  ✗ ${exercise.id}\\s+0/\\d+`, 'm'));
    }
    expect(stdout).toMatch(new RegExp(`^Hint \\d of ${first.hints.length} \\(${first.id}: `, 'm'));
  }, 60_000);

  it.concurrent('with --solution: every test passes against the reference, exit 0', async () => {
    const { code, stdout } = await check(['1', '--solution']);
    expect(stdout).toMatch(/^✓ test\/app\.test\.ts: (\d+) of \1 pass$/m);
    expect(stdout).toMatch(/^✓ All \d+ tests pass\.$/m);
    expect(code).toBe(0);
  }, 60_000);

  it.concurrent('without a browser: says so first, and counts the browser tests neither passed nor in the total', async () => {
    const { code, stdout } = await check(['1', '--solution'], { CHROMIUM_PATH: '/nowhere' });
    const missing =
      'CHROMIUM_PATH is /nowhere, where there is no executable: point it at a Chromium or Chrome, or unset it to let the course find one.';
    expect(stdout.indexOf(`${missing} Lesson 1's browser tests are skipped.`)).toBeLessThan(
      stdout.indexOf('test/'),
    );
    const [, passed = '', skipped = ''] =
      /^✓ All (\d+) tests pass\.\n↓ (\d+) tests? skipped: (.*)$/m.exec(stdout) ?? [];
    expect(Number(passed)).toBeGreaterThan(0);
    expect(Number(skipped)).toBeGreaterThan(0);
    expect(Number(passed) + Number(skipped)).toBe(11);
    expect(stdout).toContain(`skipped: ${missing}`);
    expect(code).toBe(0);
  }, 60_000);

  it.concurrent("shows type errors in the learner's files as warnings, file:line and message, and still runs the tests", async () => {
    const app = [
      "import { createServer } from 'node:http';",
      'export function createApp() {',
      "  const port: number = 'three thousand';",
      "  const httpServer = createServer((_req, res) => res.end('echo'));",
      '  return { httpServer, port };',
      '}',
    ];
    const { stdout } = await checkStarter(app, ['1', 'echo']);
    expect(stdout).toContain('✓ All 3 tests pass.');
    expect(stdout).toMatch(
      /Type errors \(a warning[^\n]*\n\s+starter\/app\.ts:3: Type 'string' is not assignable to type 'number'\./,
    );
  }, 60_000);

  it.concurrent("shows the learner's console output under the failing test that printed it", async () => {
    const app = [
      "import { createServer } from 'node:http';",
      'export function createApp() {',
      '  const httpServer = createServer((req, res) => {',
      "    console.log('handling', req.url);",
      '    res.writeHead(501).end();',
      '  });',
      '  return { httpServer };',
      '}',
    ];
    const { stdout } = await checkStarter(app, ['1', 'greeting']);
    expect(stdout).toMatch(
      /✗ createApp\(\) > answers GET \/greeting[^\n]*\n[\s\S]*?console output:\n\s+handling \/greeting\n/,
    );
    expect(stdout).not.toContain('handling /anything');
  }, 60_000);

  it.concurrent("on lesson 3, a members that refuses user: rooms: prints the acknowledgement's error text and the members exercise's hint", async () => {
    const rooms = findLesson('3');
    const members = rooms?.exercises.find((exercise) => exercise.id === 'members');
    if (!rooms || !members) throw new Error('lesson 3 has no members exercise');
    // A likely mistake: checking the room with the join rules, which reserve user: rooms.
    const lessons = learnerWithMistake(rooms, 'app.ts', (source) =>
      source.replace(
        '        const sockets = await io.in(room).fetchSockets();',
        '        const problem = roomProblem(io, room);\n        if (problem) return ack({ error: problem });\n        const sockets = await io.in(room).fetchSockets();',
      ),
    );
    try {
      const { code, stdout } = await check(['3'], { COURSE_LESSONS_DIR: lessons });
      expect(code).toBe(1);
      expect(stdout).toContain('rooms starting with \\"user:\\" are reserved');
      expect(stdout).toMatch(/^ {2}✗ members\s+\d+\/\d+/m);
      expect(stdout).toContain(`${hintLabel(members, 1)}: ${members.hints[0]}`);
    } finally {
      rmSync(lessons, { recursive: true, force: true });
    }
  }, 60_000);

  it.concurrent('on lesson 6, a repeat stored twice: the failing test shows what its side-by-side group printed', async () => {
    const delivery = findLesson('6');
    if (!delivery) throw new Error('lesson 6 is missing');
    // No de-duplication: the table's UNIQUE constraint throws, and the app logs it.
    const lessons = learnerWithMistake(delivery, 'app.ts', (source) =>
      source.replace(
        '        if (known) return ack({ offset: known.offset, duplicate: true });\n',
        '',
      ),
    );
    try {
      const { code, stdout } = await check(['6', 'dedup'], { COURSE_LESSONS_DIR: lessons });
      expect(code).toBe(1);
      expect(stdout).toMatch(
        /✗ dedup: [^\n]*answers a chat whose id the sender used before[^\n]*\n[\s\S]*?console output:\n\s+\(these tests run side by side: any of them may have printed this\)\n[\s\S]*?UNIQUE constraint failed/,
      );
    } finally {
      rmSync(lessons, { recursive: true, force: true });
    }
  }, 60_000);

  it.concurrent('counts the tests of a suite whose server.ts would not start as failed, never as skipped', async () => {
    const rooms = findLesson('3');
    if (!rooms) throw new Error('lesson 3 is missing');
    const lessons = learnerWithMistake(
      rooms,
      'server.ts',
      (source) => `throw new Error('the database is not configured');\n${source}`,
    );
    try {
      const { code, stdout } = await check(['3'], { COURSE_LESSONS_DIR: lessons });
      expect(code).toBe(1);
      const hostile = /^test\/hostile\.test\.ts: 0 of (\d+) pass$/m.exec(stdout)?.[1];
      expect(Number(hostile)).toBeGreaterThan(0);
      expect(stdout).toContain('the database is not configured');
    } finally {
      rmSync(lessons, { recursive: true, force: true });
    }
  }, 60_000);

  it.concurrent('stops at its time limit a starter stuck in an endless loop, says so, and leaves no process behind', async () => {
    const marker = randomUUID();
    const started = performance.now();
    const { code, stderr } = await checkStarter(
      ['export function createApp() {', '  for (;;) {}', '}'],
      ['1', '--timeout', '3'],
      { CHECK_TEST_RUN: marker },
    );
    expect(code).toBe(1);
    expect(stderr).toContain('Stopped the tests after 3 s: one never finished.');
    // Without the limit the loop never ends; with it, start-up on a busy machine is most of this.
    expect(performance.now() - started).toBeLessThan(40_000);
    expect(processesWithEnv(`CHECK_TEST_RUN=${marker}`)).toEqual([]);
  }, 60_000);

  it.concurrent("runs the lesson's own vitest.config.ts", async () => {
    const lessons = learnerCourse(join(FIXTURES, 'submissions', 'complete'));
    const config = join(lessons, ECHO.id, 'vitest.config.ts');
    // A config of the lesson's own that keeps one of its three tests.
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(
        'export default lessonConfig(import.meta.url);',
        "const config = lessonConfig(import.meta.url);\nexport default { ...config, test: { ...config.test, testNamePattern: 'opens no port' } };",
      ),
    );
    try {
      const { code, stdout } = await check(['1'], { COURSE_LESSONS_DIR: lessons });
      expect(stdout).toContain('✓ The one test passes.');
      expect(code).toBe(0);
    } finally {
      rmSync(lessons, { recursive: true, force: true });
    }
  }, 60_000);

  // Quick alone, but it starts beside the other checks of this file: give it their time.
  it.concurrent('exits 2 on an unknown lesson', async () => {
    expect((await check(['42'])).code).toBe(2);
  }, 60_000);

  // Not concurrent: it starts a vitest of its own, and the machine has other tests to run.
  it('with --watch: runs again when a starter file is saved, and Ctrl-C ends it, leaving no process behind', async () => {
    const lesson = findLesson('2');
    if (!lesson) throw new Error('lesson 2 is missing');
    const file = join(lesson.dir, 'starter', 'app.ts');
    const original = readFileSync(file, 'utf8');
    const marker = randomUUID();
    const watching = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/check.ts', '2', '--watch'],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', CHECK_TEST_RUN: marker },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    const reports = (count: number) =>
      new Promise<void>((resolve) => {
        const onData = (chunk: Buffer) => {
          stdout += chunk.toString();
          if ((stdout.match(/^Watching .* for changes\./gm) ?? []).length >= count) {
            watching.stdout.off('data', onData);
            resolve();
          }
        };
        watching.stdout.on('data', onData);
      });
    try {
      await reports(1);
      expect(stdout).toMatch(/^0 of \d+ tests pass\.$/m);
      expect(stdout).toContain('Watching lessons/02-send-vs-emit/starter for changes.');
      writeFileSync(file, `${original}\n// saved again\n`);
      await reports(2);
      expect(stdout.match(/^0 of \d+ tests pass\.$/gm)).toHaveLength(2);
      const closed = new Promise<number | null>((resolve) => watching.once('close', resolve));
      watching.kill('SIGINT');
      expect(await closed).toBe(1);
    } finally {
      writeFileSync(file, original);
      watching.kill('SIGKILL');
    }
    expect(processesWithEnv(`CHECK_TEST_RUN=${marker}`)).toEqual([]);
  }, 60_000);
});

describe('hints', () => {
  const lesson = ECHO;
  const [greeting, echo] = lesson.exercises;
  if (!greeting || !echo) throw new Error('the echo fixture has two exercises');
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const counter = () => {
    dir = mkdtempSync(join(tmpdir(), 'hints-'));
    return join(dir, 'hints.json');
  };
  const hintLines = (lines: string[]) => lines.filter((line) => line.includes('Hint '));

  it('shows one more hint of an exercise each time, and pnpm check previews the next', () => {
    const file = counter();
    expect(nextHint(lesson, greeting, file)).toEqual({ number: 1, text: greeting.hints[0] });
    expect(hintLines(takeHint(lesson, greeting, file))).toEqual([
      `→ Hint 1 of 2 (greeting: Greet): ${greeting.hints[0]}`,
    ]);
    expect(nextHint(lesson, greeting, file).number).toBe(2);
    expect(nextHint(lesson, echo, file).number).toBe(1);
    expect(hintLines(takeHint(lesson, greeting, file))).toEqual([
      `  Hint 1 of 2 (greeting: Greet): ${greeting.hints[0]}`,
      `→ Hint 2 of 2 (greeting: Greet): ${greeting.hints[1]}`,
    ]);
  });

  it('stops at the last hint of the exercise and says so', () => {
    const file = counter();
    for (let i = 0; i < 5; i += 1) takeHint(lesson, echo, file);
    const lines = takeHint(lesson, echo, file);
    expect(hintLines(lines)).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/That was the last hint of echo/);
    expect(nextHint(lesson, echo, file).number).toBe(2);
  });

  it('goes on from the exercise the last check found failing first, else the first', () => {
    const file = counter();
    expect(currentExercise(lesson, file)).toBe(greeting);
    rememberCurrentExercise(lesson, echo, file);
    expect(currentExercise(lesson, file)).toBe(echo);
  });

  it('reads the count an older version saved (a number per lesson) as nothing shown', () => {
    const file = counter();
    writeFileSync(file, JSON.stringify({ [lesson.id]: 3 }));
    expect(nextHint(lesson, greeting, file).number).toBe(1);
    expect(hintLines(takeHint(lesson, greeting, file))).toHaveLength(1);
  });
});
