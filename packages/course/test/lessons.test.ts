import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLesson, listLessons } from '../src/lessons.ts';

describe('listLessons()', () => {
  it('reads every lessons/NN-slug folder in order, with its metadata', () => {
    const lessons = listLessons();
    expect(lessons[0]).toMatchObject({ number: 1, id: '01-http-server', slug: 'http-server' });
    expect(lessons[0]?.title).toBe('One port for HTTP and Socket.IO');
    expect(lessons.map((l) => l.number)).toEqual(
      [...lessons.map((l) => l.number)].sort((a, b) => a - b),
    );
  });

  it('names the file and the field when a lesson has invalid metadata', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lessons-'));
    mkdirSync(join(dir, '07-broken'));
    writeFileSync(
      join(dir, '07-broken', 'package.json'),
      JSON.stringify({ lesson: { title: 'x' } }),
    );
    expect(() => listLessons(dir)).toThrow(
      /07-broken.package\.json: the "lesson" field is invalid[\s\S]*summary/,
    );
  });
});

describe('the "run" field: what pnpm lesson needs, apart from what the tests need', () => {
  const lessonWith = (run: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'lessons-'));
    mkdirSync(join(dir, '07-scaled'));
    const exercises = [{ id: 'one', title: 'One', task: 'Do it.', tests: ['test'], hints: ['h'] }];
    const lesson = { title: 'x', summary: 'y', exercises, requires: ['redis-server'], run };
    writeFileSync(join(dir, '07-scaled', 'package.json'), JSON.stringify({ lesson }));
    return () => listLessons(dir)[0];
  };

  it('reads run.requires and run.redis, each with a default', () => {
    expect(lessonWith({ requires: [], redis: true })()).toMatchObject({
      requires: ['redis-server'],
      run: { requires: [], redis: true },
    });
    expect(lessonWith({})()?.run).toEqual({ requires: [], redis: false });
    expect(lessonWith(undefined)()?.run).toBeUndefined();
  });

  it('refuses a program it does not know and a field it does not know', () => {
    expect(lessonWith({ requires: ['postgres'] })).toThrow(/run\.requires/);
    expect(lessonWith({ redis: true, kafka: true })).toThrow(/kafka/);
  });
});

describe('findLesson()', () => {
  it.each(['1', '01', 'http-server', '01-http-server', ' 01-HTTP-Server '])(
    'finds lesson 1 by %j',
    (query) => {
      expect(findLesson(query)?.id).toBe('01-http-server');
    },
  );

  it.each(['0', '99', 'rooms-and-more', ''])('finds nothing for %j', (query) => {
    expect(findLesson(query)).toBeUndefined();
  });
});
