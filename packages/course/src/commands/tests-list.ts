import { join } from 'node:path';
import pMap from 'p-map';
import { lessonArg, parseCommandArgs, startCommand } from '../cli.ts';
import { currentListing, listingPath, starterAsShipped, writeListing } from '../grading/listing.ts';
import { stopRunsOnSignal } from '../grading/run.ts';
import { listTests } from '../grading/tests.ts';
import { listLessons, ROOT } from '../lessons.ts';

export const USAGE = `Usage: pnpm tests:list [<lesson>...] [options]

List the tests of every lesson, and the site's own, as vitest collects them,
into each one's test/tests.json: the names the site shows and the tests
pnpm check counts, with a hash of the starter as shipped (pnpm progress
tells a learner's edits by it). Only the stale listings (their test/, src/
or starter/ files changed since) are listed again; commit the files it
writes. Run it as the author, not on a starter you are working on. The docs build
does the same on its own, and lessons:verify fails on a stale listing.

Options:
  --all        list every project again, stale or not
  -h, --help   show this help`;

/** Every folder with a listing: each lesson, then the site (`docs/`). */
export const listedProjects = () => [
  ...listLessons().map((lesson) => lesson.dir),
  join(ROOT, 'docs'),
];

/**
 * List `dirs` again where stale (or all, with `all`): resolves with the
 * listings written, and the errors of the projects vitest could not list.
 */
async function refreshListings(
  dirs: string[],
  all = false,
): Promise<{ written: string[]; errors: Error[] }> {
  const stale = all
    ? dirs
    : dirs.filter((dir) => !currentListing(dir) || starterAsShipped(dir) === false);
  const written: string[] = [];
  const errors: Error[] = [];
  await pMap(
    stale,
    async (dir) => {
      try {
        writeListing(dir, await listTests({ dir }));
        written.push(listingPath(dir));
      } catch (error) {
        errors.push(error as Error);
      }
    },
    { concurrency: 2 },
  );
  return { written: written.sort(), errors };
}

/** `pnpm tests:list [--all]`: returns the exit code. */
export async function runTestsList(argv: string[]): Promise<number> {
  const run = startCommand(() => {
    const { values, positionals } = parseCommandArgs(
      argv,
      { all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      USAGE,
    );
    if (values.help) return 'help';
    const lessons = listLessons();
    const named = positionals.map((query) => lessonArg(query, USAGE, lessons).dir);
    return { all: values.all ?? false, dirs: named.length > 0 ? named : listedProjects() };
  }, USAGE);
  if (typeof run === 'number') return run;
  const stopOnSignal = stopRunsOnSignal();
  try {
    const { written, errors } = await refreshListings(run.dirs, run.all);
    for (const path of written) console.log(`listed ${path.slice(ROOT.length)}`);
    for (const error of errors) console.error(error.message);
    if (written.length === 0 && errors.length === 0) console.log('Every listing is current.');
    return errors.length === 0 ? 0 : 1;
  } finally {
    stopOnSignal();
  }
}
