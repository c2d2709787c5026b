import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../src/cli.ts';
import {
  type ClassGrades,
  gradeClass,
  gradeJunit,
  gradesCsv,
  parseGradeArgs,
  runGrade,
} from '../src/commands/grade.ts';
import { COPIES_ROOT, removeStaleCopies } from '../src/grading/copies.ts';
import { processesWithEnv } from '../src/grading/run.ts';
import { findLesson, ROOT } from '../src/lessons.ts';
import { ECHO, FIXTURES, SUBMISSIONS, submission } from './fixtures.ts';

const echo = ECHO;

describe('parseGradeArgs()', () => {
  it('reads the lesson, the folders, --timeout, --jobs and --out', () => {
    const run = parseGradeArgs(
      ['1', submission('complete'), '--timeout', '5', '--jobs', '3', '--out', 'marks'],
      '/tmp',
    );
    expect(run).toMatchObject({
      submissions: [{ student: 'complete', dir: submission('complete') }],
      timeoutMs: 5000,
      jobs: 3,
      out: '/tmp/marks',
    });
    expect(run !== 'help' && run.lesson.id).toBe('01-http-server');
  });

  it.each([
    [[], /Which lesson\?/],
    [['42', '.'], /There is no lesson "42"/],
    [['1'], /Name at least one folder to grade/],
    [['1', '/no/such/folder'], /"\/no\/such\/folder" is not a folder/],
    [['1', submission('complete'), '--jobs', '0'], /--jobs "0" is not valid/],
    [['1', submission('complete'), '--timeout', 'soon'], /--timeout "soon" is not valid/],
    [
      ['1', submission('complete'), join(FIXTURES, 'lessons/01-echo/../../submissions/complete')],
      /Two folders are named "complete"/,
    ],
    [['1', '--nope'], /Unknown option '--nope'/],
  ])('refuses %j with a message that says what to do', (argv, message) => {
    expect(() => parseGradeArgs(argv)).toThrow(UsageError);
    expect(() => parseGradeArgs(argv)).toThrow(message);
  });

  it('exits 2 on bad usage, with the message on stderr', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await runGrade(['1', '/no/such/folder'])).toBe(2);
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/is not a folder/));
    error.mockRestore();
  });
});

