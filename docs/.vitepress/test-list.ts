import { join, relative } from 'node:path';
import type { MarkdownRenderer } from 'vitepress';
import { lessonTests } from './test-names.ts';

const TEST_LIST = /<TestList\s+lesson="([^"]*)"\s*\/>/g;

/**
 * A markdown-it plugin that fails the build when `<TestList lesson="NN-slug" />`
 * names a lesson without tests, naming the page and line.
 */
export function testListGuard(md: MarkdownRenderer, root: string): void {
  md.core.ruler.after('block', 'test-list-guard', (state) => {
    for (const token of state.tokens) {
      if (!['html_block', 'html_inline', 'inline'].includes(token.type)) continue;
      for (const [, lesson = ''] of token.content.matchAll(TEST_LIST)) {
        if (lessonTests(join(root, 'lessons', lesson)).length > 0) continue;
        const page = state.env.path ? relative(root, state.env.path) : 'a page';
        const line = token.map ? `:${token.map[0] + 1}` : '';
        throw new Error(
          `${page}${line}: <TestList lesson="${lesson}" /> found no tests in lessons/${lesson}/test/*.test.ts`,
        );
      }
    }
  });
}
