import {
  cpSync,
  existsSync,
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
 * A learner's copy of `lesson` under the OS temp folder, with `starter` (a
 * folder) as its starter, under the packages it needs (`nodeModules`, linked
 * above it), and the lesson's own config importing the test kit from where it
 * is, not from a relative path. Returns the lessons folder, for `COURSE_LESSONS_DIR`.
 */
function copyLesson(lesson: Lesson, starter: string, nodeModules: string): string {
  const lessons = mkdtempSync(join(tmpdir(), 'learner-course-'));
  symlinkSync(nodeModules, join(lessons, 'node_modules'), 'junction');
  const copy = join(lessons, lesson.id);
  mkdirSync(copy);
  cpSync(lesson.dir, copy, {
    recursive: true,
    filter: (path) => !path.endsWith('starter') && !path.endsWith('node_modules'),
  });
  if (existsSync(join(lesson.dir, 'node_modules'))) {
    symlinkSync(join(lesson.dir, 'node_modules'), join(copy, 'node_modules'), 'junction');
  }
  cpSync(starter, join(copy, 'starter'), { recursive: true });
  const kit = join(import.meta.dirname, '../../test-kit/vitest.ts');
  writeFileSync(
    join(copy, 'vitest.config.ts'),
    `import { lessonConfig } from ${JSON.stringify(kit)};\nexport default lessonConfig(import.meta.url);\n`,
  );
  return lessons;
}

/**
 * A learner's copy of the course, under the OS temp folder, holding the echo
 * lesson with `submission` as its starter and the packages its tests import.
 * Point `COURSE_LESSONS_DIR` at the folder it returns to run `pnpm check 1`
 * there.
 */
export function learnerCourse(submission: string): string {
  return copyLesson(ECHO, submission, join(import.meta.dirname, '..', 'node_modules'));
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
  // The course's packages (tsx, for a test that starts server.ts), above the lesson's own.
  const lessons = copyLesson(lesson, join(lesson.dir, 'src'), join(ROOT, 'node_modules'));
  const starterFile = join(lessons, lesson.id, 'starter', file);
  writeFileSync(starterFile, edit(readFileSync(starterFile, 'utf8')));
  return lessons;
}
