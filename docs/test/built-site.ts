// The site as `pnpm docs:build` left it, for the tests that read or open the
// built pages: `pnpm verify` builds first, and these tests reuse that build
// instead of paying for another one, after checking it is not stale.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { listLessons, ROOT } from '@lessons/course';

export const DOCS = join(ROOT, 'docs');
export const DIST = join(DOCS, '.vitepress/dist');

/** The newest file the build reads, to tell a stale build from a fresh one. */
function newestSource(): { file: string; mtime: number } {
  let newest = { file: '', mtime: 0 };
  const visit = (dir: string, keep: (file: string) => boolean) => {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      const file = join(entry.parentPath, entry.name);
      if (
        !entry.isFile() ||
        !keep(file) ||
        /node_modules|[\\/]dist[\\/]|[\\/]cache[\\/]/.test(file)
      )
        continue;
      const { mtimeMs } = statSync(file);
      if (mtimeMs > newest.mtime) newest = { file, mtime: mtimeMs };
    }
  };
  visit(DOCS, (f) => /\.(md|vue|css)$/.test(f) || /\.vitepress[\\/].*\.ts$|\.data\.ts$/.test(f));
  // What lesson pages embed or list; starters never reach the site.
  for (const lesson of listLessons()) {
    visit(lesson.dir, (f) => /[\\/](src|variants|test)[\\/].*\.ts$|package\.json$/.test(f));
  }
  // The commands' help, on the commands page.
  visit(join(ROOT, 'packages/course/src'), (f) => f.endsWith('.ts'));
  return newest;
}

/** Throw, saying what to run, when there is no build or a file it reads is newer. */
export function assertFreshBuild(): void {
  const index = join(DIST, 'index.html');
  if (!existsSync(index)) {
    throw new Error('The site is not built: run `pnpm docs:build` first (`pnpm verify` does).');
  }
  const built = statSync(index).mtimeMs;
  const newest = newestSource();
  if (newest.mtime > built) {
    throw new Error(
      `The built site is older than ${relative(ROOT, newest.file)}: run \`pnpm docs:build\` again.`,
    );
  }
}
