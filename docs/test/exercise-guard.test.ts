import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMarkdownRenderer } from 'vitepress';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exerciseEmbedGuard,
  exerciseLeaks,
  exerciseTriples,
} from '../.vitepress/exercise-guard.ts';

// A course of one lesson, whose answer to exercise "greet" is three lines and a brace.
const root = mkdtempSync(join(tmpdir(), 'exercise-guard-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'lessons/01-x/src'), { recursive: true });
writeFileSync(
  join(root, 'lessons/01-x/src/app.ts'),
  [
    'export function greet(socket) {',
    '  // #region exercise-greet',
    "  socket.on('hello', (name, ack) => {",
    "    const text = 'Hello, ' + name;",
    '    ack({ text });',
    '  });',
    '  // #endregion exercise-greet',
    '}',
    '',
  ].join('\n'),
);

const md = await createMarkdownRenderer(
  root,
  { config: (renderer) => exerciseEmbedGuard(renderer, root) },
  '/',
  { ...console, warn: () => {} },
);
const render = (source: string) =>
  md.render(source, { path: join(root, 'lesson.md'), relativePath: 'lesson.md' });
const embed = '<<< ./lessons/01-x/src/app.ts#exercise-greet';

describe('an exercise region on a page', () => {
  it('fails the build outside a collapsed solution, naming the page, the line and the region', () => {
    expect(() => render(`# Lesson\n\n## Your task\n\n${embed}\n`)).toThrow(
      'lesson.md:5: embeds the answer lessons/01-x/src/app.ts#exercise-greet outside a collapsed solution',
    );
  });

  it('fails the build in a solution block placed before the task', () => {
    expect(() =>
      render(`# Lesson\n\n::: details Solution: greet\n${embed}\n:::\n\n## Your task\n`),
    ).toThrow('lesson.md:4: embeds the answer');
  });

  it('is embedded, collapsed, in a solution block after the task', () => {
    const html = render(`# Lesson\n\n## Your task\n\n::: details Solution: greet\n${embed}\n:::\n`);
    expect(html).toMatch(
      /<details class="details custom-block"><summary>Solution: greet<\/summary>/,
    );
    expect(html).toContain('ack');
  });
});

describe('the built pages', () => {
  const triples = exerciseTriples(root);
  const pre = (lines: string[]) =>
    `<pre class="shiki"><code>${lines.map((line) => `<span class="line">${line.replaceAll('>', '&gt;')}</span>`).join('\n')}</code></pre>`;

  it('leak an answer when a code block outside <details> repeats three of its lines', () => {
    const pasted = pre([
      "socket.on('hello', (name, ack) => {",
      "  const text = 'Hello, ' + name;",
      '  ack({ text });',
    ]);
    expect(exerciseLeaks(`<p>Try it:</p>${pasted}`, triples)).toEqual([
      'lessons/01-x/src/app.ts#exercise-greet',
    ]);
    expect(
      exerciseLeaks(`<details><summary>Solution</summary>${pasted}</details>`, triples),
    ).toEqual([]);
  });

  it('do not, for two lines and punctuation, as a worked example may share', () => {
    const example = pre(["socket.on('hello', (name, ack) => {", '  ack({ text });', '});']);
    expect(exerciseLeaks(example, triples)).toEqual([]);
  });
});
