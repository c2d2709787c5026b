import { join } from 'node:path';
import { ROOT } from '@lessons/course';
import { createMarkdownRenderer } from 'vitepress';
import { describe, expect, it } from 'vitest';
import config from '../.vitepress/config.ts';
import { regionsIn } from '../.vitepress/snippet-guard.ts';

// The site's own markdown renderer, configured exactly as the build configures it.
const md = await createMarkdownRenderer(join(ROOT, 'docs'), config.markdown, '/', {
  ...console,
  warn: () => {},
});
const page = join(ROOT, 'docs/lessons/01-http-server.md');
const render = (source: string) =>
  md.render(source, { path: page, relativePath: 'lessons/01-http-server.md' });

describe('embedded code', () => {
  it('embeds only the lines of the named region', () => {
    const html = render('<<< ../../lessons/01-http-server/src/app.ts#setup\n');
    expect(html).toContain('express');
    expect(html).not.toContain('/health');
    expect(html).not.toContain('#region');
  });

  it('fails the build when the region does not exist, naming the regions that do', () => {
    expect(() => render('<<< ../../lessons/01-http-server/src/app.ts#setpu\n')).toThrow(
      'docs/lessons/01-http-server.md:1: broken code snippet: lessons/01-http-server/src/app.ts has no region "setpu" (its regions: setup, exercise-routes, exercise-one-server, exercise-welcome)',
    );
  });

  it('fails the build when the file does not exist', () => {
    expect(() => render('text\n\n<<< ../../lessons/01-http-server/src/nope.ts#setup\n')).toThrow(
      'docs/lessons/01-http-server.md:3: broken code snippet: lessons/01-http-server/src/nope.ts does not exist',
    );
  });
});

describe('regionsIn()', () => {
  it('finds closed regions in // and <!-- --> comments, with their line counts', () => {
    const source = [
      '// #region a',
      'x',
      'y',
      '// #endregion a',
      '<!-- #region b -->',
      '<!-- #endregion b -->',
      '// #region open',
    ].join('\n');
    expect(regionsIn(source)).toEqual(
      new Map([
        ['a', 2],
        ['b', 0],
      ]),
    );
  });
});
