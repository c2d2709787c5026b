import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import pMap from 'p-map';
import pc from 'picocolors';
import { noMoreArgs, parseCommandArgs, startCommand } from '../cli.ts';
import { exerciseStates } from '../exercises.ts';
import { sharedBrowser } from '../grading/browser.ts';
import { starterAsShipped } from '../grading/listing.ts';
import { runSuite, stopRunsOnSignal } from '../grading/run.ts';
import { scoreRun } from '../grading/score.ts';
import { expectedTests, gradedTestFiles } from '../grading/tests.ts';
import { type Lesson, listLessons } from '../lessons.ts';

export const USAGE = `Usage: pnpm progress

Show where you are in every lesson: not started (its starter is as shipped:
no test runs), in progress (exercises done out of the lesson's, and tests
passing), or done (every test passes). The tests of each lesson you have
started run against your starter.

Options:
  -h, --help        show this help`;

export type LessonState =
  | { state: 'not started' }
  | {
      state: 'in progress';
      passed: number;
      total: number;
      exercisesDone: number;
      exercises: number;
    }
  | { state: 'done'; total: number };

/** How long one lesson's run may take. */
const TIMEOUT_MS = 120_000;

/** Each lesson's state, from a real run of its tests against the starter. */
export async function lessonStates(
  lessons = listLessons(),
  jobs = availableParallelism(),
): Promise<Map<Lesson, LessonState>> {
  const browser = await sharedBrowser(lessons);
  const states = await pMap(
    lessons,
    async (lesson): Promise<LessonState> => {
      // Untouched since it was shipped: nothing of the learner's to test.
      if (starterAsShipped(lesson.dir)) return { state: 'not started' };
      const files = gradedTestFiles(lesson);
      const run = await runSuite({
        lesson,
        target: join(lesson.dir, 'starter'),
        files,
        timeoutMs: TIMEOUT_MS,
        env: browser.env,
      });
      const score = scoreRun(run, await expectedTests(lesson), TIMEOUT_MS);
      const { passed, total } = score;
      if (total > 0 && passed === total && run.finished) return { state: 'done', total };
      const exercises = exerciseStates(lesson, score.tests);
      const exercisesDone = exercises.filter((e) => e.total > 0 && e.passed === e.total).length;
      return { state: 'in progress', passed, total, exercisesDone, exercises: exercises.length };
    },
    { concurrency: jobs },
  ).finally(() => browser.close());
  return new Map(lessons.map((lesson, index) => [lesson, states[index] as LessonState]));
}

export function formatProgress(states: Map<Lesson, LessonState>): string {
  const table = new Table({
    head: ['#', 'Lesson', 'State'],
    style: { head: [], border: [] },
  });
  for (const [lesson, state] of states) {
    const text =
      state.state === 'done'
        ? pc.green(`done (${state.total}/${state.total})`)
        : state.state === 'in progress'
          ? pc.yellow(
              `in progress: ${state.exercises > 0 ? `${state.exercisesDone} of ${state.exercises} exercises, ` : ''}${state.passed}/${state.total} tests`,
            )
          : pc.dim('not started');
    table.push([lesson.number, lesson.title, text]);
  }
  const next = [...states].find(([, state]) => state.state !== 'done')?.[0];
  const footer = next
    ? `Next: \`pnpm check ${next.number}\` for lesson ${next.number}, or \`pnpm lesson ${next.number}\` to see it run.`
    : 'Every lesson is done.';
  return `${table.toString()}\n${footer}`;
}

/** `pnpm progress`: returns the exit code. */
export async function runProgress(argv: string[]): Promise<number> {
  const run = startCommand(() => {
    const { values, positionals } = parseCommandArgs(
      argv,
      { help: { type: 'boolean', short: 'h' } },
      USAGE,
    );
    if (values.help) return 'help';
    noMoreArgs(positionals, USAGE);
    return {};
  }, USAGE);
  if (typeof run === 'number') return run;
  console.log('Running each lesson’s tests against your starter…\n');
  const stopOnSignal = stopRunsOnSignal();
  console.log(formatProgress(await lessonStates()));
  stopOnSignal();
  return 0;
}
