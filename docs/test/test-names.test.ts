import { join } from 'node:path';
import { ROOT } from '@lessons/course';
import { describe, expect, it } from 'vitest';
import { lessonTests, testTree } from '../.vitepress/test-names.ts';

describe('testTree()', () => {
  it('nests it() inside describe(), in source order', () => {
    const source = `
      describe('outer', () => {
        it('first', () => {});
        describe('inner', () => { test('second', async () => {}); });
      });
      it('top level', () => {});`;
    expect(testTree(source)).toEqual([
      {
        name: 'outer',
        children: [{ name: 'first' }, { name: 'inner', children: [{ name: 'second' }] }],
      },
      { name: 'top level' },
    ]);
  });

  it('reads modifiers as tests: it.skip, it.concurrent.only, describe.sequential', () => {
    const source = `
      describe.sequential('s', () => { it.skip('a', () => {}); it.concurrent.only('b', () => {}); });`;
    expect(testTree(source)).toEqual([{ name: 's', children: [{ name: 'a' }, { name: 'b' }] }]);
  });

  it('expands it.each over a literal table, formatting %s, %i, %# and $name as vitest does', () => {
    const source = `
      const TRANSPORTS = ['polling', 'websocket'] as const;
      it.each(TRANSPORTS)('greets over %s', () => {});
      it.each([[1, 'one'], [2, 'two']])('%i is %s (case %#)', () => {});
      test.for([{ room: 'a' }])('joins $room', () => {});
      describe.each(['x'])('suite %s', () => { it('inside', () => {}); });`;
    expect(testTree(source)).toEqual([
      { name: 'greets over polling' },
      { name: 'greets over websocket' },
      { name: '1 is one (case 0)' },
      { name: '2 is two (case 1)' },
      { name: 'joins a' },
      { name: 'suite x', children: [{ name: 'inside' }] },
    ]);
  });

  it('shows the parts only known at run time as …', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source of a test file, with its templates
    const source = 'it.each(rows())(`%s for ${user}`, () => {}); it(`static ${1}`, () => {});';
    expect(testTree(source)).toEqual([{ name: '… for …' }, { name: 'static 1' }]);
  });

  it('ignores calls that are not tests', () => {
    expect(
      testTree(`expect(it).toBe(1); foo.describe('x', () => {}); beforeEach(() => {});`),
    ).toEqual([]);
  });
});

describe('lessonTests()', () => {
  it("lists lesson 1's test files with their tests", () => {
    const files = lessonTests(join(ROOT, 'lessons/01-http-server'));
    expect(files.map((f) => f.file)).toContain('test/app.test.ts');
    const app = files.find((f) => f.file === 'test/app.test.ts');
    expect(app?.tests.map((t) => t.name)).toContain('welcome');
  });

  it('finds nothing for a folder without tests', () => {
    expect(lessonTests(join(ROOT, 'lessons/no-such-lesson'))).toEqual([]);
  });
});
