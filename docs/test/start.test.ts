import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '@lessons/course';
import { processesWithEnv } from '@lessons/course/run';
import { freePort } from '@lessons/test-kit';
import { noBrowserEnv } from '@lessons/test-kit/chromium';
import { afterAll, describe, expect, it } from 'vitest';
import { markdownFiles, mermaidBlocks } from '../.vitepress/mermaid/store.ts';

const scratch = mkdtempSync(join(tmpdir(), 'start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const DOCS = join(ROOT, 'docs');

// Starting VitePress and compiling every page: seconds, on a busy machine.
describe('pnpm start on a machine without a browser', { timeout: 60_000 }, () => {
  it('serves every page, each diagram drawn, and stops on SIGTERM leaving nothing behind', async () => {
    const port = await freePort();
    const marker = `START_TEST_ID=${port}-${Date.now()}`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/start.ts', '--port', String(port)],
      {
        cwd: ROOT,
        env: { ...noBrowserEnv(scratch), START_TEST_ID: marker.split('=')[1], NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
      for await (const line of createInterface({ input: child.stdout })) {
        output.push(line);
        if (line.includes(`Local:   http://localhost:${port}/`)) break;
      }
      const site = `http://localhost:${port}`;
      expect((await fetch(`${site}/`)).status).toBe(200);
      for (const file of markdownFiles(DOCS)) {
        const page = relative(DOCS, file).replaceAll('\\', '/');
        // The page as the browser imports it: its compiled Vue component.
        const response = await fetch(`${site}/${page}?import`);
        expect(response.status, page).toBe(200);
        const module = await response.text();
        const diagrams = mermaidBlocks(readFileSync(file, 'utf8'), page).length;
        // Each diagram in both themes, as the SVG mermaid rendered (static HTML or compiled).
        expect(module.match(/mermaid-light\b/g)?.length ?? 0, page).toBe(diagrams);
        expect(module.match(/mermaid-dark\b/g)?.length ?? 0, page).toBe(diagrams);
        expect(module.match(/aria-roledescription/g)?.length ?? 0, page).toBe(2 * diagrams);
        expect(module, page).not.toMatch(/mermaid-(pending|unrendered)/);
      }
      expect(output.join('\n')).not.toMatch(/Chromium|not rendered/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(processesWithEnv(marker)).toEqual([]);
  });
});
