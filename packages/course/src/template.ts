/**
 * A repository for a graded class: the course with every reference solution
 * taken out. Each lesson's `src/` becomes a copy of its starter (so the pages'
 * ordinary code, the type checker's `#target/*` and the test listings still
 * find their files), the pages lose their collapsed solutions, and the
 * Classroom workflow is added. Students fill in `starter/`; `pnpm check` and
 * the workflow run as in the course.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { currentListing, listingPath, writeListing } from './grading/listing.ts';
import { listLessons, ROOT } from './lessons.ts';

/** Each `::: details Solution…` block of a page, up to its closing `:::`. */
const SOLUTION_BLOCK = /^::: details Solution\b[^\n]*\n[\s\S]*?^:::[ \t]*\n?/gm;

/** A page without its solution blocks. */
function withoutSolutions(markdown: string): string {
  return markdown.replace(SOLUTION_BLOCK, '');
}

/** What the template's README says first. */
const TEMPLATE_NOTE =
  "> **A class repository**, made with `pnpm classroom --template`: the reference solutions are left out. Each lesson's `src/` is a copy of its starter and the pages have no solutions, so `pnpm check N --solution` and `pnpm lessons:verify` do not apply here. Work in `lessons/NN-slug/starter/` and run `pnpm check N`.";

/** What a template leaves out: the course's own gate (which proves the references pass). */
const LEFT_OUT = ['.ci/'];

/**
 * Write the class template into `dir`, which must not exist or be empty,
 * from the files git tracks in the course at `root`. Returns the lessons'
 * folders it emptied of their solutions.
 */
export function writeTemplate(dir: string, workflow: string, root = ROOT): string[] {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new Error(`${dir} is not empty: name a new folder for the template`);
  }
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && !LEFT_OUT.some((prefix) => file.startsWith(prefix)));
  for (const file of tracked) {
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(root, file), join(dir, file));
  }
  const emptied: string[] = [];
  for (const lesson of listLessons(join(dir, 'lessons'))) {
    const listed = currentListing(lesson.dir);
    rmSync(join(lesson.dir, 'src'), { recursive: true, force: true });
    cpSync(join(lesson.dir, 'starter'), join(lesson.dir, 'src'), { recursive: true });
    // The tests are the course's; only the hash of the files they come from changed.
    if (listed && existsSync(listingPath(lesson.dir))) writeListing(lesson.dir, listed);
    emptied.push(lesson.id);
  }
  const pages = join(dir, 'docs');
  for (const page of readdirSync(pages, { recursive: true, encoding: 'utf8' })) {
    if (!page.endsWith('.md')) continue;
    const path = join(pages, page);
    const text = readFileSync(path, 'utf8');
    const stripped = withoutSolutions(text);
    if (stripped !== text) writeFileSync(path, stripped);
  }
  const readme = join(dir, 'README.md');
  writeFileSync(readme, `${TEMPLATE_NOTE}\n\n${readFileSync(readme, 'utf8')}`);
  const workflowPath = join(dir, '.github', 'workflows', 'classroom.yml');
  mkdirSync(dirname(workflowPath), { recursive: true });
  writeFileSync(workflowPath, workflow);
  return emptied;
}
