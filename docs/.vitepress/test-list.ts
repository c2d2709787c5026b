import { join, relative } from 'node:path';
import type { MarkdownRenderer } from 'vitepress';
import { lessonTests } from './test-names.ts';

const TEST_LIST = /<TestList\s+lesson="([^"]*)"(?:\s+file="([^"]*)")?\s*\/>/g;

/** Where `<TestList lesson="…" />` looks: a lesson folder, or `docs` for the site's own tests. */
export function testDir(root: string, lesson: string): string {
  return lesson === 'docs' ? join(root, 'docs') : join(root, 'lessons', lesson);
}

/**
 * A markdown-it plugin that fails the build when `<TestList lesson="NN-slug" />`
 * names a lesson without tests, naming the page and line.
 */
export function testListGuard(md: MarkdownRenderer, root: string): void {
  md.core.ruler.after('block', 'test-list-guard', (state) => {
    for (const token of state.tokens) {
      if (!['html_block', 'html_inline', 'inline'].includes(token.type)) continue;
      for (const [, lesson = '', file] of token.content.matchAll(TEST_LIST)) {
        const files = lessonTests(testDir(root, lesson)).filter(
          (f) => !file || f.file === `test/${file}`,
        );
        if (files.length > 0) continue;
        const page = state.env.path ? relative(root, state.env.path) : 'a page';
        const line = token.map ? `:${token.map[0] + 1}` : '';
        throw new Error(
          `${page}${line}: <TestList lesson="${lesson}"${file ? ` file="${file}"` : ''} /> found no tests in ${relative(root, testDir(root, lesson))}/test/${file ?? '*.test.ts'}`,
        );
      }
    }
  });
}
