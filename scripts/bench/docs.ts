// Benchmark: the site's budgets.
//  1. `pnpm docs:build` under 20 s: the median of several builds, beside the
//     median build of a blank VitePress site, the floor on this machine now.
//  2. The JavaScript a lesson page loads stays within 10% of a blank VitePress
//     page: both loaded in Chromium, summing the bytes of every script response.
//  3. The site test (docs/test/site.test.ts) under 60 s: the median of several
//     runs against the site's own build, which this builds first.
// Usage: node --import tsx scripts/bench/docs.ts [builds=3] [site-test-runs=0]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { listLessons, ROOT } from '@lessons/course';
import { serveDist } from '@lessons/docs/serve-dist';
import { launchBrowser } from '@lessons/test-kit/chromium';
import { median } from './median.ts';

const builds = Number(process.argv[2] ?? 3);
const siteTestRuns = Number(process.argv[3] ?? 0);
const DOCS = join(ROOT, 'docs');
const VITEPRESS = join(DOCS, 'node_modules/.bin/vitepress');
// Inside the repository, so the blank site resolves vue from the root's node_modules.
mkdirSync(join(ROOT, '.artifacts'), { recursive: true });
const work = mkdtempSync(join(ROOT, '.artifacts/bench-docs-'));

function build(siteDir: string, outDir: string): number {
  const started = performance.now();
  const result = spawnSync(VITEPRESS, ['build', siteDir, '--outDir', outDir], {
    cwd: siteDir,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`vitepress build failed:\n${result.stdout}${result.stderr}`);
  return (performance.now() - started) / 1000;
}

// A blank VitePress site: the default theme, one page with a heading.
function blankSite(): string {
  const dir = join(work, 'blank');
  mkdirSync(join(dir, '.vitepress'), { recursive: true });
  writeFileSync(join(dir, '.vitepress/config.mjs'), "export default { title: 'Blank' };\n");
  writeFileSync(join(dir, 'index.md'), '# Blank\n\nA blank page.\n');
  return dir;
}

interface Weight {
  bytes: number;
  gzip: number;
  files: number;
}

/** The scripts a page loads on a first visit, in bytes (as served, and gzipped). */
async function scriptWeight(dist: string, paths: string[]): Promise<Map<string, Weight>> {
  const { server, origin } = await serveDist(dist);
  const browser = await launchBrowser();
  const weights = new Map<string, Weight>();
  try {
    for (const path of paths) {
      const page = await browser.newPage();
      const bodies: Promise<Buffer>[] = [];
      page.on('response', (response) => {
        if (response.request().resourceType() === 'script') bodies.push(response.body());
      });
      await page.goto(`${origin}${path}`, { waitUntil: 'networkidle' });
      const scripts = await Promise.all(bodies);
      weights.set(path, {
        bytes: scripts.reduce((sum, b) => sum + b.length, 0),
        gzip: scripts.reduce((sum, b) => sum + gzipSync(b).length, 0),
        files: scripts.length,
      });
      await page.close();
    }
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
  return weights;
}

try {
  const siteOut = join(work, 'site');
  const times: number[] = [];
  for (let i = 0; i < builds; i++) {
    times.push(build(DOCS, siteOut));
    console.log(`build ${i + 1}/${builds}: ${times.at(-1)?.toFixed(1)} s`);
  }
  const blankOut = join(work, 'blank-dist');
  const blankTimes: number[] = [];
  for (let i = 0; i < builds; i++) blankTimes.push(build(blankSite(), blankOut));

  const lessonPaths = listLessons().map((l) => `/lessons/${l.id}`);
  const site = await scriptWeight(siteOut, ['/', '/guide/websocket-and-socketio', ...lessonPaths]);
  const blank = (await scriptWeight(blankOut, ['/'])).get('/') as Weight;

  const floor = median(blankTimes);
  console.log(
    `\ndocs:build: median ${median(times).toFixed(1)} s of ${builds} (budget 20 s); a blank site: ${floor.toFixed(1)} s (${(median(times) / floor).toFixed(1)}×)`,
  );
  console.log(
    `\nJavaScript loaded on a first visit (budget: a lesson page within 10% of a blank page)`,
  );
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `  blank VitePress page      ${kb(blank.bytes).padStart(10)}  (${kb(blank.gzip)} gzipped, ${blank.files} files)`,
  );
  for (const [path, weight] of site) {
    const ratio = ((weight.bytes / blank.bytes - 1) * 100).toFixed(1);
    console.log(
      `  ${path.padEnd(32)} ${kb(weight.bytes).padStart(10)}  (${kb(weight.gzip)} gzipped, ${weight.files} files)  ${Number(ratio) >= 0 ? '+' : ''}${ratio}%`,
    );
  }

  const siteTests: number[] = [];
  // The site test reads the site's own build: make it current first.
  if (siteTestRuns > 0) build(DOCS, join(DOCS, '.vitepress/dist'));
  for (let i = 0; i < siteTestRuns; i++) {
    const started = performance.now();
    const run = spawnSync('pnpm', ['vitest', 'run', 'docs/test/site.test.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`the site test failed:\n${run.stdout}${run.stderr}`);
    siteTests.push((performance.now() - started) / 1000);
    console.log(`site test ${i + 1}/${siteTestRuns}: ${siteTests.at(-1)?.toFixed(1)} s`);
  }
  if (siteTestRuns > 0) {
    console.log(
      `\nsite test: median ${median(siteTests).toFixed(1)} s of ${siteTestRuns} (budget 60 s)`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
