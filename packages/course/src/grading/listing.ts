/**
 * The listing: the names of a project's tests as vitest collects them,
 * committed beside them (`test/tests.json`) with a hash of the files they come
 * from. The site shows them, and `check` and `progress` count against them,
 * without running vitest; a listing whose hash no longer matches is stale and
 * is listed again (`pnpm tests:list`, or the docs build on its own).
 *
 * Node built-ins only: the docs config bundles this module.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One test: its file, relative to the project, and its full name (`describe > it`). */
export interface ListedTest {
  file: string;
  name: string;
}

export interface Listing {
  /** A hash of every file under the project's `test/` and `src/`. */
  hash: string;
  /** A hash of the starter as shipped (a lesson's `starter/`), to tell a learner's edits from it. */
  starter?: string;
  tests: ListedTest[];
}

/** Where a project (a lesson, or `docs`) keeps its listing. */
export const listingPath = (dir: string) => join(dir, 'test', 'tests.json');

/**
 * The Markdown pages of a VitePress site (a folder with `.vitepress/`), by path: the site's
 * tests are named after its pages and lessons, so a page added or removed changes the names.
 */
function sitePages(dir: string): string[] {
  if (!existsSync(join(dir, '.vitepress'))) return [];
  const skip = new Set(['node_modules', '.vitepress', 'public', 'test']);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !skip.has(entry.name))
    .flatMap((entry) =>
      entry.isDirectory()
        ? readdirSync(join(dir, entry.name), { recursive: true, encoding: 'utf8' }).map((f) =>
            join(entry.name, f),
          )
        : [entry.name],
    )
    .filter((file) => file.endsWith('.md'))
    .map((file) => file.split('\\').join('/'))
    .sort();
}

/**
 * A hash of what a project's test names come from: every file under its
 * `test/` and `src/` (the listing itself left out), by path and content, or
 * of the `folders` named; and a site's page names.
 */
function listingHash(dir: string, folders = ['test', 'src']): string {
  const hash = createHash('sha256');
  for (const page of sitePages(dir)) hash.update(`page ${page}\0`);
  for (const folder of folders) {
    const root = join(dir, folder);
    if (!existsSync(root)) continue;
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((file) => file !== listingPath(dir))
      .sort();
    for (const file of files) {
      hash.update(`${file.slice(dir.length).split('\\').join('/')}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function readListing(dir: string): Listing | undefined {
  const path = listingPath(dir);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Listing) : undefined;
}

/** The committed listing, if there is one and it matches the files it was listed from. */
export function currentListing(dir: string): ListedTest[] | undefined {
  const listing = readListing(dir);
  return listing?.hash === listingHash(dir) ? listing.tests : undefined;
}

/**
 * Whether a lesson's `starter/` is still as shipped: the hash the listing
 * keeps of it matches. Undefined when there is no starter or no listing.
 */
export function starterAsShipped(dir: string): boolean | undefined {
  const shipped = readListing(dir)?.starter;
  if (shipped === undefined || !existsSync(join(dir, 'starter'))) return undefined;
  return shipped === listingHash(dir, ['starter']);
}

export function writeListing(dir: string, tests: ListedTest[]): void {
  const starter = existsSync(join(dir, 'starter')) ? listingHash(dir, ['starter']) : undefined;
  const listing: Listing = { hash: listingHash(dir), ...(starter ? { starter } : {}), tests };
  writeFileSync(listingPath(dir), `${JSON.stringify(listing, null, 2)}\n`);
}

/** A describe block with what it holds, or a test (no children). */
export interface TestNode {
  name: string;
  children?: TestNode[];
}

/**
 * The tests of each file as a describe/it tree, from their full names
 * (vitest joins the levels with ` > `), in listing order.
 */
export function testTrees(tests: ListedTest[]): { file: string; tests: TestNode[] }[] {
  const files = new Map<string, TestNode[]>();
  for (const { file, name } of tests) {
    let level = files.get(file) ?? [];
    files.set(file, level);
    const parts = name.split(' > ');
    parts.forEach((part, index) => {
      if (index === parts.length - 1) {
        level.push({ name: part });
        return;
      }
      let suite = level.findLast((node) => node.name === part && node.children);
      if (!suite) {
        suite = { name: part, children: [] };
        level.push(suite);
      }
      level = suite.children ?? [];
    });
  }
  return [...files].map(([file, nodes]) => ({ file, tests: nodes }));
}
