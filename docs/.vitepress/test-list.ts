import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { MarkdownRenderer, Plugin } from 'vitepress';
// Relative, not '@lessons/course': VitePress bundles its config and leaves
// packages to Node, which cannot load a .ts file.
import {
  currentListing,
  type TestNode,
  testTrees,
} from '../../packages/course/src/grading/listing.ts';

type TestFile = ReturnType<typeof testTrees>[number];

const TEST_LIST = /<TestList\s+lesson="([^"]*)"(?:\s+file="([^"]*)")?\s*\/>/g;

/** Where `<TestList lesson="…" />` looks: a lesson folder, or `docs` for the site's own tests. */
function testDir(root: string, lesson: string): string {
  return lesson === 'docs' ? join(root, 'docs') : join(root, 'lessons', lesson);
}

const escapeHtml = (text: string) => text.replace(/[&<>"{}]/g, (c) => `&#${c.charCodeAt(0)};`);

function tree(nodes: TestNode[]): string {
  const items = nodes.map((node) =>
    node.children
      ? `<li class="suite"><strong>${escapeHtml(node.name)}</strong>${tree(node.children)}</li>`
      : `<li class="test">${escapeHtml(node.name)}</li>`,
  );
  return `<ul class="test-tree">${items.join('')}</ul>`;
}

/**
 * The tests of a lesson (or of `docs`) as vitest lists them, from the
 * committed listing; a stale one is listed again first (`pnpm tests:list`).
 */
function lessonTests(root: string, dir: string): TestFile[] {
  if (!existsSync(join(dir, 'test'))) return [];
  let listed = currentListing(dir);
  if (!listed) {
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/tests-list.ts')], {
      cwd: root,
      stdio: 'inherit',
    });
    listed = currentListing(dir);
  }
  if (!listed) throw new Error(`could not list the tests of ${relative(root, dir)}`);
  return testTrees(listed);
}

/** The test names as static HTML: no JavaScript on the page carries them. */
function testListHtml(lesson: string, files: TestFile[]): string {
  const folder = lesson === 'docs' ? 'docs' : `lessons/${lesson}`;
  const sections = files.map(
    (f) =>
      `<section><p class="test-file"><code>${escapeHtml(`${folder}/${f.file}`)}</code></p>${tree(f.tests)}</section>`,
  );
  return `<div class="test-list">${sections.join('')}</div>`;
}

/**
 * A markdown-it plugin that replaces each `<TestList lesson="NN-slug" />` (or
 * `<TestList lesson="docs" file="x.test.ts" />`) with the describe/it names of
 * the lesson's test files, as vitest lists them (its test/tests.json). The names become
 * static HTML, which VitePress leaves out of the page's JavaScript; a Vue
 * component fed by a data loader would ship every lesson's names to every
 * lesson page. It fails the build, naming the page and line, when the lesson
 * has no tests.
 */
export function testList(md: MarkdownRenderer, root: string): void {
  md.core.ruler.after('block', 'test-list', (state) => {
    const page = state.env.path ? relative(root, state.env.path) : 'a page';
    const tokens = state.tokens.flatMap((t) => [t, ...(t.children ?? [])]);
    for (const token of tokens) {
      if (token.type !== 'html_block' && token.type !== 'html_inline') continue;
      token.content = token.content.replace(TEST_LIST, (_, lesson: string, file?: string) => {
        const files = lessonTests(root, testDir(root, lesson)).filter(
          (f) => !file || f.file === `test/${file}`,
        );
        if (files.length === 0) {
          const line = token.map ? `:${token.map[0] + 1}` : '';
          throw new Error(
            `${page}${line}: <TestList lesson="${lesson}"${file ? ` file="${file}"` : ''} /> found no tests in ${relative(root, testDir(root, lesson))}/test/${file ?? '*.test.ts'}`,
          );
        }
        return testListHtml(lesson, files);
      });
    }
  });
}

/**
 * The Vite plugin that keeps `docs:dev` in step with the test files: a page
 * with `<TestList>` re-renders when one of its tests is renamed, added or
 * removed. VitePress caches a page's render by its Markdown source, so the
 * source it sees ends with a comment holding a hash of the page's test names.
 */
export function testListPlugin(root: string): Plugin {
  const namesHash = (markdown: string) => {
    const lessons = [...markdown.matchAll(TEST_LIST)].map(([, lesson = '']) => lesson);
    const names = lessons.map((lesson) => lessonTests(root, testDir(root, lesson)));
    return createHash('sha1').update(JSON.stringify(names)).digest('hex').slice(0, 12);
  };
  return {
    name: 'realtime-lessons:test-list',
    // A build renders every page afresh: hashing the test names would only cost time there.
    apply: 'serve',
    enforce: 'pre',
    configureServer(server) {
      server.watcher.add([
        join(root, 'lessons/*/test/*.test.ts'),
        join(root, 'docs/test/*.test.ts'),
      ]);
    },
    transform(code, id) {
      if (!id.split('?')[0]?.endsWith('.md') || !code.includes('<TestList')) return null;
      return `${code}\n\n<!-- test names: ${namesHash(code)} -->\n`;
    },
    handleHotUpdate({ file, server, modules }) {
      if (!file.endsWith('.test.ts')) return undefined;
      const pages = [...server.moduleGraph.idToModuleMap.values()].filter(
        (m) => m.file?.endsWith('.md') && readFileSync(m.file, 'utf8').includes('<TestList'),
      );
      return [...modules, ...pages];
    },
  };
}
