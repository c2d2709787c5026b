// The site's diagrams in VitePress: a Vite plugin that renders what the store
// lacks before the pages are rendered, and the Markdown fence rule that
// inlines each diagram's SVG.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { MarkdownRenderer, Plugin } from 'vitepress';
import { NoBrowserToRender, renderMissing } from './render.ts';
import {
  type DiagramStore,
  type MermaidBlock,
  markdownFiles,
  mermaidBlocks,
  unrenderedHtml,
} from './store.ts';

/** The stylesheet of every diagram on the site, as theme/index.ts imports it. */
const MERMAID_CSS = 'virtual:mermaid-diagrams.css';
const MERMAID_CSS_ID = '/__mermaid-diagrams.css';

/**
 * The Vite plugin that renders every diagram the store lacks before VitePress
 * renders the pages (all of them at the start, and a changed page's in
 * `docs:dev`), and serves their stylesheet as `virtual:mermaid-diagrams.css`.
 * A build fails on a diagram it cannot render; `docs:dev` without a browser
 * warns and shows the diagram's source instead (see `mermaidFence`). A build
 * also deletes the renders no page uses any more.
 */
export function mermaidPlugin(docsDir: string, root: string, store: DiagramStore): Plugin {
  const byPage = new Map<string, MermaidBlock[]>();
  let server:
    | Parameters<Extract<Plugin['configureServer'], (...args: never) => unknown>>[0]
    | undefined;
  let queue = Promise.resolve(0);
  const render = (blocks: MermaidBlock[]) => {
    queue = queue
      .catch(() => 0)
      .then(() => renderMissing(blocks, store))
      .catch((error: unknown) => {
        if (!(server && error instanceof NoBrowserToRender)) throw error;
        server.config.logger.warn(error.message);
        for (const block of error.blocks) store.unrenderable.set(block.code, error.message);
        return 0;
      });
    return queue;
  };
  return {
    name: 'realtime-lessons:mermaid',
    enforce: 'pre',
    configureServer(devServer) {
      server = devServer;
    },
    async buildStart() {
      for (const file of markdownFiles(docsDir)) {
        const page = relative(root, file);
        byPage.set(page, mermaidBlocks(readFileSync(file, 'utf8'), page));
      }
      const all = [...byPage.values()].flat();
      await render(all);
      if (!server) store.prune(all.map((b) => b.code));
    },
    resolveId(id) {
      return id === MERMAID_CSS ? MERMAID_CSS_ID : undefined;
    },
    load(id) {
      if (id !== MERMAID_CSS_ID) return undefined;
      return store.css(new Set([...byPage.values()].flat().map((b) => b.code)));
    },
    async transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!file.endsWith('.md')) return null;
      const page = relative(root, file);
      const blocks = mermaidBlocks(code, page);
      byPage.set(page, blocks);
      if (blocks.some((b) => !store.has(b.code)) && (await render(blocks)) > 0 && server) {
        const styles = server.moduleGraph.getModuleById(MERMAID_CSS_ID);
        if (styles) await server.reloadModule(styles);
      }
      return null;
    },
  };
}

/**
 * The markdown-it fence rule that inlines the rendered SVG of each ```mermaid
 * block, or, where it could not be rendered, its source and the reason.
 */
export function mermaidFence(md: MarkdownRenderer, store: DiagramStore): void {
  const fence = md.renderer.rules.fence;
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    if (token?.info.trim() !== 'mermaid') return fence?.(tokens, idx, options, env, self) ?? '';
    const html = store.html(token.content);
    if (html) return html;
    const reason = store.unrenderable.get(token.content);
    if (reason) return unrenderedHtml(token.content, reason);
    // Only the search index renders pages before the plugin has rendered their
    // diagrams; a diagram has nothing to index.
    return '<div class="mermaid-diagram mermaid-pending"></div>\n';
  };
}
