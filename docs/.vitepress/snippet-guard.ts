import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import type { MarkdownRenderer } from 'vitepress';

// The region markers VitePress 1.x understands, per comment style.
const REGION_MARKERS = [
  /^\/\/ ?#?((?:end)?region) ([\w*-]+)$/,
  /^\/\* ?#((?:end)?region) ([\w*-]+) ?\*\/$/,
  /^<!-- #?((?:end)?region) ([\w*-]+) -->$/,
  /^# ?((?:end)?region) ([\w*-]+)$/,
];

/** The names of the regions in `source` that are opened and closed, with their line counts. */
export function regionsIn(source: string): Map<string, number> {
  const open = new Map<string, number>();
  const closed = new Map<string, number>();
  source.split(/\r?\n/).forEach((line, index) => {
    for (const marker of REGION_MARKERS) {
      const [, tag, name] = marker.exec(line.trim()) ?? [];
      if (!tag || !name) continue;
      if (tag.startsWith('end')) {
        const start = open.get(name);
        if (start !== undefined && !closed.has(name)) closed.set(name, index - start - 1);
      } else if (!open.has(name)) {
        open.set(name, index);
      }
    }
  });
  return closed;
}

/**
 * Why a `<<< file#region` snippet would embed the wrong thing, or undefined
 * when it is sound. VitePress 1.x embeds the whole file for an unknown region;
 * this makes that an error.
 */
function snippetProblem(
  file: string,
  region: string | undefined,
  root: string,
): string | undefined {
  const shown = relative(root, file);
  if (!existsSync(file) || !statSync(file).isFile()) return `${shown} does not exist`;
  if (!region) return undefined;
  const regions = regionsIn(readFileSync(file, 'utf8'));
  const lines = regions.get(region);
  if (lines === undefined) {
    const known = [...regions.keys()].join(', ') || 'none';
    return `${shown} has no region "${region}" (its regions: ${known})`;
  }
  if (lines === 0) return `the region "${region}" in ${shown} is empty`;
  return undefined;
}

/**
 * A markdown-it plugin that fails the render, and so the build, when a
 * `<<<` snippet names a missing file or region.
 */
export function snippetGuard(md: MarkdownRenderer, root: string): void {
  md.core.ruler.after('block', 'snippet-guard', (state) => {
    for (const token of state.tokens) {
      const [file, region] = (token as { src?: [string, string] }).src ?? [];
      if (!file) continue;
      const problem = snippetProblem(file, region || undefined, root);
      if (problem) {
        const page = state.env.path ? relative(root, state.env.path) : 'a page';
        const line = token.map ? `:${token.map[0] + 1}` : '';
        throw new Error(`${page}${line}: broken code snippet: ${problem}`);
      }
    }
  });
}
