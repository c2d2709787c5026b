import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Lesson, listLessons, ROOT } from '../src/lessons.ts';

// The grader's own fixtures: a small lesson, `01-echo`, submissions for it,
// and a learner's course to run `pnpm check` on one of them.

/** Where the fixtures are. */
export const FIXTURES = join(import.meta.dirname, 'fixtures');
const [echo] = listLessons(join(FIXTURES, 'lessons'));
if (!echo) throw new Error('fixture lesson 01-echo is missing');
export const ECHO = echo;

/** A fixture submission's folder: `complete`, `partial`, `never-answers`, … */
export const submission = (name: string) => join(FIXTURES, 'submissions', name);

/** Every fixture submission, by name. */
export const SUBMISSIONS = readdirSync(join(FIXTURES, 'submissions')).sort();

/**
 * A learner's copy of the course, under the OS temp folder, holding the echo
 * lesson with `submission` as its starter and the packages its tests import.
 * Point `COURSE_LESSONS_DIR` at the folder it returns to run `pnpm check 1`
 * there.
 */
export function learnerCourse(submission: string): string {
  const lessons = mkdtempSync(join(tmpdir(), 'learner-course-'));
  symlinkSync(
    join(import.meta.dirname, '..', 'node_modules'),
    join(lessons, 'node_modules'),
    'junction',
  );
  const copy = join(lessons, ECHO.id);
  mkdirSync(copy);
  cpSync(ECHO.dir, copy, { recursive: true, filter: (path) => !path.endsWith('starter') });
  cpSync(submission, join(copy, 'starter'), { recursive: true });
  // The lesson's own config, importing the test kit from where it is, not from a relative path.
  const kit = join(import.meta.dirname, '../../test-kit/vitest.ts');
  writeFileSync(
    join(copy, 'vitest.config.ts'),
    `import { lessonConfig } from ${JSON.stringify(kit)};\nexport default lessonConfig(import.meta.url);\n`,
  );
  return lessons;
}

/**
 * A learner's copy of one of the course's own lessons, under the OS temp
 * folder, whose starter is the reference with `edit` applied to `file`: a
 * learner who finished the lesson but one mistake. Point `COURSE_LESSONS_DIR`
 * at the folder it returns.
 */
export function learnerWithMistake(
  lesson: Lesson,
  file: string,
  edit: (source: string) => string,
): string {
  const lessons = mkdtempSync(join(tmpdir(), 'learner-lesson-'));
  // The course's packages (tsx, for a test that starts server.ts), above the lesson's own.
  symlinkSync(join(ROOT, 'node_modules'), join(lessons, 'node_modules'), 'junction');
  const copy = join(lessons, lesson.id);
  cpSync(lesson.dir, copy, {
    recursive: true,
    filter: (path) => !path.includes('node_modules') && !path.endsWith('starter'),
  });
  symlinkSync(join(lesson.dir, 'node_modules'), join(copy, 'node_modules'), 'junction');
  cpSync(join(lesson.dir, 'src'), join(copy, 'starter'), { recursive: true });
  const starterFile = join(copy, 'starter', file);
  writeFileSync(starterFile, edit(readFileSync(starterFile, 'utf8')));
  const kit = join(import.meta.dirname, '../../test-kit/vitest.ts');
  writeFileSync(
    join(copy, 'vitest.config.ts'),
    `import { lessonConfig } from ${JSON.stringify(kit)};\nexport default lessonConfig(import.meta.url);\n`,
  );
  return lessons;
}
