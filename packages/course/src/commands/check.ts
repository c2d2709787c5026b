import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import pc from 'picocolors';
import type { RunEvent } from '../child/reporter.ts';
import { HELP, parseLessonCommand, positiveNumber, startCommand } from '../cli.ts';
import { belongsTo, type ExerciseState, exerciseStates } from '../exercises.ts';
import { currentListing } from '../grading/listing.ts';
import { collectRun, type FileOutcome, runSuite, type TestOutcome } from '../grading/run.ts';
import { type Score, scoreRun } from '../grading/score.ts';
import { expectedTests, gradedTestFiles } from '../grading/tests.ts';
import { type TypeProblem, typeProblems } from '../grading/typecheck.ts';
import { type Exercise, type Lesson, listLessons, ROOT } from '../lessons.ts';
import { missingForTests } from '../requirements.ts';
import { hintLabel, nextHint, rememberCurrentExercise } from './hint.ts';

export const USAGE = `Usage: pnpm check <lesson> [<exercise>] [options]

Run a lesson's tests against your starter (lessons/NN-slug/starter): see how
many pass, what each failing test expected, how far each exercise is, and the
next hint of the first exercise that still fails. The exit code is 0 only
when every test passes.

  <lesson>          the lesson's number (3 or 03), slug (rooms) or folder (03-rooms)
  <exercise>        run only that exercise's tests, e.g. members

Options:
  --watch           run the tests again each time you save a file
  --solution        run them against the reference solution (lessons/NN-slug/src)
  --verbose         show what your code printed (console.log) under every test,
                    not only under the failing ones
  --timeout <s>     stop the tests after this many seconds (default: 60), as an
                    endless loop would otherwise keep them running forever
  -h, --help        show this help`;

/** The graded test files that hold at least one of `exercise`'s tests. */
function exerciseTestFiles(lesson: Lesson, exercise: Exercise): string[] {
  const files = new Set(
    (currentListing(lesson.dir) ?? [])
      .filter((test) => belongsTo(exercise, test))
      .map((test) => test.file),
  );
  const graded = gradedTestFiles(lesson);
  return files.size === 0 ? graded : graded.filter((file) => files.has(file));
}

export interface CheckRun {
  lesson: Lesson;
  /** Only this exercise's tests; every graded test when left out. */
  exercise?: Exercise | undefined;
  watch: boolean;
  solution: boolean;
  verbose: boolean;
  timeoutMs: number;
}

/** Turn `pnpm check` arguments into a run, or throw a UsageError that says what is wrong. */
export function parseCheckArgs(argv: string[]): CheckRun | 'help' {
  const parsed = parseLessonCommand(
    argv,
    {
      watch: { type: 'boolean' },
      solution: { type: 'boolean' },
      verbose: { type: 'boolean' },
      timeout: { type: 'string' },
      help: HELP,
    },
    USAGE,
    { exercise: true },
  );
  if (parsed === 'help') return 'help';
  const { lesson, exercise, values } = parsed;
  return {
    lesson,
    exercise,
    watch: values.watch ?? false,
    solution: values.solution ?? false,
    verbose: values.verbose ?? false,
    timeoutMs: positiveNumber('--timeout', values.timeout ?? '60') * 1000,
  };
}

const indent = (text: string, prefix: string) =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('If this is a long-running test'))
    .slice(0, 12) // a message, and the changed lines of its diff (see errorText())
    .map((line) => `${prefix}${line.length > 200 ? `${line.slice(0, 199)}…` : line}`)
    .join('\n');

/**
 * What `pnpm check` prints the moment a test file finishes: how many of its
 * tests pass, and each failing test with what it expected.
 */
export function formatFile(file: FileOutcome, outcomes: TestOutcome[], verbose = false): string {
  if (file.tests === 0) return `${pc.red('✗')} ${file.file} could not run (why is below)`;
  const skipped = outcomes.filter((test) => test.state === 'skipped');
  const tests = outcomes.filter((test) => !skipped.includes(test));
  const passed = tests.filter((test) => test.state === 'passed').length;
  const counted = `${file.file}: ${passed} of ${tests.length} pass`;
  const skips = skippedLines(skipped);
  if (tests.length === 0 && skips.length > 0) return [`${file.file}:`, ...skips].join('\n');
  if (passed === tests.length && !(verbose && tests.some((test) => test.logs))) {
    return [`${pc.green('✓')} ${counted}`, ...skips].join('\n');
  }
  const lines = [counted, ...skips];
  for (const test of tests) {
    const failed = test.state !== 'passed';
    if (failed) {
      lines.push(`${pc.red('✗')} ${test.name}`);
      const [error] = test.errors;
      if (error) lines.push(pc.dim(indent(error, '    ')));
    } else if (verbose && test.logs) {
      lines.push(`${pc.green('✓')} ${test.name}`);
    }
    // What the code printed while the test ran: under a failing test, or every test with --verbose.
    if ((failed || verbose) && test.logs) {
      lines.push(pc.dim('    console output:'), ...test.logs.map((log) => `      ${log}`));
    }
  }
  return lines.join('\n');
}

