import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from '@lessons/course';
import { createMarkdownRenderer } from 'vitepress';
import { afterAll, describe, expect, it } from 'vitest';
import { mermaidFence } from '../.vitepress/mermaid/plugin.ts';
import { NoBrowserToRender, renderMissing } from '../.vitepress/mermaid/render.ts';
import { DiagramStore, markdownFiles, mermaidBlocks } from '../.vitepress/mermaid/store.ts';
import { testList } from '../.vitepress/test-list.ts';

const storeDir = mkdtempSync(join(tmpdir(), 'diagrams-'));
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));
const store = new DiagramStore(storeDir);

const md = await createMarkdownRenderer(
  join(ROOT, 'docs'),
  {
    config: (renderer) => {
      testList(renderer, ROOT);
      mermaidFence(renderer, store);
    },
  },
  '/',
  { ...console, warn: () => {} },
);
const page = join(ROOT, 'docs/lessons/01-http-server.md');
const render = (source: string) =>
  md.render(source, { path: page, relativePath: 'lessons/01-http-server.md' });

describe('<TestList lesson="…" />', () => {
  it("becomes the lesson's describe and it names, as static HTML", () => {
    const html = render('<TestList lesson="01-http-server" />\n');
    expect(html).toContain('<div class="test-list"><section>');
    expect(html).toContain('<code>lessons/01-http-server/test/app.test.ts</code>');
    expect(html).toContain('<li class="suite"><strong>welcome</strong><ul class="test-tree">');
    expect(html).toContain('<li class="test">gives every connection its own id</li>');
  });

  it('lists one file of the site tests with lesson="docs"', () => {
    const html = render('<TestList lesson="docs" file="websocket.test.ts" />\n');
    expect(html).toContain('<code>docs/test/websocket.test.ts</code>');
    expect(html).not.toContain('troubleshooting.test.ts');
  });

  it('fails the build, with the page and line, when the lesson has no tests', () => {
    expect(() => render('# Title\n\n<TestList lesson="99-nope" />\n')).toThrow(
      'docs/lessons/01-http-server.md:3: <TestList lesson="99-nope" /> found no tests in lessons/99-nope/test/*.test.ts',
    );
  });
});

describe('Mermaid diagrams', () => {
  const source = [
    '# A page',
    '',
    '```mermaid',
    'sequenceDiagram',
    '    Client->>Server: hello',
    '```',
  ].join('\n');
  const blocks = mermaidBlocks(source, 'docs/page.md');

  it('finds each ```mermaid block with the line of its fence', () => {
    expect(blocks).toEqual([
      { code: 'sequenceDiagram\n    Client->>Server: hello\n', page: 'docs/page.md', line: 3 },
    ]);
  });

  // Each render launches Chromium and loads mermaid's 3 MB bundle: seconds on a busy machine.
  const RENDER_TIMEOUT_MS = 15_000;

  it('renders to inline SVG in both themes, with the styles moved to a stylesheet', {
    timeout: RENDER_TIMEOUT_MS,
  }, async () => {
    expect(await renderMissing(blocks, store)).toBe(1);
    const html = render(source);
    expect(html).toMatch(/<div class="mermaid-light"><svg [^>]*aria-roledescription="sequence"/);
    expect(html).toContain('<div class="mermaid-dark"><svg');
    expect(html).not.toContain('<style>');
    // Unused icons dropped; shrinks no further than 78% of its width (16 px text drawn at
    // 12.5 px), then scrolls: this one is 450 px wide.
    expect(html).not.toMatch(/<symbol[^>]*-database"/);
    expect(html).toContain('style="max-width: 450px; min-width: 351px;"');
    expect(store.css(blocks.map((b) => b.code))).toContain(
      '.mermaid-dark > svg[aria-roledescription="sequence"] .actor',
    );
  });

  it('does not render an unchanged diagram again', async () => {
    expect(await renderMissing(blocks, store)).toBe(0);
  });

  it('fails the build on a syntax error, naming the page and the line', {
    timeout: RENDER_TIMEOUT_MS,
  }, async () => {
    const broken = mermaidBlocks(
      ['```mermaid', 'sequenceDiagram', '    Client->>Server hello', '```'].join('\n'),
      'docs/broken.md',
    );
    await expect(renderMissing(broken, store)).rejects.toThrow(
      /^docs\/broken\.md:3: Mermaid syntax error in the diagram that starts on line 1:\nParse error on line 2:/,
    );
  });
});

describe('the rendered diagrams in docs/.vitepress/diagrams', () => {
  const dir = join(ROOT, 'docs/.vitepress/diagrams');
  const site = new DiagramStore(dir);

  it('are committed for every diagram of the site, and for nothing else', () => {
    const blocks = markdownFiles(join(ROOT, 'docs')).flatMap((file) =>
      mermaidBlocks(readFileSync(file, 'utf8'), relative(ROOT, file)),
    );
    const committed = execFileSync('git', ['ls-files', '.'], { cwd: dir, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .sort();
    const needed = [...new Set(blocks.flatMap((b) => site.files(b.code)))].sort();
    // A failure here: run `pnpm docs:build` with a browser, then commit docs/.vitepress/diagrams.
    expect(committed).toEqual(needed);
  });
});

describe('a diagram that is new or changed, on a machine without a browser', () => {
  const blocks = mermaidBlocks(
    ['```mermaid', 'graph LR', '  A-->B', '```'].join('\n'),
    'docs/new.md',
  );

  it('fails the build, naming the page and line and the command that installs a browser', async () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = join(storeDir, 'no-browser-here');
    try {
      const rendering = renderMissing(blocks, store);
      await expect(rendering).rejects.toThrow(NoBrowserToRender);
      await expect(rendering).rejects.toThrow(
        /^1 diagram\(s\) are new or changed and not rendered yet \(docs\/new\.md:1\): rendering needs Chromium\. CHROMIUM_PATH is /,
      );
    } finally {
      process.env.CHROMIUM_PATH = saved;
    }
  });

  it('shows its source and the reason in docs:dev, never nothing', () => {
    store.unrenderable.set(blocks[0]?.code ?? '', 'no Chromium <here>');
    const html = render(['```mermaid', 'graph LR', '  A-->B', '```'].join('\n'));
    expect(html).toContain('<div class="mermaid-diagram mermaid-unrendered">');
    expect(html).toContain('no Chromium &lt;here&gt;');
    expect(html).toContain('<pre>graph LR\n  A--&gt;B\n</pre>');
  });
});