describe('gradeClass(), one process per submission', () => {
  const marker = `GRADE_TEST_RUN=${randomUUID()}`;
  const twins = mkdtempSync(join(tmpdir(), 'twins-'));
  let grades: ClassGrades;
  let elapsedMs: number;
  // Room for a run to start and pass a test on a machine busy with the rest of the suite.
  const timeoutMs = 8000;

  beforeAll(async () => {
    // Two students who both listen on port 3000, graded at the same time.
    cpSync(submission('fixed-port'), join(twins, 'fixed-port-twin'), { recursive: true });
    const [key, value] = marker.split('=') as [string, string];
    process.env[key] = value; // inherited by every process the grader starts
    const started = performance.now();
    grades = await gradeClass({
      lesson: echo,
      submissions: [
        ...SUBMISSIONS.map((student) => ({ student, dir: submission(student) })),
        { student: 'fixed-port-twin', dir: join(twins, 'fixed-port-twin') },
      ],
      timeoutMs,
      jobs: 3,
      out: '',
    });
    elapsedMs = performance.now() - started;
    delete process.env[key];
  }, 60_000);
  afterAll(() => rmSync(twins, { recursive: true, force: true }));

  const grade = (student: string) => {
    const found = grades.students.find((entry) => entry.student === student);
    if (!found) throw new Error(`no grade for ${student}`);
    return found;
  };

  it('scores on the tests that import the code from #target/, not the knowledge tests', () => {
    expect(grades.expected.map((test) => test.file)).toEqual([
      'test/app.test.ts',
      'test/app.test.ts',
      'test/app.test.ts',
      'test/app.test.ts',
    ]);
  });

  it('gives a complete submission full marks and no reason, from a copy outside the source tree (../public works)', () => {
    expect(grade('complete')).toMatchObject({ passed: 4, total: 4, score: 1, reasons: [] });
  });

  it('retries a failed test once, and says so when the retry decided it', () => {
    expect(grade('flaky')).toMatchObject({
      passed: 4,
      total: 4,
      reasons: [
        'passed 1 test(s) only when run again (grading runs a failed test once more): createApp() > opens no port',
      ],
    });
  });

  it('says a submission that does not compile does not compile, with the line', () => {
    expect(grade('does-not-compile')).toMatchObject({ passed: 0, total: 4 });
    expect(grade('does-not-compile').reasons).toEqual([
      expect.stringMatching(/^does not compile: app\.ts:10: /),
    ]);
  });

  it('says a submission that throws on import throws, with its message', () => {
    expect(grade('throws-on-import')).toMatchObject({
      passed: 0,
      reasons: ['throws on import: the database is not configured'],
    });
  });

  it('stops a submission that never answers at its time limit and keeps what passed before', () => {
    const stopped = grade('never-answers');
    expect(stopped.timedOut).toBe(true);
    expect(stopped.passed).toBe(1); // "opens no port" passed before the first request hung
    expect(stopped.reasons[0]).toMatch(/^stopped at the 8 s time limit/);
    expect(stopped.durationMs).toBeLessThan(timeoutMs + 2000);
  });

  it('names the line that calls process.exit', () => {
    expect(grade('calls-process-exit')).toMatchObject({
      passed: 0,
      reasons: ['calls process.exit(3) (app.ts:7)'],
    });
  });

  it('moves a fixed port to a free one, so two students on port 3000 get the same grade', () => {
    const reason = 'listens on port 3000 (app.ts:10): only server.ts may listen';
    expect(grade('fixed-port')).toMatchObject({ passed: 0, reasons: [reason] });
    expect(grade('fixed-port-twin')).toMatchObject({ passed: 0, reasons: [reason] });
  });

  it('gives full marks to a submission that leaves a timer and a file watcher running, and says where each started', () => {
    expect(grade('leaves-handles-open')).toMatchObject({
      passed: 4,
      reasons: [
        'leaves a repeating timer (setInterval) open after the tests (app.ts:12)',
        'leaves a file watcher open after the tests (app.ts:13)',
      ],
    });
  });

  it('runs submissions side by side: the whole class takes less than one after another would', () => {
    const sequential = grades.students.reduce((sum, student) => sum + student.durationMs, 0);
    expect(elapsedMs).toBeLessThan(sequential);
  });

  it('leaves no process and no copy behind, and never copies into the source tree', () => {
    expect(processesWithEnv(marker)).toEqual([]);
    expect(existsSync(join(COPIES_ROOT, String(process.pid)))).toBe(false);
    expect(readdirSync(echo.dir).sort()).toEqual([
      'package.json',
      'public',
      'src',
      'starter',
      'test',
      'vitest.config.ts',
    ]);
  });

  it('writes a gradebook CSV that a spreadsheet cannot mistake for formulas', () => {
    const rows = parseCsv(gradesCsv(grades), { columns: true }) as Record<string, string>[];
    expect(rows).toContainEqual({
      student: 'throws-on-import',
      passed: '0',
      total: '4',
      score: '0',
      reason: 'throws on import: the database is not configured',
    });
    expect(rows.find((row) => row.student === 'complete')).toMatchObject({
      score: '100',
      reason: '',
    });
    const hostile = { ...grade('complete'), student: '=HYPERLINK("http://x")' };
    expect(gradesCsv({ ...grades, students: [hostile] })).toContain(`"'=HYPERLINK(""http://x"")"`);
  });

  it('writes JUnit XML with one testcase per test and the failure message, escaped', () => {
    const xml = gradeJunit(echo, grade('does-not-compile'));
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="01-echo: does-not-compile" tests="4" failures="4"/,
    );
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain(
      '<property name="reason" value="does not compile: app.ts:10: Expected `,` or `}` but found `;`"/>',
    );
    expect(gradeJunit(echo, grade('complete'))).not.toContain('<failure');
  });
});

