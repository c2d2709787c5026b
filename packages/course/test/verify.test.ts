import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLessons } from '../src/lessons.ts';
import { verifyLesson } from '../src/verify.ts';

const [echo, starterPasses] = listLessons(new URL('./fixtures/lessons', import.meta.url).pathname);

describe('verifyLesson()', () => {
  it('holds for a lesson whose reference passes every test and whose starter fails one', async () => {
    if (!echo) throw new Error('fixture lesson 01-echo is missing');
    expect(await verifyLesson(echo, 30_000)).toMatchObject({
      reference: { passed: 4, total: 4 }, // the knowledge test too
      starter: { passed: 1, total: 3 },
      defects: [],
    });
  }, 60_000);

  it('calls a starter that passes every test a defect', async () => {
    if (!starterPasses) throw new Error('fixture lesson 02-starter-passes is missing');
    expect(join(starterPasses.dir, 'starter')).not.toBe(join(starterPasses.dir, 'src'));
    const verdict = await verifyLesson(starterPasses, 30_000);
    expect(verdict.defects).toEqual([
      'the starter as shipped passes every test: leave the learner something to do',
    ]);
  }, 60_000);
});
