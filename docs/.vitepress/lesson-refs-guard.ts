// Every page names only lessons that exist: a link to /lessons/NN-… that is
// not a lesson, or "lesson 7" when there are six, fails the build.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
// Relative, not '@lessons/course': VitePress bundles its config and leaves
// packages to Node, which cannot load a .ts file.
import { listLessons } from '../../packages/course/src/lessons.ts';
import { markdownFiles } from './mermaid/store.ts';

/** A page's text, by its path from the repository root: `docs/guide/troubleshooting.md`. */
export interface PageSource {
  path: string;
  text: string;
}

/** One reference to a lesson that does not exist. */
export interface LessonRefProblem {
  page: string;
  line: number;
  /** The text as written: `[lesson 7](./07-redis.md)`, `lessons 3 to 8`. */
  ref: string;
  kind: 'link' | 'number';
}

// A markdown link's target, `](target)`, or an HTML one, `href="target"`.
const LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|\bhref\s*=\s*["']([^"']+)["']/g;
// The lesson folder or page a target names: `lessons/03-rooms`, from any depth.
const LESSON_IN_PATH = /(?:^|\/)lessons\/(\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*)(?:\.md|\.html|\/|#|\?|$)/;
// "lesson 3", "Lessons 3 and 4", "lessons 1-5", "lessons 1, 2 or 3", "lessons 3 to 5".
const NUMBERED =
  /\blessons?\s+(\d+(?:\s*(?:,|-|–|—|\bto\b|\band\b|\bor\b|\bthrough\b)\s*\d+)*)(?![\w-])/gi;
const RANGE = /^(\d+)\s*(?:-|–|—|to|through)\s*(\d+)$/i;

/** The repository path a link target points to, or undefined for another site, a mail address or an anchor. */
function targetPath(target: string, page: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return undefined;
  // A site-absolute link is a page of docs/; a relative one is relative to the page.
  const from = target.startsWith('/') ? 'docs' : dirname(page);
  return relative('/', resolve('/', from, target.replace(/^\//, '')))
    .split(sep)
    .join('/');
}

/** Every lesson number a "lessons 1-3, 5 and 6" reference names. */
function numbersIn(list: string): number[] {
  const numbers: number[] = [];
  for (const part of list.split(/\s*(?:,|\band\b|\bor\b)\s*/i)) {
    const range = RANGE.exec(part.trim());
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      for (let n = Math.min(from, to); n <= Math.max(from, to); n += 1) numbers.push(n);
    } else if (/^\d+$/.test(part.trim())) {
      numbers.push(Number(part));
    }
  }
  return numbers;
}

/**
 * Every reference in `pages` to a lesson that is not among `lessons`: links to
 * `lessons/NN-slug` (the docs page or the folder) that name no lesson, and
 * "lesson N" / "lessons N and M" / "lessons N-M" with a number that is not a
 * lesson's. Code counts too: `pnpm lesson 7` names a lesson as well.
 *
 * @example
 * lessonRefProblems([{ path: 'docs/index.md', text: 'See lesson 9.' }], listLessons());
 * // → [{ page: 'docs/index.md', line: 1, ref: 'lesson 9', kind: 'number' }]
 */
export function lessonRefProblems(
  pages: PageSource[],
  lessons: { number: number; id: string }[],
): LessonRefProblem[] {
  const ids = new Set(lessons.map((lesson) => lesson.id));
  const numbers = new Set(lessons.map((lesson) => lesson.number));
  const problems: LessonRefProblem[] = [];
  for (const { path, text } of pages) {
    text.split('\n').forEach((content, index) => {
      const line = index + 1;
      for (const match of content.matchAll(LINK)) {
        const target = match[1] ?? match[2] ?? '';
        const [, id] = LESSON_IN_PATH.exec(targetPath(target, path) ?? '') ?? [];
        if (id && !ids.has(id)) problems.push({ page: path, line, ref: match[0], kind: 'link' });
      }
      for (const match of content.matchAll(NUMBERED)) {
        if (numbersIn(match[1] ?? '').some((n) => !numbers.has(n))) {
          problems.push({ page: path, line, ref: match[0], kind: 'number' });
        }
      }
    });
  }
  return problems;
}

/**
 * Fail the docs build, with one error that lists every problem, when a page
 * of `docsDir` or the README at `root` refers to a lesson that does not exist.
 *
 * @example
 * assertLessonRefs(join(ROOT, 'docs'), ROOT); // in docs/.vitepress/config.ts
 */
export function assertLessonRefs(docsDir: string, root: string): void {
  const files = [...markdownFiles(docsDir), join(root, 'README.md')];
  const pages = files.map((file) => ({
    path: relative(root, file).split(sep).join('/'),
    text: readFileSync(file, 'utf8'),
  }));
  const problems = lessonRefProblems(pages, listLessons(join(root, 'lessons')));
  if (problems.length === 0) return;
  const lines = problems.map(
    ({ page, line, ref, kind }) =>
      `  ${page}:${line}: ${kind === 'link' ? 'a link to a lesson that does not exist' : 'a lesson number that does not exist'}: ${ref}`,
  );
  throw new Error(`References to lessons that do not exist:\n${lines.join('\n')}`);
}