/** `↓ 1 test skipped: No Chromium found. Install one with: …`, once per reason. */
function skippedLines(skipped: TestOutcome[]): string[] {
  const byNote = new Map<string, number>();
  for (const test of skipped.filter((test) => test.note)) {
    byNote.set(test.note ?? '', (byNote.get(test.note ?? '') ?? 0) + 1);
  }
  return [...byNote].map(([note, count]) =>
    pc.yellow(`↓ ${count} test${count === 1 ? '' : 's'} skipped: ${note}`),
  );
}

/** `✓ handshake 4/4   ✗ members 1/3`: each exercise's passed/total, in order. */
function exerciseLines(states: ExerciseState[]): string[] {
  if (states.length === 0) return [];
  const width = Math.max(...states.map((state) => state.exercise.id.length));
  return [
    '',
    'Exercises:',
    ...states.map(({ exercise, passed, total }) => {
      const done = total > 0 && passed === total;
      const mark = done ? pc.green('✓') : total === 0 ? pc.dim('·') : pc.red('✗');
      const count = total === 0 ? 'not run' : `${passed}/${total}`;
      return `  ${mark} ${exercise.id.padEnd(width)}  ${count.padEnd(7)} ${pc.dim(exercise.title)}`;
    }),
  ];
}

/** The first exercise that still fails, in the lesson's order. */
export function firstFailing(states: ExerciseState[]): Exercise | undefined {
  return states.find(({ passed, total }) => total > 0 && passed < total)?.exercise;
}

/**
 * The report `pnpm check` ends with: passed/total, each exercise's state,
 * what went wrong, then the next hint of the first exercise that still fails.
 */
export function formatCheck(
  lesson: Lesson,
  score: Score,
  solution: boolean,
  only?: Exercise,
): string {
  const lines: string[] = [];
  const skips = skippedLines(score.skipped);
  const states = exerciseStates(lesson, score.tests).filter(
    (state) => !only || state.exercise === only,
  );
  const allPass = score.total > 0 && score.passed === score.total && score.reasons.length === 0;
  if (allPass) {
    const all = score.total === 1 ? 'The one test passes.' : `All ${score.total} tests pass.`;
    lines.push(pc.green(`✓ ${all}`), ...skips);
    if (only && !solution) {
      const next = lesson.exercises[lesson.exercises.indexOf(only) + 1];
      lines.push(
        next
          ? `Exercise ${only.id} is done. Next: ${next.id}, ${next.title} (\`pnpm check ${lesson.number} ${next.id}\`).`
          : `Exercise ${only.id} is done. \`pnpm check ${lesson.number}\` runs the whole lesson.`,
      );
    } else if (!solution) {
      const next = listLessons().find((other) => other.number > lesson.number);
      lines.push(
        next
          ? `Lesson ${lesson.number} is done. Next: lesson ${next.number}, ${next.title} (\`pnpm check ${next.number}\`).`
          : `Lesson ${lesson.number} is done, and it is the last one. Well done.`,
      );
    }
    return lines.join('\n');
  }
  const colour = score.passed === 0 ? pc.red : pc.yellow;
  lines.push(colour(`${score.passed} of ${score.total} tests pass.`), ...skips);
  if (!only) lines.push(...exerciseLines(states));
  if (score.reasons.length > 0) {
    lines.push('', 'What went wrong:', ...score.reasons.map((reason) => `  - ${reason}`));
  }
  const failing = firstFailing(states) ?? (only && !allPass ? only : undefined);
  if (!solution && failing) {
    const hint = nextHint(lesson, failing);
    lines.push(
      '',
      `${pc.cyan(`${hintLabel(failing, hint.number)}:`)} ${hint.text}`,
      pc.dim(
        `(\`pnpm hint ${lesson.number}\` takes this hint, then gives one more each time you ask; \`pnpm check ${lesson.number} ${failing.id}\` runs only this exercise's tests.)`,
      ),
    );
  }
  return lines.join('\n');
}

