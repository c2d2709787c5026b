// What the site test measures on a page open in Chromium: diagram text size, tables and diagrams
// that scroll without saying so, code that scrolls sideways, and axe's WCAG A/AA violations.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The smallest text a diagram may draw, in CSS pixels, after scaling to its column. */
export const MIN_DIAGRAM_TEXT_PX = 12;

export interface Layout {
  /** Each visible diagram's smallest text, in CSS pixels as drawn. */
  diagramText: { diagram: number; px: number }[];
  /** Tables and diagrams that scroll sideways with no hint, or that the keyboard cannot reach. */
  silentScrollers: string[];
  /** Code blocks (not quoted output, which wraps) that scroll sideways, by their first line. */
  scrollingCode: string[];
}

/** Measure the page as it is now shown (its width, its theme). */
export function measureLayout(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const shown = (el: Element) => el.getClientRects().length > 0;
    const diagramText = [...document.querySelectorAll('.mermaid-diagram')].map((frame, i) => {
      let px = Number.POSITIVE_INFINITY;
      // The variant of the current theme; text is in <text>, or in HTML inside <foreignObject>.
      for (const text of frame.querySelectorAll('svg text, svg foreignObject *')) {
        if (!shown(text) || !text.textContent?.trim()) continue;
        const holder = (text.closest('foreignObject') ?? text) as SVGGraphicsElement;
        const ctm = holder.getScreenCTM();
        if (!ctm) continue;
        px = Math.min(
          px,
          Number.parseFloat(getComputedStyle(text).fontSize) * Math.hypot(ctm.a, ctm.b),
        );
      }
      return { diagram: i + 1, px: Math.round(px * 10) / 10 };
    });
    const silentScrollers = [
      ...document.querySelectorAll<HTMLElement>('.vp-doc table, .mermaid-diagram'),
    ]
      .filter((el) => shown(el) && el.scrollWidth > el.clientWidth + 1)
      .filter((el) => {
        const hint = el.previousElementSibling;
        const hinted = hint?.classList.contains('scroll-hint') && shown(hint);
        return !hinted || el.tabIndex !== 0;
      })
      .map((el) => `<${el.tagName.toLowerCase()}> ${el.textContent?.trim().slice(0, 40)}`);
    const scrollingCode = [...document.querySelectorAll('.vp-doc div[class*="language-"] pre')]
      .filter((pre) => shown(pre) && pre.scrollWidth > pre.clientWidth + 1)
      .map((pre) => pre.textContent?.split('\n')[0]?.slice(0, 60) ?? '');
    return { diagramText, silentScrollers, scrollingCode };
  });
}

/** The axe rules whose outcome depends on colour: all that a second theme can change. */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/** Which of axe's WCAG 2.1 A and AA rules to run: all, only the colour rules, or all but them. */
export type AxeRules = 'all' | 'colour' | 'layout';

/**
 * axe-core's serious and critical WCAG 2.1 A and AA violations, one line each. Checking the
 * contrast of every token of every code block is most of axe's time on a lesson page, so a
 * caller that has checked colours in this theme already asks for `layout` at another width.
 */
export async function axeViolations(page: Page, rules: AxeRules = 'all'): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(
    async ({ rules, colourRules }) => {
      // biome-ignore lint/suspicious/noExplicitAny: axe's global, from the script tag
      const axe = (window as any).axe;
      const { violations } = await axe.run(document, {
        runOnly:
          rules === 'colour'
            ? { type: 'rule', values: colourRules }
            : { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        rules:
          rules === 'layout'
            ? Object.fromEntries(colourRules.map((rule) => [rule, { enabled: false }]))
            : {},
        resultTypes: ['violations'],
      });
      return (
        violations as {
          id: string;
          impact: string;
          nodes: { target: string[]; failureSummary: string }[];
        }[]
      )
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => {
          const [first] = v.nodes;
          const why = first?.failureSummary.split('\n').slice(1).join(' ').trim();
          return `${v.id} (${v.impact}, ${v.nodes.length} element(s)), first ${first?.target.join(' ')}: ${why}`;
        });
    },
    { rules, colourRules: COLOUR_RULES },
  );
}

/**
 * Switch VitePress's theme the way its toggle does, without a reload. VitePress fades colours
 * over half a second: with transitions off, what axe measures is the theme's colour, not a
 * colour halfway through the fade.
 */
export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.evaluate((dark) => {
    if (!document.getElementById('no-transitions')) {
      const style = document.createElement('style');
      style.id = 'no-transitions';
      style.textContent = '*, *::before, *::after { transition: none !important; }';
      document.head.append(style);
    }
    document.documentElement.classList.toggle('dark', dark);
  }, theme === 'dark');
}
