// The diagrams of the site, rendered once and committed beside the pages'
// sources (docs/.vitepress/diagrams/), so that serving or building the site
// needs no browser: only a new or changed diagram is rendered (render.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const THEMES = { light: 'default', dark: 'dark' } as const;
export type Variant = keyof typeof THEMES;
export const VARIANTS = Object.keys(THEMES) as Variant[];
// Bump to re-render every diagram after changing how they are rendered.
const RENDER_VERSION = 4;
const MERMAID_VERSION: string = createRequire(import.meta.url)('mermaid/package.json').version;

export interface MermaidBlock {
  /** The diagram source, as markdown-it hands it to the fence rule. */
  code: string;
  /** Where the block is, for error messages. */
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** A rendered diagram of one theme: the SVG, and its style rules moved out of it. */
export interface Rendered {
  svg: string;
  css: string;
}

/** A diagram's name in the store: a hash of its source, mermaid's version and the render settings. */
export function diagramHash(code: string): string {
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

/** The Markdown pages under `docs/`, without VitePress's own folder. */
export function markdownFiles(docsDir: string): string[] {
  return readdirSync(docsDir, { withFileTypes: true, recursive: true })
    .filter(
      (e) =>
        e.isFile() &&
        e.name.endsWith('.md') &&
        !join(e.parentPath, e.name).includes(`${join('.vitepress', '')}`) &&
        !e.parentPath.includes('node_modules'),
    )
    .map((e) => join(e.parentPath, e.name));
}

/** Vue reads `{{` in a page as an interpolation. */
const forVue = (html: string) => html.replace(/\{\{/g, '&#123;&#123;');

/**
 * Mermaid scales a diagram down to fit its column (`width="100%"`, `max-width: <its width>`),
 * which on a narrow column shrinks its 16 px text below reading size. Stop shrinking at
 * `MIN_SCALE`, so that no text is drawn under 12 px, and let the diagram scroll sideways
 * in its frame instead (see theme/scroll-frames.ts).
 */
const MIN_SCALE = 0.78;
function readableOnPhones(svg: string): string {
  return svg.replace(
    /^(<svg[^>]*\bstyle=")max-width: ?([\d.]+)px;?/,
    (_, start: string, width: string) =>
      `${start}max-width: ${width}px; min-width: ${Math.ceil(Number(width) * MIN_SCALE)}px;`,
  );
}

/** The folder of rendered diagrams: `<hash>.<variant>.svg` and `.css`, two themes each. */
export class DiagramStore {
  /** Diagrams this process could not render, by source, with the reason (no browser). */
  readonly unrenderable = new Map<string, string>();

  constructor(readonly dir: string) {}

  /** The files a diagram is stored in. */
  files(code: string): string[] {
    const hash = diagramHash(code);
    return VARIANTS.flatMap((v) => [`${hash}.${v}.svg`, `${hash}.${v}.css`]);
  }

  has(code: string): boolean {
    return this.files(code).every((file) => existsSync(join(this.dir, file)));
  }

  save(code: string, variant: Variant, rendered: Rendered): void {
    mkdirSync(this.dir, { recursive: true });
    const hash = diagramHash(code);
    writeFileSync(join(this.dir, `${hash}.${variant}.svg`), rendered.svg);
    writeFileSync(join(this.dir, `${hash}.${variant}.css`), rendered.css);
  }

  #read(code: string, variant: Variant, ext: 'svg' | 'css'): string {
    return readFileSync(join(this.dir, `${diagramHash(code)}.${variant}.${ext}`), 'utf8');
  }

  /** The inline HTML of a rendered diagram, or undefined when it is not rendered yet. */
  html(code: string): string | undefined {
    if (!this.has(code)) return undefined;
    const svgs = VARIANTS.map(
      (variant) =>
        `<div class="mermaid-${variant}">${forVue(readableOnPhones(this.#read(code, variant, 'svg')))}</div>`,
    );
    return `<div class="mermaid-diagram">${svgs.join('')}</div>\n`;
  }

  /** The stylesheet of the given diagrams, each rule once. */
  css(codes: Iterable<string>): string {
    const rules = new Set<string>();
    for (const code of codes) {
      if (!this.has(code)) continue;
      for (const variant of VARIANTS) rules.add(this.#read(code, variant, 'css'));
    }
    return [...rules].join('\n');
  }

  /** Delete the renders of diagrams the site no longer has; returns their file names. */
  prune(codes: Iterable<string>): string[] {
    if (!existsSync(this.dir)) return [];
    const kept = new Set([...codes].flatMap((code) => this.files(code)));
    const stale = readdirSync(this.dir).filter((file) => !kept.has(file));
    for (const file of stale) rmSync(join(this.dir, file));
    return stale;
  }
}

/**
 * What a page shows in place of a diagram that could not be rendered (no
 * browser, in `docs:dev`): the reason and the diagram's source, never nothing.
 */
export function unrenderedHtml(code: string, reason: string): string {
  const escapeHtml = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return forVue(
    `<div class="mermaid-diagram mermaid-unrendered"><p><strong>This diagram is not rendered:</strong> ${escapeHtml(reason)}</p><pre>${escapeHtml(code)}</pre></div>\n`,
  );
}
