import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, relative } from 'node:path';
import { listLessons, ROOT } from '@lessons/course';
import { useBrowser } from '@lessons/test-kit/browser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import config from '../.vitepress/config.ts';
import { markdownFiles, mermaidBlocks } from '../.vitepress/mermaid/store.ts';
import { serveDist } from '../.vitepress/serve-dist.ts';
import {
  type AxeRules,
  axeViolations,
  MIN_DIAGRAM_TEXT_PX,
  measureLayout,
  setTheme,
} from './page-audit.ts';

// The built site, opened page by page in Chromium. `pnpm verify` builds it
// first (`pnpm docs:build`); this test reuses that build instead of paying
// for another one.
const DOCS = join(ROOT, 'docs');
const DIST = join(DOCS, '.vitepress/dist');
// Full-page screenshots of the lesson pages, to look at after a change to the theme or a
// page; JPEG, three times faster to encode than PNG.
const SCREENSHOTS = join(ROOT, '.artifacts/screenshots');
// The narrowest phone the site is held to (an iPhone 12 to 15), and a laptop.
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
// A page, loaded at two widths, measured and checked by axe in two themes at each: seconds,
// on a busy CI machine.
const PAGE_TIMEOUT_MS = 40_000;

/** The newest file the build reads, to tell a stale build from a fresh one. */
function newestSource(): { file: string; mtime: number } {
  let newest = { file: '', mtime: 0 };
  const visit = (dir: string, keep: (file: string) => boolean) => {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      const file = join(entry.parentPath, entry.name);
      if (
        !entry.isFile() ||
        !keep(file) ||
        /node_modules|[\\/]dist[\\/]|[\\/]cache[\\/]/.test(file)
      )
        continue;
      const { mtimeMs } = statSync(file);
      if (mtimeMs > newest.mtime) newest = { file, mtime: mtimeMs };
    }
  };
  visit(DOCS, (f) => /\.(md|vue|css)$/.test(f) || /\.vitepress[\\/].*\.ts$|\.data\.ts$/.test(f));
  // What lesson pages embed or list; starters never reach the site.
  for (const lesson of listLessons()) {
    visit(lesson.dir, (f) => /[\\/](src|variants|test)[\\/].*\.ts$|package\.json$/.test(f));
  }
  // The commands' help, on the commands page.
  visit(join(ROOT, 'packages/course/src'), (f) => f.endsWith('.ts'));
  return newest;
}

function assertFreshBuild(): void {
  const index = join(DIST, 'index.html');
  if (!existsSync(index)) {
    throw new Error('The site is not built: run `pnpm docs:build` first (`pnpm verify` does).');
  }
  const built = statSync(index).mtimeMs;
  const newest = newestSource();
  if (newest.mtime > built) {
    throw new Error(
      `The built site is older than ${relative(ROOT, newest.file)}: run \`pnpm docs:build\` again.`,
    );
  }
}

const urlOf = (page: string) =>
  page === 'index' ? '/' : `/${page.replace(/\\/g, '/').replace(/\/index$/, '/')}`;

/**
 * Every page of the site, from its Markdown: `/`, `/lessons/01-http-server`, …
 * (from the sources, not the build, so that the test names do not depend on
 * whether a build exists).
 */
function sitePages(): { url: string; source: string }[] {
  return markdownFiles(DOCS)
    .map((file) => relative(DOCS, file).replace(/\.md$/, ''))
    .sort()
    .map((page) => ({ url: urlOf(page), source: join(DOCS, `${page}.md`) }));
}

/** Every page the build wrote. */
function builtPages(): string[] {
  return readdirSync(DIST, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html') && f !== '404.html')
    .map((f) => urlOf(f.replace(/\.html$/, '')))
    .sort();
}

interface Linked {
  link?: string;
  items?: Linked[];
}
const linksOf = ({ link, items = [] }: Linked): string[] => [
  ...(link ? [link] : []),
  ...items.flatMap(linksOf),
];

const browser = useBrowser();
let server: Server;
let origin: string;

beforeAll(async () => {
  assertFreshBuild();
  ({ server, origin } = await serveDist(DIST));
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
});

/** Open a page and collect every console error, page error and failed request. */
async function visit(page: Page, url: string): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(`${origin}${url}`, { waitUntil: 'networkidle' });
  return problems;
}

