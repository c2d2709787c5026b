import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type { MarkdownRenderer, Plugin } from 'vitepress';
// A relative path, so the config bundler inlines the TypeScript source.
import { launchBrowser } from '../../packages/test-kit/chromium.ts';

// Diagrams are rendered to SVG once, at build time, in headless Chromium, and
// inlined into the page: the browser never downloads mermaid's ~1 MB runtime.

const require = createRequire(import.meta.url);
const MERMAID_JS = require.resolve('mermaid/dist/mermaid.min.js');
const MERMAID_VERSION: string = JSON.parse(
  readFileSync(join(MERMAID_JS, '../../package.json'), 'utf8'),
).version;

// Liberation Sans has Arial's metrics, so text measured in headless Chromium
// fits its boxes wherever Arial (or Liberation Sans) draws it.
const FONT = 'Arial, "Liberation Sans", Helvetica, sans-serif';
const THEMES = { light: 'default', dark: 'dark' } as const;
type Variant = keyof typeof THEMES;
const VARIANTS = Object.keys(THEMES) as Variant[];
// Bump to re-render every diagram after changing how they are rendered.
const RENDER_VERSION = 4;

export interface MermaidBlock {
  /** The diagram source, as markdown-it hands it to the fence rule. */
  code: string;
  /** Where the block is, for error messages. */
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** The cache key of a diagram: its source, mermaid's version and the render settings. */
function diagramHash(code: string): string {
  return createHash('sha256')
    .update(`${MERMAID_VERSION}\0${RENDER_VERSION}\0${code}`)
    .digest('hex')
    .slice(0, 16);
}

/** Every ```mermaid fenced block in a Markdown source, with its line. */
export function mermaidBlocks(source: string, page: string): MermaidBlock[] {
  const blocks: MermaidBlock[] = [];
  const lines = source.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*(\S*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '', lang] = open;
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end] ?? '')) end++;
    if (lang === 'mermaid') {
      const body = lines
        .slice(i + 1, end)
        .map((l) => l.slice(Math.min(indent.length, /^ */.exec(l)?.[0].length ?? 0)));
      blocks.push({ code: `${body.join('\n')}\n`, page, line: i + 1 });
    }
    i = end;
  }
  return blocks;
}

export class MermaidCache {
  constructor(readonly dir: string) {}

  file(hash: string, variant: Variant, ext: 'svg' | 'css' = 'svg'): string {
    return join(this.dir, `${hash}.${variant}.${ext}`);
  }

  has(code: string): boolean {
    const hash = diagramHash(code);
    return VARIANTS.every(
      (v) => existsSync(this.file(hash, v)) && existsSync(this.file(hash, v, 'css')),
    );
  }

  /** The inline HTML for a rendered diagram, or undefined when it is not rendered yet. */
  html(code: string): string | undefined {
    if (!this.has(code)) return undefined;
    const hash = diagramHash(code);
    const svgs = VARIANTS.map(
      (variant) =>
        `<div class="mermaid-${variant}">${readableOnPhones(readFileSync(this.file(hash, variant), 'utf8')).replace(/\{\{/g, '&#123;&#123;')}</div>`,
    );
    return `<div class="mermaid-diagram">${svgs.join('')}</div>\n`;
  }

  /** The stylesheet of the given diagrams, each rule once. */
  css(codes: Iterable<string>): string {
    const rules = new Set<string>();
    for (const code of codes) {
      if (!this.has(code)) continue;
      for (const variant of VARIANTS) {
        rules.add(readFileSync(this.file(diagramHash(code), variant, 'css'), 'utf8'));
      }
    }
    return [...rules].join('\n');
  }

  /**
   * Render every block not in the cache, in one browser. Throws on the first
   * syntax error, naming the page and line.
   */
  async render(blocks: MermaidBlock[]): Promise<number> {
    const missing = [
      ...new Map(blocks.filter((b) => !this.has(b.code)).map((b) => [b.code, b])).values(),
    ];
    if (missing.length === 0) return 0;
    mkdirSync(this.dir, { recursive: true });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ path: MERMAID_JS });
      for (const block of missing) {
        const hash = diagramHash(block.code);
        for (const [variant, theme] of Object.entries(THEMES) as [Variant, string][]) {
          const result = await page.evaluate(
            async ({ code, id, theme, font }) => {
              // biome-ignore lint/suspicious/noExplicitAny: mermaid's global, from the script tag
              const mermaid = (window as any).mermaid;
              mermaid.initialize({
                startOnLoad: false,
                securityLevel: 'strict',
                theme,
                fontFamily: font,
                themeVariables: { fontFamily: font },
                sequence: { useMaxWidth: true },
                flowchart: { useMaxWidth: true },
              });
              try {
                await mermaid.parse(code);
                const { svg } = await mermaid.render(id, code);
                return { svg };
              } catch (error) {
                document.getElementById(`d${id}`)?.remove();
                return { error: String((error as Error)?.message ?? error) };
              }
            },
            { code: block.code, id: `mermaid-${hash}-${variant}`, theme, font: FONT },
          );
          if ('error' in result) throw new Error(syntaxError(block, result.error ?? ''));
          const { svg, css } = splitStyle(result.svg ?? '', variant);
          writeFileSync(this.file(hash, variant), svg);
          writeFileSync(this.file(hash, variant, 'css'), css);
        }
      }
    } finally {
      await browser.close();
    }
    return missing.length;
  }
}

