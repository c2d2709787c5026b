// Rendering diagrams to SVG in headless Chromium, with mermaid's own bundle:
// needed only for a diagram that is new or changed (see store.ts).
import { createRequire } from 'node:module';
// Relative paths, so that the config bundler inlines the TypeScript source.
import {
  chromiumMissing,
  findChromium,
  launchBrowser,
} from '../../../packages/test-kit/chromium.ts';
import {
  type DiagramStore,
  diagramHash,
  type MermaidBlock,
  type Rendered,
  THEMES,
  type Variant,
} from './store.ts';

const MERMAID_JS = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

// Liberation Sans has Arial's metrics, so text measured in headless Chromium
// fits its boxes wherever Arial (or Liberation Sans) draws it.
const FONT = 'Arial, "Liberation Sans", Helvetica, sans-serif';

/** Diagrams that need rendering, on a machine where no Chromium can render them. */
export class NoBrowserToRender extends Error {
  constructor(readonly blocks: MermaidBlock[]) {
    const where = blocks.map((b) => `${b.page}:${b.line}`).join(', ');
    super(
      `${blocks.length} diagram(s) are new or changed and not rendered yet (${where}): rendering needs Chromium. ${chromiumMissing()}`,
    );
  }
}

/**
 * Render every block the store does not have, in one browser, and save each.
 * Returns how many were rendered. Throws `NoBrowserToRender` when some need
 * rendering and this machine has no Chromium, and on the first syntax error,
 * naming the page and line.
 */
export async function renderMissing(blocks: MermaidBlock[], store: DiagramStore): Promise<number> {
  const missing = [
    ...new Map(blocks.filter((b) => !store.has(b.code)).map((b) => [b.code, b])).values(),
  ];
  if (missing.length === 0) return 0;
  if (!process.env.CHROMIUM_WS_ENDPOINT && !findChromium()) throw new NoBrowserToRender(missing);
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
        store.save(block.code, variant, splitStyle(result.svg ?? '', variant));
      }
    }
  } finally {
    await browser.close();
  }
  return missing.length;
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
function splitStyle(svg: string, variant: Variant): Rendered {
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