/** The type errors in the learner's files, as warnings; empty when there are none. */
export function formatTypeProblems(problems: TypeProblem[], max = 10): string {
  if (problems.length === 0) return '';
  const lines = problems
    .slice(0, max)
    .map(({ file, line, message }) => `  ${file}:${line}: ${message}`);
  if (problems.length > max) lines.push(`  … and ${problems.length - max} more`);
  return pc.yellow(
    `\nType errors (a warning: the tests ran anyway, but the code may not do what you think):\n${lines.join('\n')}`,
  );
}

/**
 * `pnpm check <lesson> [--watch] [--solution] [--timeout s]`: returns the exit
 * code. Parse, run (printing each test file's results as it finishes), score,
 * print: the run is `runSuite()`'s, as for every other command.
 */
export async function runCheck(argv: string[]): Promise<number> {
  const run = startCommand(() => parseCheckArgs(argv), USAGE);
  if (typeof run === 'number') return run;

  const { lesson, solution, exercise } = run;
  const target = join(lesson.dir, solution ? 'src' : 'starter');
  const which = solution ? 'the reference solution' : 'your starter';
  console.log(
    `Lesson ${lesson.number}: ${lesson.title}${exercise ? `, exercise ${exercise.id}: ${exercise.title}` : ''}\nTesting ${which} in ${relative(process.cwd(), target) || '.'}\n`,
  );
  for (const line of missingForTests(lesson)) console.log(pc.yellow(line));

  let exitCode = 1;
  let events: RunEvent[] = [];
  let reporting = Promise.resolve();
  const onEvent = (event: RunEvent) => {
    if (event.type === 'start') events = [];
    events.push(event);
    if (event.type === 'file') {
      const tests = collectRun(events).tests.filter(
        (test) => test.file === event.file && (!exercise || belongsTo(exercise, test)),
      );
      reporting = reporting.then(() => console.log(`${formatFile(event, tests, run.verbose)}\n`));
    }
    if (event.type !== 'end') return;
    const finished = { ...collectRun(events), timedOut: false, output: '', durationMs: 0 };
    reporting = reporting.then(async () => {
      const expected = (await expectedTests(lesson)).filter(
        (test) => !exercise || belongsTo(exercise, test),
      );
      const score = scoreRun(finished, expected, Number.POSITIVE_INFINITY);
      exitCode = score.total > 0 && score.passed === score.total ? 0 : 1;
      console.log(formatCheck(lesson, score, solution, exercise));
      // pnpm hint goes on from the exercise this check pointed to: the one checked alone,
      // if it failed, or else the first that fails.
      if (!solution) {
        const failed = exercise ? (exitCode === 0 ? undefined : exercise) : undefined;
        const pointed = failed ?? firstFailing(exerciseStates(lesson, score.tests));
        if (!exercise || failed) rememberCurrentExercise(lesson, pointed);
      }
      if (run.watch) {
        console.log(
          pc.dim(`\nWatching ${relative(ROOT, target)} for changes. Press Ctrl-C to stop.`),
        );
      }
    });
  };

  // Ctrl-C stops the run and everything it started; the report so far stays on screen.
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  // Type errors are worth knowing, never a reason to fail: tsc runs beside the tests.
  const types = run.watch
    ? Promise.resolve([])
    : typeProblems(target, lesson.dir, { signal: controller.signal });
  const result = await runSuite({
    lesson,
    target,
    files: exercise ? exerciseTestFiles(lesson, exercise) : gradedTestFiles(lesson),
    mode: run.watch ? 'watch' : 'run',
    timeoutMs: run.timeoutMs,
    // One worker per core: a browser test runs beside the others, not after them.
    maxWorkers: availableParallelism(),
    onEvent,
    signal: controller.signal,
  });
  process.off('SIGINT', abort);
  process.off('SIGTERM', abort);
  await reporting;
  const typeLines = formatTypeProblems(await types);
  if (typeLines) console.log(typeLines);
  if (result.timedOut) {
    console.error(
      `Stopped the tests after ${run.timeoutMs / 1000} s: one never finished. Look for an endless loop, or a promise that never settles (\`--timeout\` gives them longer).`,
    );
    return 1;
  }
  if (!result.finished && !run.watch && !controller.signal.aborted) {
    console.error(`The tests could not run:\n${result.output}`);
    return 1;
  }
  return exitCode;
}