const pages = sitePages();
const lessonIds = listLessons().map((l) => l.id);

// A few pages at a time (maxConcurrency in ../vitest.config.ts), each in its
// own browser context, in one browser.
describe.concurrent('every page of the built site, in Chromium', () => {
  it('has a page for every lesson and every link of the sidebar and the nav bar', ({ expect }) => {
    const urls = pages.map((p) => p.url);
    expect(builtPages(), 'the pages the build wrote').toEqual([...urls].sort());
    expect(urls).toContain('/');
    for (const id of lessonIds) expect(urls).toContain(`/lessons/${id}`);
    // VitePress checks the links in pages, not those in the config.
    const { nav = [], sidebar = [] } = config.themeConfig ?? {};
    const links = [...(nav as Linked[]), ...(sidebar as Linked[])].flatMap(linksOf);
    expect(links.length).toBeGreaterThan(lessonIds.length);
    for (const link of links) expect(urls, `the sidebar or nav links to ${link}`).toContain(link);
  });

  it.for(pages.map((p): [string, string] => [p.url, p.source]))(
    '%s: loads cleanly, every diagram drawn and readable, no axe violation, at 1280 px and on a phone, light and dark',
    { timeout: PAGE_TIMEOUT_MS },
    async ([url, source], { expect }) => {
      const context = await browser().newContext({ viewport: DESKTOP });
      try {
        const page = await context.newPage();
        expect(await visit(page, url)).toEqual([]);

        // Every ```mermaid block of the source is on the page as an SVG, in both themes.
        const diagrams = existsSync(source)
          ? mermaidBlocks(readFileSync(source, 'utf8'), source).length
          : 0;
        expect(await page.locator('.mermaid-diagram').count()).toBe(diagrams);
        expect(await page.locator('.mermaid-pending').count()).toBe(0);
        expect(await page.locator('.mermaid-light > svg').count()).toBe(diagrams);
        expect(await page.locator('.mermaid-dark > svg').count()).toBe(diagrams);
        for (const svg of await page.locator('.mermaid-light > svg').all()) {
          const box = await svg.boundingBox();
          expect(box?.height, 'a diagram drawn with no height').toBeGreaterThan(50);
          expect(await svg.locator('text').count(), 'a diagram without text').toBeGreaterThan(0);
        }

        // Every code block has code in it: a bad region or an empty capture would not.
        const blocks = await page.locator('div[class*="language-"] pre code').allTextContents();
        for (const text of blocks)
          expect(text.trim().length, 'an empty code block').toBeGreaterThan(0);

        const slug = url === '/' ? 'home' : url.slice(1).replace(/\//g, '_');
        const isLesson = url.startsWith('/lessons/');
        if (isLesson) {
          const tests = await page.locator('.test-list li').count();
          expect(tests, 'the tests of the lesson').toBeGreaterThan(0);
          // The nav bar's "Lessons" is highlighted on every lesson page, not only on lesson 1.
          await expect
            .poll(() => page.locator('.VPNavBarMenuLink.active').allTextContents())
            .toEqual(['Lessons']);
        }

        for (const size of ['desktop', 'phone'] as const) {
          if (size === 'phone') {
            await page.setViewportSize(PHONE);
            await page.goto(`${origin}${url}`, { waitUntil: 'load' });
            // At a phone's width, nothing but code, diagrams and tables is wider than the screen.
            const overflow = await page.evaluate(() => ({
              scrollWidth: document.documentElement.scrollWidth,
              innerWidth: window.innerWidth,
              widest: [...document.querySelectorAll('.vp-doc *')]
                .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
                .filter((el) => !el.closest('div[class*="language-"], .mermaid-diagram, table'))
                .slice(0, 3)
                .map((el) => `<${el.tagName.toLowerCase()}> ${el.textContent?.slice(0, 40)}`),
            }));
            expect(overflow.widest, 'elements wider than a phone').toEqual([]);
            expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.innerWidth);
          }
          for (const theme of ['light', 'dark'] as const) {
            await setTheme(page, theme);
            const where = `${url} at ${size} width, ${theme}`;
            const layout = await measureLayout(page);
            for (const { diagram, px } of layout.diagramText) {
              expect(
                px,
                `the smallest text of diagram ${diagram} on ${where}, in CSS px`,
              ).toBeGreaterThanOrEqual(MIN_DIAGRAM_TEXT_PX);
            }
            expect(
              layout.silentScrollers,
              `tables and diagrams that scroll unannounced, ${where}`,
            ).toEqual([]);
            if (size === 'desktop') {
              expect(layout.scrollingCode, `code blocks that scroll sideways on ${where}`).toEqual(
                [],
              );
            }
            // Every rule once; colours once per theme, since a width does not change them.
            const rules: AxeRules =
              size === 'desktop' ? (theme === 'light' ? 'all' : 'colour') : 'layout';
            if (size === 'desktop' || theme === 'light') {
              expect(await axeViolations(page, rules), `axe (${rules}) on ${where}`).toEqual([]);
            }
          }
          if (isLesson) {
            await setTheme(page, 'light');
            await page.screenshot({
              path: join(SCREENSHOTS, `${slug}.${size}.jpeg`),
              fullPage: true,
              quality: 80,
            });
          }
        }
      } finally {
        await context.close();
      }
    },
  );
});

