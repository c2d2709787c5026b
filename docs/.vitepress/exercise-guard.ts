// The page never hands out an answer: an exercise's region (`#exercise-<id>`
// in a lesson's src/) is embedded only in a collapsed solution after the task,
// and no other code block on the site repeats three lines of one.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { MarkdownRenderer } from 'vitepress';
// Relative, not '@lessons/course': VitePress bundles its config and leaves
// packages to Node, which cannot load a .ts file.
import { answerRegions } from '../../packages/course/src/exercises.ts';

const SOLUTION = /^\s*details\s+Solution\b/;
const YOUR_TASK = /^Your task\b/;

/**
 * A markdown-it plugin that fails the build, naming the page, the line and
 * the region, when an `exercise-*` region is embedded anywhere but inside a
 * `::: details Solution` block after the `## Your task` heading.
 */
export function exerciseEmbedGuard(md: MarkdownRenderer, root: string): void {
  md.core.ruler.after('block', 'exercise-embed-guard', (state) => {
    let solutions = 0;
    let afterTask = false;
    state.tokens.forEach((token, index) => {
      if (token.type === 'heading_open' && token.tag === 'h2') {
        afterTask = YOUR_TASK.test(state.tokens[index + 1]?.content ?? '') || afterTask;
      }
      if (token.type === 'container_details_open') solutions += SOLUTION.test(token.info) ? 1 : 0;
      if (token.type === 'container_details_close' && solutions > 0) solutions -= 1;
      const [file, region] = (token as { src?: [string, string] }).src ?? [];
      if (!file || !region?.startsWith('exercise-')) return;
      if (solutions > 0 && afterTask) return;
      const page = state.env.path ? relative(root, state.env.path) : 'a page';
      const line = token.map ? `:${token.map[0] + 1}` : '';
      throw new Error(
        `${page}${line}: embeds the answer ${relative(root, file)}#${region} outside a collapsed solution: put it in a "::: details Solution" block after "## Your task"`,
      );
    });
  });
}

/** A line as compared: trimmed; empty, or only punctuation such as `});`, it does not count. */
function meaningful(lines: string[]): string[] {
  return lines.map((line) => line.trim()).filter((line) => !/^[\s\p{P}\p{S}]*$/u.test(line));
}

/** Every run of three meaningful lines of the lessons' exercise regions, with its region. */
export function exerciseTriples(root: string): Map<string, string> {
  const triples = new Map<string, string>();
  const lessons = join(root, 'lessons');
  for (const lesson of readdirSync(lessons)) {
    for (const region of answerRegions(join(lessons, lesson))) {
      const where = `lessons/${lesson}/src/${region.file}#exercise-${region.id}`;
      const lines = meaningful(region.body);
      for (let i = 0; i + 3 <= lines.length; i += 1) {
        triples.set(lines.slice(i, i + 3).join('\n'), where);
      }
    }
  }
  return triples;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decode = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, code: string) => {
    if (code.startsWith('#x')) return String.fromCodePoint(Number.parseInt(code.slice(2), 16));
    if (code.startsWith('#')) return String.fromCodePoint(Number(code.slice(1)));
    return ENTITIES[code] ?? entity;
  });

/**
 * The exercise regions whose three consecutive lines a built page shows in a
 * code block outside `<details>`: `['lessons/03-rooms/src/app.ts#exercise-members']`.
 */
export function exerciseLeaks(html: string, triples: Map<string, string>): string[] {
  const open = html.replace(/<details[\s\S]*?<\/details>/g, '');
  const leaks = new Set<string>();
  for (const [, code = ''] of open.matchAll(/<pre\b[^>]*>([\s\S]*?)<\/pre>/g)) {
    const lines = meaningful(decode(code.replace(/<[^>]+>/g, '')).split('\n'));
    for (let i = 0; i + 3 <= lines.length; i += 1) {
      const region = triples.get(lines.slice(i, i + 3).join('\n'));
      if (region) leaks.add(region);
    }
  }
  return [...leaks];
}

/** After a build: throw, naming each page and region, when a built page leaks an answer. */
export function checkBuiltPages(outDir: string, root: string): void {
  const triples = exerciseTriples(root);
  const problems: string[] = [];
  const pages = readdirSync(outDir, { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.html'),
  );
  for (const page of pages) {
    for (const region of exerciseLeaks(readFileSync(join(outDir, page), 'utf8'), triples)) {
      problems.push(`${page} shows three or more lines of ${region} outside a collapsed solution`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}
