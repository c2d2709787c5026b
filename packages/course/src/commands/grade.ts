import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import pMap from 'p-map';
import { lessonArg, parseCommandArgs, positiveNumber, startCommand, UsageError } from '../cli.ts';
import { sharedBrowser } from '../grading/browser.ts';
import { Copies } from '../grading/copies.ts';
import { type SharedRedis, sharedRedis } from '../grading/redis.ts';
import { runSuite, type SuiteRun, stopRunsOnSignal, type TestOutcome } from '../grading/run.ts';
import { type Score, scoreRun } from '../grading/score.ts';
import { type ExpectedTest, gradedTestFiles } from '../grading/tests.ts';
import { type Lesson, lessonTag } from '../lessons.ts';

export const USAGE = `Usage: pnpm grade <lesson> <dir>... [options]

Grade a class: run a lesson's tests against each student's copy of the
lesson's starter folder, each in a process of its own with its own ports and
a time limit, and write the grades.

  <lesson>          the lesson's number (3 or 03), slug (rooms) or folder (03-rooms)
  <dir>...          one folder per student, each a copy of lessons/NN-slug/starter;
                    the folder's name is the student's name in the grades

Options:
  --timeout <s>     stop a submission's tests after this many seconds (default: 60)
  --jobs <n>        grade this many submissions at once (default: the number of cores)
  --out <dir>       write lesson-NN.csv, lesson-NN.json and lesson-NN/<student>.xml
                    (JUnit) into this folder (default: grades)
  -h, --help        show this help

Exit code: 0 once every submission is graded, whatever the grades; 2 for bad usage.`;

export interface GradeRun {
  lesson: Lesson;
  submissions: { student: string; dir: string }[];
  timeoutMs: number;
  jobs: number;
  out: string;
}

/** Turn `pnpm grade` arguments into a run, or throw a UsageError that says what is wrong. */
export function parseGradeArgs(argv: string[], cwd = process.cwd()): GradeRun | 'help' {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      timeout: { type: 'string' },
      jobs: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) return 'help';
  const [query, ...dirs] = positionals;
  const lesson = lessonArg(query, USAGE);
  if (dirs.length === 0) {
    throw new UsageError(
      `Name at least one folder to grade, each a student's copy of lessons/${lesson.id}/starter.\n\n${USAGE}`,
    );
  }
  const submissions = dirs.map((dir) => {
    const path = resolve(cwd, dir);
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      throw new UsageError(
        `"${dir}" is not a folder: each <dir> is one student's copy of the starter.`,
      );
    }
    return { student: basename(path), dir: path };
  });
  const seen = new Set<string>();
  for (const { student } of submissions) {
    if (seen.has(student)) {
      throw new UsageError(
        `Two folders are named "${student}": the folder's name is the student's name, so make each one unique.`,
      );
    }
    seen.add(student);
  }
  return {
    lesson,
    submissions,
    timeoutMs: positiveNumber('--timeout', values.timeout ?? '60') * 1000,
    jobs: positiveNumber('--jobs', values.jobs ?? String(availableParallelism()), 'whole number'),
    out: resolve(cwd, values.out ?? 'grades'),
  };
}

export interface StudentGrade extends Score {
  student: string;
  dir: string;
  durationMs: number;
  timedOut: boolean;
}

export interface ClassGrades {
  lesson: Lesson;
  expected: ExpectedTest[];
  /** Tests the reference fails on this machine: left out of every grade. */
  excluded: ExpectedTest[];
  students: StudentGrade[];
}

/**
 * Grade every submission: the reference first (its passing tests are what a
 * submission is scored on), then each student's copy, made outside the source
 * tree (see copies.ts) and deleted once graded.
 */
