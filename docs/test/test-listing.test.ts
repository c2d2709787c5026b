import { currentListing, testTrees } from '@lessons/course/listing';
import { listTests } from '@lessons/course/tests';
import { listedProjects } from '@lessons/course/tests-list';
import pMap from 'p-map';
import { describe, expect, it } from 'vitest';

describe('testTrees()', () => {
  it('nests each test in its describe blocks, file by file, in listing order', () => {
    expect(
      testTrees([
        { file: 'test/a.test.ts', name: 'outer > first' },
        { file: 'test/a.test.ts', name: 'outer > inner > second' },
        { file: 'test/a.test.ts', name: 'top level' },
        { file: 'test/b.test.ts', name: 'only' },
      ]),
    ).toEqual([
      {
        file: 'test/a.test.ts',
        tests: [
          {
            name: 'outer',
            children: [{ name: 'first' }, { name: 'inner', children: [{ name: 'second' }] }],
          },
          { name: 'top level' },
        ],
      },
      { file: 'test/b.test.ts', tests: [{ name: 'only' }] },
    ]);
  });
});

// vitest collects each project's tests in a process of its own: seconds each.
describe('the committed listings (test/tests.json)', { timeout: 120_000 }, () => {
  it('are current for every lesson and the site: what vitest lists now, the generated names included', async () => {
    const stale = await pMap(
      listedProjects(),
      async (dir) => {
        const committed = currentListing(dir);
        if (!committed) return `${dir}: stale or missing`;
        const listed = await listTests({ dir });
        return JSON.stringify(listed) === JSON.stringify(committed) ? undefined : `${dir}: differs`;
      },
      { concurrency: 2 },
    );
    expect(stale.filter(Boolean), 'run pnpm tests:list --all, then commit').toEqual([]);
  });
});
