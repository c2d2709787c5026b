import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
// A relative path, so the docs config bundler inlines the TypeScript source.
import { BINARIES, type BinaryName } from '../../test-kit/binaries.ts';

/** The repository root: where `lessons/` lives. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * Where the lessons are: `lessons/`, or the folder `COURSE_LESSONS_DIR` names
 * (the grader's own tests point it at lessons made for them).
 */
const LESSONS_DIR = process.env.COURSE_LESSONS_DIR ?? join(ROOT, 'lessons');

/**
 * One exercise: what the learner writes, between `// #region exercise-<id>`
 * and `// #endregion exercise-<id>` in `src/` (a TODO in `starter/`).
 */
const Exercise = z
  .object({
    /** Short, for commands and regions: `members` → `pnpm check 3 members`, `#region exercise-members`. */
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase words joined by -'),
    title: z.string().min(1),
    /** The task, in a few sentences: what to write and what it must do. */
    task: z.string().min(1),
    /**
     * The graded tests that check it: each a test's `file > describe > … > it`
     * name, or the start of one (a file, or a describe block), so that
     * `test/app.test.ts > members` takes every test of that describe block.
     */
    tests: z.array(z.string().min(1)).min(1),
    /** From a nudge to nearly the answer; `pnpm hint` shows one more each time. */
    hints: z.array(z.string().min(1)).min(1),
  })
  .strict();

export type Exercise = z.infer<typeof Exercise>;

const Binary = z.enum(Object.keys(BINARIES) as [BinaryName, ...BinaryName[]]);

const LessonMeta = z
  .object({
    title: z.string().min(1),
    summary: z.string().min(1),
    /** In the order a learner does them; the first that fails is the one `pnpm check` points to. */
    exercises: z.array(Exercise).min(1),
    /**
     * Programs outside Node the lesson's tests need, such as `redis-server`:
     * without one, the tests that use it are skipped by name.
     */
    requires: z.array(Binary).default([]),
    /**
     * What `pnpm lesson` needs, when it is not what the tests need: `requires`
     * lists the programs its server cannot start without (by default, the
     * lesson's `requires` but Chromium); `redis: true` lets `pnpm lesson N
     * --redis` give the server a Redis (REDIS_URL).
     */
    run: z
      .object({ requires: z.array(Binary).default([]), redis: z.boolean().default(false) })
      .strict()
      .optional(),
  })
  // A field the course does not know (a lesson-level "hints" of old) is a mistake, not noise.
  .strict();

export interface Lesson extends z.infer<typeof LessonMeta> {
  /** 3 */
  number: number;
  /** `'03-rooms'`: the folder name, the package name after `@lessons/`, and the docs page. */
  id: string;
  /** `'rooms'` */
  slug: string;
  /** Absolute path of the lesson folder. */
  dir: string;
}

const FOLDER = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/**
 * Every lesson, in order, read from `lessons/NN-slug/package.json` (its
 * `lesson` field holds the title, summary, exercises and requirements).
 *
 * @example
 * listLessons().map((l) => `${l.number}. ${l.title}`);
 */
export function listLessons(lessonsDir = LESSONS_DIR): Lesson[] {
  return readdirSync(lessonsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && FOLDER.test(entry.name))
    .map((entry) => readLesson(join(lessonsDir, entry.name)))
    .sort((a, b) => a.number - b.number);
}

function readLesson(dir: string): Lesson {
  const id = dir.split(/[\\/]/).pop() ?? '';
  const [, number = '', slug = ''] = FOLDER.exec(id) ?? [];
  const pkgPath = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const meta = LessonMeta.safeParse(pkg.lesson);
  if (!meta.success) {
    throw new Error(
      `${relative(ROOT, pkgPath)}: the "lesson" field is invalid: ${z.prettifyError(meta.error)}`,
    );
  }
  return { ...meta.data, number: Number(number), id, slug, dir };
}

/**
 * Find a lesson by number (`3`, `03`), slug (`rooms`) or folder name
 * (`03-rooms`).
 */
export function findLesson(query: string, lessons = listLessons()): Lesson | undefined {
  const wanted = query.trim().toLowerCase();
  return lessons.find(
    (lesson) =>
      lesson.id === wanted ||
      lesson.slug === wanted ||
      (/^\d+$/.test(wanted) && lesson.number === Number(wanted)),
  );
}

/** `lesson-03`: a lesson's name in file names and CI step ids. */
export function lessonTag(lesson: Pick<Lesson, 'number'>): string {
  return `lesson-${String(lesson.number).padStart(2, '0')}`;
}

/** `' 1. One port for HTTP and Socket.IO'`, one line per lesson. */
export function formatLessonList(lessons = listLessons()): string {
  return lessons.map((l) => `  ${String(l.number).padStart(2)}. ${l.title}  (${l.id})`).join('\n');
}
