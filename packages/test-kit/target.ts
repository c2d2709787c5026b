import { resolve } from 'node:path';

/**
 * Where a lesson keeps its slow tests (a login flood, a 30 s memory test):
 * `pnpm verify` and CI run them with `pnpm test:slow`; `pnpm test`,
 * `pnpm check` and `pnpm grade` never do. Kept here, not in vitest.ts: the
 * course's commands read it, and vitest/config takes a second to load.
 */
export const SLOW_DIR = 'test/slow/';

/**
 * One run of a lesson's tests, as the course's commands (`pnpm check`,
 * `pnpm grade`, …) describe it to the vitest child they start, in the one
 * environment variable `COURSE_RUN` (JSON).
 */
export interface RunSpec {
  /** The folder the tests import `#target/…` from. */
  target: string;
  /** vitest `test` options the run adds to the lesson's own config (the guard, workers, retry). */
  test?: Record<string, unknown>;
  /** Where the reporter and the guard append their events, one JSON line each. */
  reportFile?: string;
  /** Unique to the run: its processes are found by their environment. */
  runId?: string;
}

/** The run the course's commands started this process for, if any. */
export function runSpec(env: NodeJS.ProcessEnv = process.env): RunSpec | undefined {
  return env.COURSE_RUN ? (JSON.parse(env.COURSE_RUN) as RunSpec) : undefined;
}

/**
 * The folder a lesson's tests run against: the run's target (a starter, a
 * student's submission), the one `LESSON_TARGET` names, or else the lesson's
 * `src/`. Tests import it as `#target/…`; a test that starts the lesson's
 * `server.ts` as a process needs the folder itself.
 *
 * @example
 * const server = join(lessonTarget(lessonDir), 'server.ts');
 */
export function lessonTarget(lessonDir: string): string {
  const target = runSpec()?.target ?? process.env.LESSON_TARGET;
  return target ? resolve(process.cwd(), target) : resolve(lessonDir, 'src');
}
