import { type ParseArgsConfig, parseArgs } from 'node:util';
import { findExercise } from './exercises.ts';
import {
  type Exercise,
  findLesson,
  formatLessonList,
  type Lesson,
  listLessons,
} from './lessons.ts';

/** Exit code for bad usage: unknown lesson, bad option, port in use. */
export const USAGE_ERROR = 2;

/** Bad input from the person at the terminal; its message says what to do instead. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs with positionals allowed, its errors turned into a
 * UsageError that ends with the command's usage.
 *
 * @example
 * const { values, positionals } = parseCommandArgs(argv, { watch: { type: 'boolean' } }, USAGE);
 */
export function parseCommandArgs<const O extends Options>(
  argv: string[],
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

/**
 * The lesson a command's argument names (`3`, `03`, `rooms`, `03-rooms`), or a
 * UsageError that lists the lessons.
 */
export function lessonArg(
  query: string | undefined,
  usage: string,
  lessons = listLessons(),
): Lesson {
  if (query === undefined) {
    throw new UsageError(
      `Which lesson? Name one by number:\n\n${formatLessonList(lessons)}\n\n${usage}`,
    );
  }
  const lesson = findLesson(query, lessons);
  if (!lesson) {
    throw new UsageError(
      `There is no lesson "${query}". The lessons are:\n\n${formatLessonList(lessons)}`,
    );
  }
  return lesson;
}

/** The `-h, --help` option every command takes. */
export const HELP = { type: 'boolean', short: 'h' } as const;

/**
 * The arguments of a command that takes one lesson and options (`pnpm check 3
 * --watch`): the lesson, and the options' values; `'help'` for `--help`, which
 * `options` must declare.
 *
 * @example
 * const parsed = parseLessonCommand(argv, { watch: { type: 'boolean' }, help: HELP }, USAGE);
 */
export function parseLessonCommand<const O extends Options & { help: typeof HELP }>(
  argv: string[],
  options: O,
  usage: string,
  { exercise: takesExercise = false } = {},
) {
  const { values, positionals } = parseCommandArgs(argv, options, usage);
  if ((values as { help?: boolean }).help) return 'help' as const;
  const [query, ...rest] = positionals;
  const lesson = lessonArg(query, usage);
  const id = takesExercise ? rest[0] : undefined;
  noMoreArgs(takesExercise ? rest.slice(1) : rest, usage);
  return {
    lesson,
    exercise: id === undefined ? undefined : exerciseArg(lesson, id, usage),
    values,
  };
}

/** The exercise of `lesson` that `id` names (`members`), or a UsageError that lists them. */
export function exerciseArg(lesson: Lesson, id: string, usage: string): Exercise {
  const exercise = findExercise(lesson, id);
  if (exercise) return exercise;
  const ids = lesson.exercises.map((e) => `  ${e.id.padEnd(16)} ${e.title}`).join('\n');
  throw new UsageError(
    `Lesson ${lesson.number} has no exercise "${id}". Its exercises:\n${ids || '  (none)'}\n\n${usage}`,
  );
}

/** Refuse positionals beyond the ones a command takes. */
export function noMoreArgs(extra: string[], usage: string): void {
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".\n\n${usage}`);
}

/**
 * The value of a numeric option such as `--jobs 4` or `--timeout 1.5`, or a
 * UsageError that names the option and says what it takes.
 */
export function positiveNumber(
  option: string,
  text: string,
  kind: 'number' | 'whole number' = 'number',
): number {
  const value = Number(text);
  if (
    !Number.isFinite(value) ||
    value <= 0 ||
    (kind === 'whole number' && !Number.isInteger(value))
  ) {
    throw new UsageError(`${option} "${text}" is not valid: use a ${kind} above 0.`);
  }
  return value;
}

/** The value of `--port`, or a UsageError that says what a port is. */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65_535) {
    throw new UsageError(`"${text}" is not a port: use a whole number from 1 to 65535.`);
  }
  return port;
}

/** What `--help` prints: the usage, then the lessons. */
export function helpText(usage: string): string {
  return `${usage}\n\nLessons:\n${formatLessonList()}`;
}

/**
 * The start every command shares: parse the arguments, answer `--help`, or
 * print what is wrong with them. Returns the run, or the exit code to end with.
 *
 * @example
 * const run = startCommand(() => parseCheckArgs(argv), USAGE);
 * if (typeof run === 'number') return run;
 */
export function startCommand<T extends object>(parse: () => T | 'help', usage: string): T | number {
  try {
    const parsed = parse();
    if (parsed !== 'help') return parsed;
    console.log(helpText(usage));
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return USAGE_ERROR;
  }
}