export async function gradeClass(
  run: GradeRun,
  onDone: (student: string) => void = () => {},
): Promise<ClassGrades> {
  const { lesson, timeoutMs } = run;
  const files = gradedTestFiles(lesson);
  const copies = new Copies(lesson);
  const removeCopies = () => copies.removeAll();
  process.once('exit', removeCopies);

  const jobs: { student?: string; target: string }[] = [
    { target: join(lesson.dir, 'src') },
    ...run.submissions.map(({ student, dir }) => ({ student, target: copies.add(student, dir) })),
  ];
  let runs: SuiteRun[];
  // One browser and one Redis for the whole class, where the lesson's tests need them.
  const browser = await sharedBrowser([lesson]);
  let redis: SharedRedis | undefined;
  try {
    redis = await sharedRedis(lesson);
    const { env, prefixFor } = redis;
    runs = await pMap(
      jobs,
      async ({ student, target }, index) => {
        // The reference gets time to spare: every grade depends on it.
        const limit = student === undefined ? Math.max(timeoutMs * 2, 120_000) : timeoutMs;
        const result = await runSuite({
          lesson,
          target,
          files,
          timeoutMs: limit,
          env: { ...browser.env, ...env, ...prefixFor(index) },
          // Runs side by side, one worker each; a failed test runs once more before it counts.
          maxWorkers: 1,
          retry: true,
        });
        if (student !== undefined) {
          copies.remove(target);
          onDone(student);
        }
        return result;
      },
      { concurrency: run.jobs },
    );
  } finally {
    removeCopies();
    process.off('exit', removeCopies);
    await Promise.all([browser.close(), redis?.close()]);
  }

  const [reference, ...submissions] = runs as [SuiteRun, ...SuiteRun[]];
  const expected = reference.tests
    .filter((test) => test.state === 'passed')
    .map(({ file, name }) => ({ file, name }));
  if (expected.length === 0) {
    throw new Error(
      `The reference solution of lesson ${lesson.number} passes none of its tests here, so nothing can be graded${reference.timedOut ? ' (it did not finish in time)' : ''}:\n${reference.output}`,
    );
  }
  const excluded = reference.tests
    .filter((test) => test.state !== 'passed')
    .map(({ file, name }) => ({ file, name }));
  return {
    lesson,
    expected,
    excluded,
    students: submissions.map((result, index) => {
      const { student, dir } = run.submissions[index] as { student: string; dir: string };
      return {
        student,
        dir,
        durationMs: Math.round(result.durationMs),
        timedOut: result.timedOut,
        ...scoreRun(result, expected, timeoutMs),
      };
    }),
  };
}

const percent = (score: number) => Math.round(score * 1000) / 10;

