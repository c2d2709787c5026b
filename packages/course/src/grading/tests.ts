/**
 * Which tests a lesson has, which of them grade code (every file outside
 * `test/facts/`), and the tests a run should have run.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
// Relative, not '@lessons/test-kit/…': the docs build bundles this module (the
// command pages show each USAGE) and leaves packages to Node, which cannot load .ts.
import { SLOW_DIR } from '../../../test-kit/target.ts';
import type { Lesson } from '../lessons.ts';
import { currentListing, type ListedTest } from './listing.ts';
import { gradedVitest, runVitest } from './run.ts';

/**
 * Every test file of a lesson that a run includes, relative to its folder:
 * `['test/app.test.ts', …]`. The slow suite (`test/slow/`) is left out: only
 * `pnpm test:slow` runs it.
 */
export function testFiles(lesson: Lesson): string[] {
  const dir = join(lesson.dir, 'test');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => `test/${file.split('\\').join('/')}`)
    .filter((file) => !file.startsWith(SLOW_DIR))
    .sort();
}

/** Where a lesson keeps its knowledge tests: facts about Express or Socket.IO, never graded. */
export const FACTS_DIR = 'test/facts/';

/** Where a lesson keeps the tests of its worked examples (`examples/`), shipped complete: never graded. */
export const EXAMPLES_DIR = 'test/examples/';

/**
 * The test files that grade code: every test file outside `test/facts/` and
 * `test/examples/`.
 * The knowledge tests there (lesson 1's `listen-trap.test.ts`, for instance)
 * prove facts about Express or Socket.IO with code of their own; they pass for
 * everyone, so they would only add free points to a grade.
 */
export function gradedTestFiles(lesson: Lesson): string[] {
  return testFiles(lesson).filter(
    (file) => !file.startsWith(FACTS_DIR) && !file.startsWith(EXAMPLES_DIR),
  );
}

// A value import (not `import type`) of a module, or a dynamic import() of one.
const IMPORT =
  /(?:\bimport\s+(?!type\b)[^'";]*?\bfrom\s*|\bexport\s+[^'";]*?\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

/** The test kit's calls that run the code under test's `server.ts`. */
const RUNS_TARGET = /\b(?:lessonTarget|startServer|useServer)\(/;

/**
 * Whether a test file runs the code under test: it imports a value from
 * `#target/`, or starts its `server.ts` (`lessonTarget()`, or the test kit's
 * `startServer()`/`useServer()`), directly or through a helper of its own in
 * the lesson. `lessons:verify` checks it of
 * every graded file; a type-only import does not count.
 */
export function exercisesTarget(
  path: string,
  lessonDir: string,
  seen = new Set<string>(),
): boolean {
  if (seen.has(path)) return false;
  seen.add(path);
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  if (RUNS_TARGET.test(source)) return true;
  for (const [, specifier = ''] of source.matchAll(IMPORT)) {
    if (specifier.startsWith('#target/')) return true;
    if (!specifier.startsWith('.')) continue;
    const imported = join(dirname(path), specifier);
    if (imported.startsWith(lessonDir) && exercisesTarget(imported, lessonDir, seen)) return true;
  }
  return false;
}

export type { ListedTest as ExpectedTest } from './listing.ts';

/**
 * The tests of a project (a lesson, or `docs`), collected against the
 * reference by vitest without running them; `files` narrows it to those test
 * files (all of them when empty). Sorted by file, in each file's order.
 */
export async function listTests(
  project: Pick<Lesson, 'dir'>,
  files: string[] = [],
): Promise<ListedTest[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'lesson-list-'));
  const out = join(scratch, 'tests.json');
  try {
    const vitest = gradedVitest(project, join(project.dir, 'src'), 'list', [
      `--json=${out}`,
      ...files,
    ]);
    const { output } = await runVitest(project, vitest, { timeoutMs: 120_000 });
    if (!existsSync(out)) {
      const tail = stripVTControlCharacters(output).trim().split('\n').slice(-12).join('\n');
      throw new Error(`vitest could not list the tests in ${project.dir}:\n${tail}`);
    }
    const listed = JSON.parse(readFileSync(out, 'utf8')) as { name: string; file: string }[];
    const tests = listed.map(({ name, file }) => ({
      file: relative(project.dir, file).split(sep).join('/'),
      name,
    }));
    // vitest lists files in the order they were collected: sort them, keeping each file's order.
    return tests.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Full marks: the graded tests of the reference, from the lesson's committed
 * listing (listed afresh when it is stale). A test that did not run, because
 * its file could not even be loaded, still counts, as failed.
 */
export async function expectedTests(lesson: Lesson): Promise<ListedTest[]> {
  const listed = currentListing(lesson.dir) ?? (await listTests(lesson));
  const graded = new Set(gradedTestFiles(lesson));
  return listed.filter((test) => graded.has(test.file));
}
