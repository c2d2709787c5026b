// pnpm check <N> [--solution]: run a lesson's tests against your starter (or the reference).
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { findLesson, formatLessonList, ROOT } from '@lessons/course';

const [query, ...flags] = process.argv.slice(2);
const lesson = query === undefined ? undefined : findLesson(query);
if (!lesson) {
  console.error(
    `${query === undefined ? 'Which lesson?' : `There is no lesson "${query}".`} The lessons are:\n\n${formatLessonList()}`,
  );
  process.exit(2);
}
const target = join(lesson.dir, flags.includes('--solution') ? 'src' : 'starter');
const result = spawnSync('pnpm', ['exec', 'vitest', 'run', '--project', lesson.id], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, LESSON_TARGET: relative(ROOT, target) },
});
process.exitCode = result.status ?? 1;
