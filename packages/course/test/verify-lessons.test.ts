import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { runTestsList } from '../src/commands/tests-list.ts';
import { verifyLesson } from '../src/commands/verify-lessons.ts';
import {
  exerciseDefects,
  exerciseRegions,
  testMappingDefects,
  withAnswers,
} from '../src/exercises.ts';
import { currentListing } from '../src/grading/listing.ts';
import {
  exercisesTarget,
  expectedTests,
  gradedTestFiles,
  listTests,
  testFiles,
} from '../src/grading/tests.ts';
import { listLessons } from '../src/lessons.ts';
import { learnerCourse } from './fixtures.ts';

const [echo, starterPasses] = listLessons(new URL('./fixtures/lessons', import.meta.url).pathname);

describe('verifyLesson()', () => {
  it('holds for a lesson whose reference passes every test and whose starter fails one', async () => {
    if (!echo) throw new Error('fixture lesson 01-echo is missing');
    expect(await verifyLesson(echo, 30_000)).toMatchObject({
      reference: { passed: 5, total: 5 }, // the knowledge test too
      starter: { passed: 1, total: 4 },
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

describe('the exercise pattern (exerciseDefects)', () => {
  const copy = () => {
    if (!echo) throw new Error('fixture lesson 01-echo is missing');
    const scratch = mkdtempSync(join(tmpdir(), 'drift-'));
    onTestFinished(() => rmSync(scratch, { recursive: true, force: true }));
    const dir = join(scratch, '01-echo');
    cpSync(echo.dir, dir, { recursive: true });
    return { lesson: { ...echo, dir }, dir };
  };
  const edit = (path: string, from: string, to: string) =>
    writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));

  it('holds for a starter that is src/ with each exercise region replaced by a TODO', () => {
    expect(copy().lesson && exerciseDefects(copy().lesson)).toEqual([]);
  });

  it('names a starter edited outside its regions, a file src/ lacks, and a region without a TODO', () => {
    const { lesson, dir } = copy();
    edit(
      join(dir, 'starter', 'app.ts'),
      'export function createApp',
      'export function createServerApp',
    );
    edit(join(dir, 'starter', 'app.ts'), '// TODO(echo): answer', '// answer');
    writeFileSync(join(dir, 'starter', 'extra.ts'), 'export {};\n');
    expect(exerciseDefects(lesson)).toEqual([
      'starter/extra.ts stands in for no file in src/',
      'starter/app.ts: exercise-echo has no TODO for the learner',
      "starter/app.ts differs from src/app.ts outside its exercise regions: make it src/app.ts with each region's lines replaced",
    ]);
  });

  it('names an exercise without a region, a region without an exercise, and a region left open', () => {
    const { lesson, dir } = copy();
    edit(join(dir, 'src', 'app.ts'), '// #region exercise-greeting', '// #region exercise-hello');
    edit(
      join(dir, 'src', 'app.ts'),
      '// #endregion exercise-greeting',
      '// #endregion exercise-hello',
    );
    expect(exerciseDefects(lesson).slice(0, 2)).toEqual([
      'exercise greeting has no // #region exercise-greeting in src/',
      'src/ has a region exercise-hello, which no exercise declares',
    ]);
    edit(join(dir, 'src', 'app.ts'), '// #endregion exercise-echo', '');
    expect(exerciseDefects(lesson)).toEqual(['src/app.ts:11: exercise-echo is never closed']);
  });

  it("puts back each of an exercise's several regions, in order", () => {
    const src = ['a', '// #region exercise-x', 'one', '// #endregion exercise-x', 'b']
      .concat(['// #region exercise-x', 'two', '// #endregion exercise-x'])
      .join('\n');
    const starter = src.replace('one', '// TODO(x): one').replace('two', '// TODO(x): two');
    const answers = new Map([['x', exerciseRegions(src).map((region) => region.body)]]);
    expect(withAnswers(starter, answers)).toBe(src);
  });

  it('maps every graded test to exactly one exercise, and every exercise to a test', () => {
    if (!echo) throw new Error('fixture lesson 01-echo is missing');
    const tests =
      currentListing(echo.dir)?.filter((test) => test.file === 'test/app.test.ts') ?? [];
    expect(tests).toHaveLength(4);
    expect(testMappingDefects(echo, tests)).toEqual([]);
    const orphan = { file: 'test/app.test.ts', name: 'createApp() > something new' };
    expect(testMappingDefects(echo, [...tests, orphan])).toEqual([
      '"test/app.test.ts > createApp() > something new" belongs to no exercise',
    ]);
    const [greeting, echoes] = echo.exercises;
    if (!greeting || !echoes) throw new Error('the echo fixture has two exercises');
    const greedy = { ...echoes, tests: [...echoes.tests, 'test/app.test.ts > createApp()'] };
    const greetingTest = tests.filter((test) => test.name.includes('GET /greeting'));
    expect(testMappingDefects({ ...echo, exercises: [greeting, greedy] }, greetingTest)).toEqual([
      '"test/app.test.ts > createApp() > answers GET /greeting with the greeting from ../public" belongs to greeting and echo',
    ]);
    expect(testMappingDefects(echo, greetingTest)).toEqual(['exercise echo has no test']);
  });
});

describe('the tests of a lesson', () => {
  it('are its test/*.test.ts files; the graded ones import the code from #target/', () => {
    if (!echo) throw new Error('fixture lesson 01-echo is missing');
    expect(testFiles(echo)).toEqual(['test/app.test.ts', 'test/facts/echo.test.ts']);
    expect(gradedTestFiles(echo)).toEqual(['test/app.test.ts']);
  });

  it('are listed by vitest without running them, and full marks are the graded ones of the committed listing', async () => {
    if (!echo) throw new Error('fixture lesson 01-echo is missing');
    const graded = [
      { file: 'test/app.test.ts', name: 'createApp() > opens no port' },
      {
        file: 'test/app.test.ts',
        name: 'createApp() > answers GET /greeting with the greeting from ../public',
      },
      { file: 'test/app.test.ts', name: 'createApp() > answers any other path with echo' },
      {
        file: 'test/app.test.ts',
        name: 'createApp() > answers a path that only starts with /greeting with echo',
      },
    ];
    const all = [
      ...graded,
      { file: 'test/facts/echo.test.ts', name: 'JSON.stringify drops undefined' },
    ];
    expect(await listTests(echo)).toEqual(all);
    expect(currentListing(echo.dir)).toEqual(all);
    expect(await expectedTests(echo)).toEqual(graded);
  });

  it('count as stale once a file they come from changes, and are listed again', async () => {
    if (!echo) throw new Error('fixture lesson 01-echo is missing');
    const course = learnerCourse(join(echo.dir, 'starter'));
    onTestFinished(() => rmSync(course, { recursive: true, force: true }));
    const dir = join(course, echo.id);
    expect(currentListing(dir)).toBeDefined();
    const test = join(dir, 'test', 'app.test.ts');
    writeFileSync(
      test,
      readFileSync(test, 'utf8').replace('opens no port', 'opens no port at all'),
    );
    expect(currentListing(dir)).toBeUndefined();
    expect((await expectedTests({ ...echo, dir }))[0]?.name).toBe(
      'createApp() > opens no port at all',
    );
  });
});

describe('exercisesTarget(), which lessons:verify asks of every graded file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exercises-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, source: string) => {
    writeFileSync(join(dir, name), source);
    return join(dir, name);
  };

  it('counts a value import from #target/, directly or through a helper, and starting server.ts', () => {
    expect(
      exercisesTarget(file('a.test.ts', "import { createApp } from '#target/app.ts';"), dir),
    ).toBe(true);
    file('helper.ts', "export { createApp } from '#target/app.ts';");
    expect(
      exercisesTarget(file('b.test.ts', "import { createApp } from './helper.ts';"), dir),
    ).toBe(true);
    expect(
      exercisesTarget(file('c.test.ts', "spawn(join(lessonTarget(dir), 'server.ts'));"), dir),
    ).toBe(true);
    expect(exercisesTarget(file('f.test.ts', 'const server = useServer(lessonDir);'), dir)).toBe(
      true,
    );
  });

  it('does not count a type-only import, nor code of its own', () => {
    expect(
      exercisesTarget(file('d.test.ts', "import type { Said } from '#target/events.ts';"), dir),
    ).toBe(false);
    expect(exercisesTarget(file('e.test.ts', "import { io } from 'socket.io-client';"), dir)).toBe(
      false,
    );
  });
});

describe('pnpm tests:list', () => {
  it('refuses a lesson that does not exist, naming the lessons, and lists nothing', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await runTestsList(['nope'])).toBe(2);
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/There is no lesson "nope"/));
    } finally {
      error.mockRestore();
    }
  });

  it('says so when every listing of the lessons named is current', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await runTestsList(['1'])).toBe(0);
      expect(log).toHaveBeenCalledWith('Every listing is current.');
    } finally {
      log.mockRestore();
    }
  });
});
