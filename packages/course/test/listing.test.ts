import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentListing, writeListing } from '../src/grading/listing.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project folder with one test file, and a VitePress site's folders when `site` is set. */
function project(site: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'listing-'));
  made.push(dir);
  mkdirSync(join(dir, 'test'));
  writeFileSync(join(dir, 'test', 'a.test.ts'), "it('a', () => {});\n");
  if (site) {
    mkdirSync(join(dir, '.vitepress'));
    mkdirSync(join(dir, 'lessons'));
    writeFileSync(join(dir, 'index.md'), '# Home\n');
  }
  return dir;
}

const TESTS = [{ file: 'test/a.test.ts', name: 'a' }];

describe('a listing', () => {
  it('is current until a file under test/ changes', () => {
    const dir = project(false);
    writeListing(dir, TESTS);
    expect(currentListing(dir)).toEqual(TESTS);
    writeFileSync(join(dir, 'test', 'a.test.ts'), "it('b', () => {});\n");
    expect(currentListing(dir)).toBeUndefined();
  });

  it("of a site goes stale when a page is added, since the site's tests are named after its pages", () => {
    const dir = project(true);
    writeListing(dir, TESTS);
    expect(currentListing(dir)).toEqual(TESTS);
    // Its content is not a test name: editing a page leaves the listing current.
    writeFileSync(join(dir, 'index.md'), '# Home, edited\n');
    expect(currentListing(dir)).toEqual(TESTS);
    writeFileSync(join(dir, 'lessons', '09-new.md'), '# Lesson 9\n');
    expect(currentListing(dir)).toBeUndefined();
  });
});
