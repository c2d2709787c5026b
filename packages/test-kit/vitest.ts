import { availableParallelism } from 'node:os';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineProject, type UserWorkspaceConfig } from 'vitest/config';
import { lessonTarget, runSpec, SLOW_DIR } from './target.ts';

/** Whether this run is the slow suite's (`COURSE_SLOW=1`, set by `pnpm test:slow`). */
function slowRun(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.COURSE_SLOW === '1';
}

/**
 * The vitest config of one lesson. Tests import the code under test from
 * `#target/…`, which points at the lesson's `src/` unless `LESSON_TARGET`
 * names another folder (the starter, or a student's submission). Under the
 * course's commands, the run they describe in `COURSE_RUN` (see `RunSpec`)
 * names the target and adds its own test options: every command runs the
 * lesson's own config. Tests under `test/slow/` run only in the slow suite
 * (`COURSE_SLOW=1`), which runs nothing else.
 *
 * @example
 * // lessons/03-rooms/vitest.config.ts
 * export default lessonConfig(import.meta.url);
 */
export function lessonConfig(configUrl: string): UserWorkspaceConfig {
  const lessonDir = dirname(fileURLToPath(configUrl));
  const target = lessonTarget(lessonDir);
  return defineProject({
    resolve: { alias: { '#target': target } },
    test: {
      name: basename(lessonDir),
      include: slowRun() ? [`${SLOW_DIR}**/*.test.ts`] : ['test/**/*.test.ts'],
      exclude: slowRun() ? configDefaults.exclude : [...configDefaults.exclude, `${SLOW_DIR}**`],
      testTimeout: 5000,
      // The files share worker threads and their module cache, which halves a lesson's time,
      // for pnpm test and the course's commands alike. Each test builds its own app.
      pool: 'threads',
      isolate: false,
      // Every core, as the root config (pnpm test) gives each project: the tests wait on
      // sockets and Chromium as much as on the CPU, and vitest leaves one core free by default.
      maxWorkers: availableParallelism(),
      ...runSpec()?.test,
    },
  });
}