describe('the 404 page', () => {
  it('says the page does not exist, lists every lesson, and opens the search', {
    timeout: PAGE_TIMEOUT_MS,
  }, async ({ expect }) => {
    const page = await browser().newPage({ viewport: PHONE });
    try {
      const response = await page.goto(`${origin}/lessons/no-such-lesson`, { waitUntil: 'load' });
      expect(response?.status()).toBe(404);
      await expect.poll(() => page.locator('h1').textContent()).toBe('This page does not exist');
      const links = await page
        .locator('.not-found a')
        .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
      for (const id of lessonIds) expect(links).toContain(`/lessons/${id}`);
      expect(await axeViolations(page), 'axe on the 404 page').toEqual([]);
      await page.getByRole('button', { name: 'Search the site' }).click();
      await expect.poll(() => page.locator('.search-input').isVisible()).toBe(true);
    } finally {
      await page.close();
    }
  });
});

describe('local search', () => {
  const expectations: [term: string, page: string][] = [
    ['broadcast', '/lessons/04-broadcast'],
    ['join', '/lessons/03-rooms'],
    ['express-session', '/lessons/05-session-security'],
    ['acknowledgement', '/lessons/02-send-vs-emit'],
    ['createServer', '/lessons/01-http-server'],
  ];

  it(`finds each lesson by its key terms: ${expectations.map(([term]) => term).join(', ')}`, {
    timeout: PAGE_TIMEOUT_MS,
  }, async ({ expect }) => {
    const page = await browser().newPage({ viewport: DESKTOP });
    try {
      await page.goto(`${origin}/`);
      await page.locator('#local-search button').click();
      const found = () =>
        page
          .locator('.results a')
          .evaluateAll((links) =>
            links.map((a) => new URL((a as HTMLAnchorElement).href).pathname),
          );
      for (const [term, url] of expectations) {
        // Start from no results, so the previous term's cannot pass for this one's.
        await page.locator('.search-input').fill('');
        await expect.poll(found).toEqual([]);
        await page.locator('.search-input').fill(term);
        await expect
          .poll(found, { timeout: 5000, message: `searching for "${term}"` })
          .toContain(url);
      }
    } finally {
      await page.close();
    }
  });
});
