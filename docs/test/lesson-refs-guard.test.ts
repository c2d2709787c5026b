import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listLessons, ROOT } from '@lessons/course';
import { afterAll, describe, expect, it } from 'vitest';
import { assertLessonRefs, lessonRefProblems } from '../.vitepress/lesson-refs-guard.ts';

const lessons = [
  { number: 1, id: '01-http-server' },
  { number: 2, id: '02-send-vs-emit' },
  { number: 3, id: '03-rooms' },
];

/** The problems in one page, docs/guide/page.md unless named. */
const problemsIn = (text: string, path = 'docs/guide/page.md') =>
  lessonRefProblems([{ path, text }], lessons).map(({ line, ref, kind }) => ({ line, ref, kind }));

describe('the site and the README', () => {
  it('refer only to lessons that exist', () => {
    expect(() => assertLessonRefs(join(ROOT, 'docs'), ROOT)).not.toThrow();
  });
});

describe('lessonRefProblems()', () => {
  it('accepts links and numbers that name existing lessons, from any page', () => {
    const page = [
      'Start with [lesson 1](../lessons/01-http-server.md), then [Lesson 3](/lessons/03-rooms).',
      'Lessons 1 and 2, lessons 1-3, lessons 2 to 3 and lessons 1, 2 or 3: `pnpm lesson 3`.',
      '<a href="/lessons/02-send-vs-emit#goal">two</a>; [elsewhere](https://example.com/lessons/09-x).',
    ].join('\n');
    expect(problemsIn(page)).toEqual([]);
    expect(problemsIn('[three](./03-rooms.md)', 'docs/lessons/01-http-server.md')).toEqual([]);
    expect(problemsIn('[two](docs/lessons/02-send-vs-emit.md)', 'README.md')).toEqual([]);
  });

  it('finds a link to a lesson page or folder that is not a lesson, with its line', () => {
    const page = [
      '# Title',
      'See [the Redis lesson](../lessons/06-redis.md) and',
      '<a href="/lessons/04-broadcast">four</a>, [code](../../lessons/07-x/src/app.ts).',
    ].join('\n');
    expect(problemsIn(page)).toEqual([
      { line: 2, ref: '](../lessons/06-redis.md)', kind: 'link' },
      { line: 3, ref: 'href="/lessons/04-broadcast"', kind: 'link' },
      { line: 3, ref: '](../../lessons/07-x/src/app.ts)', kind: 'link' },
    ]);
    expect(problemsIn('[six](./06-redis.md)', 'docs/lessons/01-http-server.md')).toEqual([
      { line: 1, ref: '](./06-redis.md)', kind: 'link' },
    ]);
    expect(problemsIn('[six](docs/lessons/06-redis.md)', 'README.md')).toHaveLength(1);
  });

  it('finds "lesson N", "lessons N and M" and "lessons N-M" with a number that is not a lesson', () => {
    const page = [
      'As lesson 4 shows.',
      'Lessons 2 and 5 agree; see lessons 1-4, lessons 2 to 6, lessons 1, 2 or 7.',
      'Run `pnpm lesson 0`. Lesson 3 is fine.',
    ].join('\n');
    expect(problemsIn(page)).toEqual([
      { line: 1, ref: 'lesson 4', kind: 'number' },
      { line: 2, ref: 'Lessons 2 and 5', kind: 'number' },
      { line: 2, ref: 'lessons 1-4', kind: 'number' },
      { line: 2, ref: 'lessons 2 to 6', kind: 'number' },
      { line: 2, ref: 'lessons 1, 2 or 7', kind: 'number' },
      { line: 3, ref: 'lesson 0', kind: 'number' },
    ]);
  });

  it('reads "lesson 12" as twelve, not as lesson 1', () => {
    expect(problemsIn('lesson 12')).toEqual([{ line: 1, ref: 'lesson 12', kind: 'number' }]);
    expect(problemsIn('a 2-lesson course, lesson-3 notes, lessons learned')).toEqual([]);
  });
});

describe('assertLessonRefs()', () => {
  const root = mkdtempSync(join(tmpdir(), 'lesson-refs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // The real lessons, and a site of two pages with one problem of each kind, and a README with one.
  cpSync(join(ROOT, 'lessons'), join(root, 'lessons'), {
    recursive: true,
    filter: (source) => !source.includes('node_modules'),
  });
  const last = listLessons().at(-1)?.number ?? 0;
  cpSync(join(ROOT, 'docs/index.md'), join(root, 'docs/index.md'));
  writeFileSync(join(root, 'docs/next.md'), `# Next\n\nLesson ${last + 1} is next.\n`);
  writeFileSync(join(root, 'README.md'), '# Course\n\n[Redis](docs/lessons/99-redis.md)\n');

  it('throws one error that names every problem: its page, its line, its kind and the reference', () => {
    expect(() => assertLessonRefs(join(root, 'docs'), root)).toThrow(
      [
        'References to lessons that do not exist:',
        `  docs/next.md:3: a lesson number that does not exist: Lesson ${last + 1}`,
        '  README.md:3: a link to a lesson that does not exist: ](docs/lessons/99-redis.md)',
      ].join('\n'),
    );
  });
});
