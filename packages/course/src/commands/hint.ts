import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HELP, parseLessonCommand, startCommand } from '../cli.ts';
import type { Exercise, Lesson } from '../lessons.ts';
import { ROOT } from '../lessons.ts';

/**
 * Where `pnpm hint` remembers the hints shown, and `pnpm check` the exercise to
 * work on: `.course/` (git-ignored), or the folder `COURSE_STATE_DIR` names
 * (the course's own tests keep a learner's state out of theirs).
 */
export const HINTS_FILE = join(process.env.COURSE_STATE_DIR ?? join(ROOT, '.course'), 'hints.json');

export const USAGE = `Usage: pnpm hint <lesson> [<exercise>] [options]

Show the hints of the exercise you are on, one more each time you ask, until
you have them all. The exercise you are on is the first that failed the last
time you ran pnpm check (the lesson's first exercise before that); name
another to see its hints.

  <lesson>          the lesson's number (3 or 03), slug (rooms) or folder (03-rooms)
  <exercise>        one of the lesson's exercises, e.g. members (pnpm check lists them)

Options:
  --reset           forget the hints shown so far for this lesson
  -h, --help        show this help

What it remembers is kept in .course/hints.json, which git ignores.`;

/**
 * What `.course/hints.json` holds for a lesson: the hints shown per exercise,
 * and the exercise the last `pnpm check` pointed to. An older version kept a
 * number per lesson; that is read as nothing shown yet.
 */
interface LessonHints {
  shown: Record<string, number>;
  current?: string;
}

type HintsState = Record<string, LessonHints>;

function readState(file: string): HintsState {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof state === 'object' && state !== null ? (state as HintsState) : {};
  } catch {
    return {};
  }
}

function lessonHints(lesson: Lesson, file: string): LessonHints {
  const saved = readState(file)[lesson.id] as unknown;
  if (typeof saved !== 'object' || saved === null) return { shown: {} };
  const { shown, current } = saved as Partial<LessonHints>;
  return {
    shown: typeof shown === 'object' && shown !== null ? shown : {},
    ...(typeof current === 'string' ? { current } : {}),
  };
}

function saveLessonHints(lesson: Lesson, hints: LessonHints, file: string): void {
  const state = readState(file);
  state[lesson.id] = hints;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** Remember the exercise `pnpm check` found failing first, for `pnpm hint` to go on from. */
export function rememberCurrentExercise(
  lesson: Lesson,
  exercise: Exercise | undefined,
  file = HINTS_FILE,
): void {
  const hints = lessonHints(lesson, file);
  const { current: _, ...rest } = hints;
  saveLessonHints(lesson, exercise ? { ...rest, current: exercise.id } : rest, file);
}

/** The exercise `pnpm hint <lesson>` is about: the one the last check pointed to, else the first. */
export function currentExercise(lesson: Lesson, file = HINTS_FILE): Exercise {
  const { current } = lessonHints(lesson, file);
  const [first] = lesson.exercises;
  if (!first) throw new Error(`lesson ${lesson.id} declares no exercises`);
  return lesson.exercises.find((e) => e.id === current) ?? first;
}

function shownOf(lesson: Lesson, exercise: Exercise, file: string): number {
  const shown = Number(lessonHints(lesson, file).shown[exercise.id] ?? 0);
  return Number.isInteger(shown) ? Math.min(Math.max(shown, 0), exercise.hints.length) : 0;
}

/** `Hint 2 of 3 (members: List who is in a room)`: which hint, of which exercise. */
export function hintLabel(exercise: Exercise, number: number): string {
  return `Hint ${number} of ${exercise.hints.length} (${exercise.id}: ${exercise.title})`;
}

/** The hint `pnpm hint` shows next for `exercise` (the last once all are shown), without taking it. */
export function nextHint(
  lesson: Lesson,
  exercise: Exercise,
  file = HINTS_FILE,
): { number: number; text: string } {
  const index = Math.min(shownOf(lesson, exercise, file), exercise.hints.length - 1);
  return { number: index + 1, text: exercise.hints[index] ?? '' };
}

/** Show one more hint of `exercise` and remember it; returns the lines to print. */
export function takeHint(lesson: Lesson, exercise: Exercise, file = HINTS_FILE): string[] {
  const shown = Math.min(shownOf(lesson, exercise, file) + 1, exercise.hints.length);
  const hints = lessonHints(lesson, file);
  saveLessonHints(lesson, { ...hints, shown: { ...hints.shown, [exercise.id]: shown } }, file);
  const lines = exercise.hints
    .slice(0, shown)
    .map(
      (hint, index) =>
        `${index === shown - 1 ? '→' : ' '} ${hintLabel(exercise, index + 1)}: ${hint}`,
    );
  lines.push(
    shown < exercise.hints.length
      ? `\nRun \`pnpm hint ${lesson.number} ${exercise.id}\` again for the next one.`
      : `\nThat was the last hint of ${exercise.id}. \`pnpm check ${lesson.number} ${exercise.id}\` says which of its tests still fail, and why; its solution is on the lesson's page, folded under "Solution".`,
  );
  return lines;
}

/** `pnpm hint <lesson> [<exercise>] [--reset]`: returns the exit code. */
export function runHint(argv: string[], file = HINTS_FILE): number {
  const run = startCommand(() => {
    const parsed = parseLessonCommand(argv, { reset: { type: 'boolean' }, help: HELP }, USAGE, {
      exercise: true,
    });
    if (parsed === 'help') return 'help';
    return {
      lesson: parsed.lesson,
      exercise: parsed.exercise,
      reset: parsed.values.reset ?? false,
    };
  }, USAGE);
  if (typeof run === 'number') return run;
  const { lesson } = run;
  if (run.reset) {
    saveLessonHints(lesson, { shown: {} }, file);
    console.log(`Lesson ${lesson.number}: the hints start again from the first.`);
    return 0;
  }
  const exercise = run.exercise ?? currentExercise(lesson, file);
  console.log(`Lesson ${lesson.number}: ${lesson.title}\n`);
  console.log(takeHint(lesson, exercise, file).join('\n'));
  return 0;
}
