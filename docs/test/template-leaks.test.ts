// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests write template text on purpose, as a page that leaks it shows it
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '@lessons/course';
import { describe, expect, it } from 'vitest';
import { markdownFiles } from '../.vitepress/mermaid/store.ts';

// A page that meant to show a value and shows its template instead, such as
// `${data.prompted.sent}` where the capture sent `40`: checked on the built
// HTML, which `pnpm docs:build` writes (`pnpm verify` builds before it tests).
const DOCS = join(ROOT, 'docs');
const DIST = join(DOCS, '.vitepress/dist');

/** The names a page's `<script setup>` declares, which its template can use: `['Captured', 'data']`. */
function scriptBindings(source: string): string[] {
  const names = new Set<string>();
  for (const [, script = ''] of source.matchAll(
    /<script\b[^>]*\bsetup\b[^>]*>([\s\S]*?)<\/script>/g,
  )) {
    for (const [, one, many = ''] of script.matchAll(
      /\bimport\s+(?:(\w+)\s*,?\s*)?(?:\{([^}]*)\})?\s*from\b/g,
    )) {
      if (one) names.add(one);
      for (const name of many.split(',')) {
        const local = name
          .trim()
          .split(/\s+as\s+/)
          .pop();
        if (local && /^\w+$/.test(local)) names.add(local);
      }
    }
    for (const [, name = ''] of script.matchAll(/\b(?:const|let|var|function)\s+(\w+)/g)) {
      names.add(name);
    }
  }
  return [...names];
}

/**
 * The template text a built page shows: outside `<pre>` blocks and scripts,
 * every `{{ … }}` (Vue renders its own, so one left is literal), every
 * `${…}` outside inline code, and every `${…}` in inline code that names one
 * of `bindings` (`${socket.id}` in a lesson's inline code is JavaScript the
 * page teaches; `${data.x}` is a value it meant to show).
 */
function templateLeaks(html: string, bindings: string[]): string[] {
  const shown = html.replace(/<pre\b[\s\S]*?<\/pre>|<script\b[\s\S]*?<\/script>/g, '');
  const placeholder = /\{\{[^<]*?\}\}|\$\{[^<]*?\}/g;
  const leaks: string[] = [];
  for (const [text, code] of shown.matchAll(
    /<code\b[^>]*>([\s\S]*?)<\/code>|\{\{[^<]*?\}\}|\$\{[^<]*?\}/g,
  )) {
    if (code === undefined) leaks.push(text);
    else {
      for (const [inCode] of code.matchAll(placeholder)) {
        const name = /^\$\{\s*(\w+)/.exec(inCode)?.[1];
        if (inCode.startsWith('{{') || (name && bindings.includes(name))) leaks.push(inCode);
      }
    }
  }
  return leaks;
}

/** Every built page, with the names its source declares: `['guide/handshake.html', ['Captured', 'data']]`. */
function builtPages(): [string, string[]][] {
  return readdirSync(DIST, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.html'))
    .sort()
    .map((file) => {
      const source = join(DOCS, file.replace(/\.html$/, '.md'));
      return [file, existsSync(source) ? scriptBindings(readFileSync(source, 'utf8')) : []];
    });
}

function assertFreshBuild(): void {
  const index = join(DIST, 'index.html');
  if (!existsSync(index)) {
    throw new Error('The site is not built: run `pnpm docs:build` first (`pnpm verify` does).');
  }
  const built = statSync(index).mtimeMs;
  const newer = markdownFiles(DOCS).find((file) => statSync(file).mtimeMs > built);
  if (newer) {
    throw new Error(
      `The built site is older than ${relative(ROOT, newer)}: run \`pnpm docs:build\` again.`,
    );
  }
}

describe('scriptBindings()', () => {
  it("names what a page's <script setup> imports and declares", () => {
    const page = [
      '<script setup>',
      "import Captured from '../.vitepress/theme/Captured.vue';",
      "import { data, other as help } from './handshake.data.ts';",
      'const scene = data.people.length;',
      '</script>',
      '',
      '# Title',
    ].join('\n');
    expect(scriptBindings(page)).toEqual(['Captured', 'data', 'help', 'scene']);
    expect(scriptBindings('# No script\n')).toEqual([]);
  });
});

describe('templateLeaks()', () => {
  it('finds a placeholder left in inline code, when it names something the page declares', () => {
    const html = '<p>the capture sends <code>${data.prompted.sent}</code> and more</p>';
    expect(templateLeaks(html, ['data'])).toEqual(['${data.prompted.sent}']);
  });

  it('finds {{ }} and ${ } anywhere outside code', () => {
    expect(templateLeaks('<p>Hello {{ name }}</p><p>and ${name}</p>', [])).toEqual([
      '{{ name }}',
      '${name}',
    ]);
  });

  it('leaves the JavaScript a page teaches: code blocks, and inline code that names nothing of the page', () => {
    const html = [
      '<p>as <code>${socket.id} ← ${event}(${show(args)})</code>, or <code>`user:${to}`</code></p>',
      '<div class="language-js"><pre><code>const line = `${a} {{ b }}`;</code></pre></div>',
      '<script>window.x = "${y}"</script>',
    ].join('');
    expect(templateLeaks(html, ['data'])).toEqual([]);
  });
});

describe('the built site', () => {
  it('shows no template text on any page: what a page meant to compute, it computed', () => {
    assertFreshBuild();
    const leaks = builtPages().flatMap(([file, bindings]) =>
      templateLeaks(readFileSync(join(DIST, file), 'utf8'), bindings).map(
        (leak) => `${file}: ${leak}`,
      ),
    );
    expect(leaks).toEqual([]);
  });
});
