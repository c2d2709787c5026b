import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import pMap from 'p-map';
import pc from 'picocolors';
import { lessonArg, parseCommandArgs, positiveNumber, startCommand } from '../cli.ts';
import { exerciseDefects, testMappingDefects } from '../exercises.ts';
import { sharedBrowser } from '../grading/browser.ts';
import { currentListing, starterAsShipped } from '../grading/listing.ts';
import { runSuite, stopRunsOnSignal } from '../grading/run.ts';
import { scoreRun } from '../grading/score.ts';
import {
  type ExpectedTest,
  exercisesTarget,
  FACTS_DIR,
  gradedTestFiles,
  testFiles,
} from '../grading/tests.ts';
import { type Lesson, listLessons } from '../lessons.ts';

export const USAGE = `Usage: pnpm lessons:verify [<lesson>...] [options]

Prove, for every lesson (or the ones named), that the reference solution
passes every test, without leaving anything open, that the starter as
shipped fails at least one, and that every starter file without a TODO:
is identical to its src/ twin. A lesson whose starter passes is a defect. CI
runs this as part of \`pnpm verify\`.

Options:
  --timeout <s>     stop one lesson's run after this many seconds (default: 120)
  -h, --help        show this help

Exit code: 0 when every lesson holds, 1 otherwise, 2 for bad usage.`;

/** The most of its graded tests a starter as shipped may pass. */
export const MAX_STARTER_PASS = 0.25;

export interface LessonVerdict {
  lesson: Lesson;
  reference: { passed: number; total: number };
  starter: { passed: number; total: number };
  /** What is wrong with the lesson; empty when it holds. */
  defects: string[];
}

/** Run one lesson's reference (every test file) and starter (graded files) and judge them. */
export async function verifyLesson(
  lesson: Lesson,
  timeoutMs: number,
  env: Record<string, string> = {},
): Promise<LessonVerdict> {
  const defects = exerciseDefects(lesson);
  const all = testFiles(lesson);
  const graded = gradedTestFiles(lesson);
  if (graded.length === 0)
    defects.push(`every test file is in ${FACTS_DIR}: nothing grades the starter`);
  for (const file of graded.filter(
    (file) => !exercisesTarget(join(lesson.dir, file), lesson.dir),
  )) {
    defects.push(
      `${file} is graded but never runs the code under test: import it from #target/ (not only its types), or move the file to ${FACTS_DIR}`,
    );
  }

  const reference = await runSuite({
    lesson,
    target: join(lesson.dir, 'src'),
    files: all,
    timeoutMs,
    env,
  });
  // Full marks are the committed listing's tests; a stale one is a defect, but verifying goes on.
  const listed = currentListing(lesson.dir);
  if (!listed || starterAsShipped(lesson.dir) === false) {
    defects.push('test/tests.json is stale: run pnpm tests:list and commit it');
  }
  const expected: ExpectedTest[] =
    listed ?? reference.tests.map(({ file, name }) => ({ file, name }));
  const referenceScore = scoreRun(reference, expected, timeoutMs);
  if (
    !reference.finished ||
    referenceScore.passed < referenceScore.total ||
    expected.length === 0
  ) {
    defects.push(
      `the reference fails: ${referenceScore.failing.map((test) => test.name).join('; ') || 'no test ran'}`,
    );
  }
  defects.push(...referenceScore.reasons.map((reason) => `the reference ${reason}`));

  const starter = await runSuite({
    lesson,
    target: join(lesson.dir, 'starter'),
    files: graded,
    timeoutMs,
    env,
  });
  const gradedExpected = expected.filter((test) => graded.includes(test.file));
  defects.push(...testMappingDefects(lesson, gradedExpected));
  const starterScore = scoreRun(starter, gradedExpected, timeoutMs);
  if (starterScore.total > 0 && starterScore.passed === starterScore.total) {
    defects.push('the starter as shipped passes every test: leave the learner something to do');
  } else if (starterScore.passed > starterScore.total * MAX_STARTER_PASS) {
    defects.push(
      `the starter as shipped passes ${starterScore.passed} of ${starterScore.total} graded tests, more than a quarter: carve more of the lesson into exercises`,
    );
  }
  if (starter.timedOut) {
    defects.push('the starter hangs: its stand-ins must fail fast (a 501, not a wait)');
  }
  return {
    lesson,
    reference: { passed: referenceScore.passed, total: referenceScore.total },
    starter: { passed: starterScore.passed, total: starterScore.total },
    defects,
  };
}

/** `pnpm lessons:verify [<lesson>...] [--timeout s]`: returns the exit code. */
export async function runVerifyLessons(argv: string[]): Promise<number> {
  const run = startCommand(() => {
    const { values, positionals } = parseCommandArgs(
      argv,
      { timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      USAGE,
    );
    if (values.help) return 'help';
    const all = listLessons();
    const named = positionals.map((query) => lessonArg(query, USAGE, all));
    const seconds = positiveNumber('--timeout', values.timeout ?? '120');
    return { lessons: named.length > 0 ? named : all, timeoutMs: seconds * 1000 };
  }, USAGE);
  if (typeof run === 'number') return run;
  const { lessons, timeoutMs } = run;

  console.log(`Verifying ${lessons.length} lesson(s): the reference passes, the starter fails.\n`);
  const stopOnSignal = stopRunsOnSignal();
  const browser = await sharedBrowser(lessons);
  const verdicts = await pMap(lessons, (lesson) => verifyLesson(lesson, timeoutMs, browser.env), {
    concurrency: availableParallelism(),
  }).finally(() => {
    stopOnSignal();
    return browser.close();
  });
  const table = new Table({
    head: ['Lesson', 'Reference', 'Starter as shipped', 'Verdict'],
    style: { head: [], border: [] },
  });
  for (const { lesson, reference, starter, defects } of verdicts) {
    table.push([
      lesson.id,
      `${reference.passed}/${reference.total} pass`,
      `${starter.passed}/${starter.total} pass`,
      defects.length === 0 ? pc.green('holds') : pc.red('defect'),
    ]);
  }
  console.log(table.toString());
  const broken = verdicts.filter((verdict) => verdict.defects.length > 0);
  for (const { lesson, defects } of broken) {
    console.error(
      `\n${pc.red(lesson.id)}:\n${defects.map((defect) => `  - ${defect}`).join('\n')}`,
    );
  }
  return broken.length === 0 ? 0 : 1;
}
