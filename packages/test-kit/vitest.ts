import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';
import { lessonTarget, runSpec } from './target.ts';

/**
 * The vitest config of one lesson. Tests import the code under test from
 * `#target/…`, which points at the lesson's `src/` unless `LESSON_TARGET`
 * names another folder (the starter, or a student's submission). Under the
 * course's commands, the run they describe in `COURSE_RUN` (see `RunSpec`)
 * names the target and adds its own test options: every command runs the
 * lesson's own config.
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
      include: ['test/**/*.test.ts'],
      testTimeout: 5000,
      ...runSpec()?.test,
    },
  });
}