/** The grades as a table for the terminal. */
export function gradesTable(grades: ClassGrades, width = process.stdout.columns ?? 120): string {
  const reasonWidth = Math.max(30, width - 50);
  const table = new Table({
    head: ['Student', 'Passed', 'Total', 'Score', 'Reason'],
    colAligns: ['left', 'right', 'right', 'right', 'left'],
    colWidths: [null, null, null, null, reasonWidth],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const grade of grades.students) {
    table.push([
      grade.student,
      grade.passed,
      grade.total,
      `${percent(grade.score)}%`,
      grade.reasons.join('; '),
    ]);
  }
  return table.toString();
}

/** `lesson-03.csv`: one row per student, for a gradebook. */
export function gradesCsv(grades: ClassGrades): string {
  return stringify(
    grades.students.map((grade) => [
      grade.student,
      grade.passed,
      grade.total,
      percent(grade.score),
      grade.reasons.join('; '),
    ]),
    {
      header: true,
      columns: ['student', 'passed', 'total', 'score', 'reason'],
      // A reason quotes the student's own error messages: keep a spreadsheet from running them.
      escape_formulas: true,
    },
  );
}

/** `lesson-03.json`: everything, down to each test's outcome. */
export function gradesJson(grades: ClassGrades, gradedAt = new Date()): string {
  const { lesson } = grades;
  return `${JSON.stringify(
    {
      lesson: { number: lesson.number, id: lesson.id, title: lesson.title },
      gradedAt: gradedAt.toISOString(),
      tests: grades.expected,
      excluded: grades.excluded,
      students: grades.students.map((grade) => ({
        student: grade.student,
        dir: grade.dir,
        passed: grade.passed,
        total: grade.total,
        score: percent(grade.score),
        reasons: grade.reasons,
        timedOut: grade.timedOut,
        durationMs: grade.durationMs,
        tests: grade.tests.map(({ file, name, state, errors }) => ({
          file,
          name,
          state,
          ...(errors.length > 0 ? { errors } : {}),
        })),
      })),
    },
    null,
    2,
  )}\n`;
}

const xml = (text: string | number) =>
  String(text)
    // Characters XML 1.0 cannot hold at all, then the five it must escape.
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** One student's results as JUnit XML, the format CI systems and LMS plugins read. */
export function gradeJunit(lesson: Lesson, grade: StudentGrade): string {
  const byFile = new Map<string, TestOutcome[]>();
  for (const test of grade.tests) byFile.set(test.file, [...(byFile.get(test.file) ?? []), test]);
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const suites = [...byFile].map(([file, tests]) => {
    const failures = tests.filter((test) => test.state !== 'passed').length;
    const cases = tests.map((test) => {
      const open = `    <testcase classname="${xml(file)}" name="${xml(test.name)}" time="${seconds(test.durationMs)}"`;
      if (test.state === 'passed') return `${open}/>`;
      const message = test.errors[0] ?? 'failed';
      return `${open}>\n      <failure message="${xml(message.split('\n')[0] ?? message)}">${xml(test.errors.join('\n\n'))}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${xml(file)}" tests="${tests.length}" failures="${failures}" errors="0">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const properties =
    grade.reasons.length === 0
      ? ''
      : `  <properties>\n${grade.reasons.map((reason) => `    <property name="reason" value="${xml(reason)}"/>`).join('\n')}\n  </properties>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${xml(`${lesson.id}: ${grade.student}`)}" tests="${grade.total}" failures="${grade.total - grade.passed}" time="${seconds(grade.durationMs)}">
${properties}${suites.join('\n')}
</testsuites>
`;
}

/** The files `pnpm grade` writes, by path relative to `--out`. */
export function gradeFiles(grades: ClassGrades): Map<string, string> {
  const name = lessonTag(grades.lesson);
  const files = new Map([
    [`${name}.csv`, gradesCsv(grades)],
    [`${name}.json`, gradesJson(grades)],
  ]);
  for (const grade of grades.students) {
    files.set(join(name, `${grade.student}.xml`), gradeJunit(grades.lesson, grade));
  }
  return files;
}

/**
 * `pnpm grade <lesson> <dir>... [--timeout s] [--jobs n] [--out dir]`:
 * returns the exit code.
 */
export async function runGrade(argv: string[]): Promise<number> {
  const run = startCommand(() => parseGradeArgs(argv), USAGE);
  if (typeof run === 'number') return run;

  const { lesson, submissions } = run;
  const count = submissions.length === 1 ? '1 submission' : `${submissions.length} submissions`;
  console.log(
    `Lesson ${lesson.number}: ${lesson.title}. Grading ${count}, ${run.jobs} at a time, ${run.timeoutMs / 1000} s each.`,
  );
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: '  {bar} {value}/{total} graded  {student}', hideCursor: true })
    : undefined;
  bar?.start(submissions.length, 0, { student: '' });
  let grades: ClassGrades;
  const stopOnSignal = stopRunsOnSignal();
  try {
    grades = await gradeClass(run, (student) => bar?.increment({ student }));
  } finally {
    stopOnSignal();
    bar?.stop();
  }

  if (grades.excluded.length > 0) {
    console.warn(
      `\nThe reference solution fails ${grades.excluded.length} test(s) on this machine, so no grade counts them:\n${grades.excluded.map((test) => `  - ${test.file} > ${test.name}`).join('\n')}\nFix the machine (is Chromium installed?) and grade again for full marks on them.`,
    );
  }
  console.log(`\n${gradesTable(grades)}`);
  const files = gradeFiles(grades);
  for (const [file, content] of files) {
    mkdirSync(dirname(join(run.out, file)), { recursive: true });
    writeFileSync(join(run.out, file), content);
  }
  const [csv, json, junit] = [...files.keys()];
  console.log(`\nWrote ${csv}, ${json} and ${dirname(junit ?? '')}/<student>.xml in ${run.out}`);
  return 0;
}