describe('pnpm grade on a real lesson', () => {
  it('grades a copy of lesson 1 at full marks, writes the CSV, the JSON and the JUnit files, and exits 0', async () => {
    const lesson = findLesson('1');
    if (!lesson) throw new Error('lesson 1 is missing');
    const out = mkdtempSync(join(tmpdir(), 'grades-'));
    const students = mkdtempSync(join(tmpdir(), 'class-'));
    cpSync(join(lesson.dir, 'src'), join(students, 'ana'), { recursive: true });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await runGrade(['1', join(students, 'ana'), '--out', out, '--timeout', '30'])).toBe(0);
      const json = JSON.parse(readFileSync(join(out, 'lesson-01.json'), 'utf8'));
      expect(json.students).toEqual([
        expect.objectContaining({ student: 'ana', passed: 11, total: 11, score: 100, reasons: [] }),
      ]);
      expect(readFileSync(join(out, 'lesson-01.csv'), 'utf8')).toBe(
        'student,passed,total,score,reason\nana,11,11,100,\n',
      );
      expect(readFileSync(join(out, 'lesson-01', 'ana.xml'), 'utf8')).toContain(
        'tests="11" failures="0"',
      );
      expect(log).toHaveBeenCalledWith(expect.stringMatching(/│ ana +│ +11 │ +11 │ +100% │/));
    } finally {
      log.mockRestore();
      rmSync(out, { recursive: true, force: true });
      rmSync(students, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('pnpm grade, interrupted', () => {
  const found = findLesson('1');
  if (!found) throw new Error('lesson 1 is missing');
  const lesson = found;

  /** `pnpm grade 1` on one submission whose server never answers, marked for the leak check. */
  function gradeStuckSubmission() {
    const students = mkdtempSync(join(tmpdir(), 'class-'));
    const dir = join(students, 'stuck');
    cpSync(join(lesson.dir, 'src'), dir, { recursive: true });
    const app = readFileSync(join(dir, 'app.ts'), 'utf8');
    writeFileSync(join(dir, 'app.ts'), app.replace('createServer(app)', 'createServer(() => {})'));
    const marker = `GRADE_TEST_RUN=${randomUUID()}`;
    const grader = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/grade.ts', '1', dir, '--timeout', '60', '--out', students],
      {
        cwd: ROOT,
        env: { ...process.env, [marker.split('=')[0] as string]: marker.split('=')[1] },
        stdio: 'ignore',
      },
    );
    const mine = join(COPIES_ROOT, String(grader.pid));
    return {
      grader,
      marker,
      /** The grader's own folder of copies. */
      mine,
      copies: () => (existsSync(mine) ? readdirSync(mine) : []),
      exited: new Promise<number | null>((resolve) => grader.once('exit', (code) => resolve(code))),
      cleanUp: () => {
        grader.kill('SIGKILL');
        rmSync(students, { recursive: true, force: true });
      },
    };
  }

  it('stops every run on Ctrl-C, removes the copies, leaves no process behind and exits 130', async () => {
    const { grader, marker, copies, exited, cleanUp } = gradeStuckSubmission();
    try {
      await vi.waitFor(() => expect(copies()).toHaveLength(1), { timeout: 20_000, interval: 100 });
      grader.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(copies()).toEqual([]);
      await vi.waitFor(() => expect(processesWithEnv(marker)).toEqual([]), { timeout: 2000 });
    } finally {
      cleanUp();
    }
  }, 60_000);

  it('killed outright (SIGKILL), leaves nothing in the source tree, and the next grader deletes its copies', async () => {
    const before = readdirSync(lesson.dir).sort();
    const { grader, marker, mine, exited, cleanUp } = gradeStuckSubmission();
    try {
      await vi.waitFor(() => expect(existsSync(join(mine, '0-stuck', 'submission'))).toBe(true), {
        timeout: 20_000,
        interval: 100,
      });
      grader.kill('SIGKILL');
      await exited;
      expect(readdirSync(lesson.dir).sort()).toEqual(before);
      expect(existsSync(mine)).toBe(true);
      expect(removeStaleCopies()).toContain(String(grader.pid));
      expect(existsSync(mine)).toBe(false);
    } finally {
      // The killed grader could not stop its vitest child: stop it here.
      for (const pid of processesWithEnv(marker)) process.kill(pid, 'SIGKILL');
      cleanUp();
    }
  }, 60_000);
});

describe('removeStaleCopies()', () => {
  it("deletes the copies of graders that stopped, and keeps a running grader's", () => {
    const root = mkdtempSync(join(tmpdir(), 'copies-'));
    try {
      const running = join(root, String(process.pid));
      const stopped = join(root, '999999999'); // above any pid a system hands out
      mkdirSync(join(running, '0-ana', 'submission'), { recursive: true });
      mkdirSync(join(stopped, '0-bob', 'submission'), { recursive: true });
      expect(removeStaleCopies(root)).toEqual(['999999999']);
      expect(readdirSync(root)).toEqual([String(process.pid)]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