/** `docs/lessons/03-rooms.md:48: Mermaid syntax error: …`, pointing at the bad line when mermaid says which. */
function syntaxError(block: MermaidBlock, message: string): string {
  const lineInDiagram = Number(/on line (\d+)/.exec(message)?.[1] ?? 0);
  const line = block.line + (lineInDiagram || 1);
  return `${block.page}:${line}: Mermaid syntax error in the diagram that starts on line ${block.line}:\n${message}`;
}

/**
 * Move a rendered SVG's `<style>` out into a stylesheet. Vue drops `<style>`
 * from templates, and a page's JavaScript would otherwise carry the rules of
 * every diagram. Mermaid scopes its rules to the SVG's id; scoped instead to
 * the theme and diagram type, they are the same for every diagram of a type.
 */
function splitStyle(svg: string, variant: Variant): { svg: string; css: string } {
  const id = /^<svg[^>]*\bid="([^"]+)"/.exec(svg)?.[1];
  const type = /^<svg[^>]*\baria-roledescription="([^"]+)"/.exec(svg)?.[1] ?? 'diagram';
  if (!id) throw new Error('Mermaid returned an SVG without an id');
  const scope = `.mermaid-${variant} > svg[aria-roledescription="${type}"]`;
  let css = '';
  const body = svg
    .replace(/<style>([\s\S]*?)<\/style>/g, (_, rules: string) => {
      // Selectors scoped to the SVG's id get the shared scope; url(#id-…) references stay.
      css += decodeEntities(rules).replace(new RegExp(`(?<!url\\()#${id}(?![\\w-])`, 'g'), scope);
      return '';
    })
    // Every id unique on the page, though each diagram is inlined twice.
    .replace(/\bid="(?!mermaid-)([^"]+)"/g, `id="${id}-$1"`);
  return { svg: withoutUnusedSymbols(body), css };
}

/**
 * Mermaid scales a diagram down to fit (`width="100%"`, `max-width: <its width>`).
 * On a phone that makes the text unreadable: stop shrinking at 30rem and let
 * the diagram scroll sideways instead (see custom.css).
 */
function readableOnPhones(svg: string): string {
  return svg.replace(
    /^(<svg[^>]*\bstyle=")max-width: ?([\d.]+)px;?/,
    (_, start: string, width: string) =>
      `${start}max-width: ${width}px; min-width: min(${width}px, 30rem);`,
  );
}

/**
 * Drop the `<symbol>`s nothing uses: every sequence diagram carries the icons
 * for database, computer and clock participants, about 14 KB, used or not.
 */
function withoutUnusedSymbols(svg: string): string {
  return svg.replace(
    /<symbol\b[^>]*\bid="([^"]+)"[^>]*>[\s\S]*?<\/symbol>/g,
    (symbol, id: string) => (svg.includes(`#${id}"`) || svg.includes(`#${id})`) ? symbol : ''),
  );
}

/** The style text of an SVG serialised as XML: `text.actor&gt;tspan` is `text.actor>tspan`. */
function decodeEntities(text: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => named[name] ?? '');
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(
      (e) =>
        e.isFile() &&
        e.name.endsWith('.md') &&
        !join(e.parentPath, e.name).includes(`${join('.vitepress', '')}`) &&
        !e.parentPath.includes('node_modules'),
    )
    .map((e) => join(e.parentPath, e.name));
}

/** The stylesheet of every diagram on the site, as theme/index.ts imports it. */
const MERMAID_CSS = 'virtual:mermaid-diagrams.css';
const MERMAID_CSS_ID = '/__mermaid-diagrams.css';

/**
 * The Vite plugin that renders every diagram before VitePress renders the
 * pages (all of them at the start of a build, and a changed page's diagrams
 * before it is transformed in `docs:dev`), and serves their stylesheet as
 * `virtual:mermaid-diagrams.css`.
 */
export function mermaidPlugin(docsDir: string, root: string, cache: MermaidCache): Plugin {
  const byPage = new Map<string, MermaidBlock[]>();
  let server:
    | Parameters<Extract<Plugin['configureServer'], (...args: never) => unknown>>[0]
    | undefined;
  let queue = Promise.resolve(0);
  const render = (blocks: MermaidBlock[]) => {
    queue = queue.catch(() => 0).then(() => cache.render(blocks));
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
      await render([...byPage.values()].flat());
    },
    resolveId(id) {
      return id === MERMAID_CSS ? MERMAID_CSS_ID : undefined;
    },
    load(id) {
      if (id !== MERMAID_CSS_ID) return undefined;
      return cache.css(new Set([...byPage.values()].flat().map((b) => b.code)));
    },
    async transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!file.endsWith('.md')) return null;
      const page = relative(root, file);
      const blocks = mermaidBlocks(code, page);
      byPage.set(page, blocks);
      if (blocks.some((b) => !cache.has(b.code)) && (await render(blocks)) > 0 && server) {
        const styles = server.moduleGraph.getModuleById(MERMAID_CSS_ID);
        if (styles) await server.reloadModule(styles);
      }
      return null;
    },
  };
}

/** The markdown-it fence rule that inlines the pre-rendered SVG of each ```mermaid block. */
export function mermaidFence(md: MarkdownRenderer, cache: MermaidCache): void {
  const fence = md.renderer.rules.fence;
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    if (token?.info.trim() !== 'mermaid') return fence?.(tokens, idx, options, env, self) ?? '';
    // Only the search index renders pages before the plugin has rendered their
    // diagrams; a diagram has nothing to index.
    return cache.html(token.content) ?? '<div class="mermaid-diagram mermaid-pending"></div>\n';
  };
}
