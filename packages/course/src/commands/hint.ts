import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HELP, parseLessonCommand, startCommand } from '../cli.ts';
import { type Lesson, ROOT } from '../lessons.ts';

/** Where `pnpm hint` remembers how many hints each lesson has shown (git-ignored). */
export const HINTS_FILE = join(ROOT, '.course', 'hints.json');

export const USAGE = `Usage: pnpm hint <lesson> [options]

Show a lesson's hints, one more each time you ask, until you have them all.

  <lesson>          the lesson's number (3 or 03), slug (rooms) or folder (03-rooms)

Options:
  --reset           forget the hints shown so far for this lesson
  -h, --help        show this help

The count is kept in .course/hints.json, which git ignores.`;

type HintCounts = Record<string, number>;

function readCounts(file: string): HintCounts {
  try {
    const counts = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof counts === 'object' && counts !== null ? (counts as HintCounts) : {};
  } catch {
    return {};
  }
}

/** How many of a lesson's hints `pnpm hint` has shown so far. */
function hintsShown(lesson: Lesson, file = HINTS_FILE): number {
  const shown = Number(readCounts(file)[lesson.id] ?? 0);
  return Number.isInteger(shown) ? Math.min(Math.max(shown, 0), lesson.hints.length) : 0;
}

/** The hint `pnpm hint` shows next (the last one once all are shown), as `{ number, text }`. */
export function nextHint(lesson: Lesson, file = HINTS_FILE): { number: number; text: string } {
  const index = Math.min(hintsShown(lesson, file), lesson.hints.length - 1);
  return { number: index + 1, text: lesson.hints[index] ?? '' };
}

function saveShown(lesson: Lesson, shown: number, file: string): void {
  const counts = readCounts(file);
  counts[lesson.id] = shown;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(counts, null, 2)}\n`);
}

/** Show one more hint and remember it; returns the lines to print. */
export function takeHint(lesson: Lesson, file = HINTS_FILE): string[] {
  const shown = Math.min(hintsShown(lesson, file) + 1, lesson.hints.length);
  saveShown(lesson, shown, file);
  const total = lesson.hints.length;
  const lines = lesson.hints
    .slice(0, shown)
    .map(
      (hint, index) => `${index === shown - 1 ? '→' : ' '} Hint ${index + 1} of ${total}: ${hint}`,
    );
  lines.push(
    shown < total
      ? `\nRun \`pnpm hint ${lesson.number}\` again for the next one.`
      : `\nThat was the last hint. \`pnpm check ${lesson.number}\` says which tests still fail, and why.`,
  );
  return lines;
}

/** `pnpm hint <lesson> [--reset]`: returns the exit code. */
export function runHint(argv: string[], file = HINTS_FILE): number {
  const run = startCommand(() => {
    const parsed = parseLessonCommand(argv, { reset: { type: 'boolean' }, help: HELP }, USAGE);
    if (parsed === 'help') return 'help';
    return { lesson: parsed.lesson, reset: parsed.values.reset ?? false };
  }, USAGE);
  if (typeof run === 'number') return run;
  const { lesson } = run;
  if (run.reset) {
    saveShown(lesson, 0, file);
    console.log(`Lesson ${lesson.number}: the hints start again from the first.`);
    return 0;
  }
  console.log(`Lesson ${lesson.number}: ${lesson.title}\n`);
  console.log(takeHint(lesson, file).join('\n'));
  return 0;
}
