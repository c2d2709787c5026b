/**
 * The exercise pattern, checked mechanically: each exercise's answer sits in
 * `src/` between `// #region exercise-<id>` and `// #endregion exercise-<id>`;
 * the starter is `src/` with each of those regions' lines replaced by a TODO
 * and a stand-in that fails fast, markers kept; every graded test belongs to
 * exactly one exercise.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Exercise, Lesson } from './lessons.ts';

const MARKER = /^\s*\/\/ #(region|endregion) exercise-([a-z0-9-]+)\s*$/;

/** One exercise region of a file: its id, and the lines between its markers. */
export interface ExerciseRegion {
  id: string;
  /** 0-based line of the `#region` marker. */
  start: number;
  body: string[];
}

/** The exercise regions of a source file, in order; throws on a region left open or unbalanced. */
export function exerciseRegions(source: string, where = 'the file'): ExerciseRegion[] {
  const regions: ExerciseRegion[] = [];
  let open: ExerciseRegion | undefined;
  source.split('\n').forEach((line, index) => {
    const [, tag, id = ''] = MARKER.exec(line) ?? [];
    if (!tag) {
      open?.body.push(line);
      return;
    }
    if (tag === 'region') {
      if (open)
        throw new Error(`${where}:${index + 1}: exercise-${id} opens inside exercise-${open.id}`);
      open = { id, start: index, body: [] };
    } else {
      if (open?.id !== id)
        throw new Error(`${where}:${index + 1}: #endregion exercise-${id} closes nothing`);
      regions.push(open);
      open = undefined;
    }
  });
  if (open) throw new Error(`${where}:${open.start + 1}: exercise-${open.id} is never closed`);
  return regions;
}

/**
 * `source` with the body of each exercise region replaced by the answer's:
 * `answers` holds each region's body by id, in the order the regions come (an
 * exercise may have several regions in one file).
 */
export function withAnswers(source: string, answers: Map<string, string[][]>): string {
  const taken = new Map<string, number>();
  const out: string[] = [];
  let skipping = false;
  for (const line of source.split('\n')) {
    const [, tag, id = ''] = MARKER.exec(line) ?? [];
    if (tag === 'region') {
      const index = taken.get(id) ?? 0;
      taken.set(id, index + 1);
      out.push(line, ...(answers.get(id)?.[index] ?? []));
      skipping = true;
    } else if (tag === 'endregion') {
      out.push(line);
      skipping = false;
    } else if (!skipping) {
      out.push(line);
    }
  }
  return out.join('\n');
}

const sourceFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .map((file) => file.split('\\').join('/'))
        .filter((file) => /\.(ts|js)$/.test(file))
        .sort()
    : [];

/** The answers in a lesson's `src/`: each exercise region, with its file (`app.ts`), in order. */
export function answerRegions(lessonDir: string): (ExerciseRegion & { file: string })[] {
  const src = join(lessonDir, 'src');
  return sourceFiles(src).flatMap((file) =>
    exerciseRegions(readFileSync(join(src, file), 'utf8'), `src/${file}`).map((region) => ({
      ...region,
      file,
    })),
  );
}

/** Where each exercise's answer is: `{ members: ['app.ts'] }`, from the regions of `src/`. */
function exerciseFiles(lesson: Lesson): Map<string, string[]> {
  const files = new Map<string, string[]>();
  for (const { id, file } of answerRegions(lesson.dir)) {
    files.set(id, [...new Set([...(files.get(id) ?? []), file])]);
  }
  return files;
}

/**
 * What breaks the pattern in a lesson: an exercise without a region, a
 * region without an exercise, a starter region without a TODO, and a
 * starter file that, with the answers put back, is not its `src/` twin.
 */
export function exerciseDefects(lesson: Lesson): string[] {
  const defects: string[] = [];
  const declared = new Set(lesson.exercises.map((exercise) => exercise.id));
  let located: Map<string, string[]>;
  try {
    located = exerciseFiles(lesson);
  } catch (error) {
    return [(error as Error).message];
  }
  for (const id of declared) {
    if (!located.has(id)) defects.push(`exercise ${id} has no // #region exercise-${id} in src/`);
  }
  for (const id of located.keys()) {
    if (!declared.has(id))
      defects.push(`src/ has a region exercise-${id}, which no exercise declares`);
  }
  const src = sourceFiles(join(lesson.dir, 'src'));
  const starter = sourceFiles(join(lesson.dir, 'starter'));
  for (const file of starter.filter((file) => !src.includes(file))) {
    defects.push(`starter/${file} stands in for no file in src/`);
  }
  for (const file of src) {
    const reference = readFileSync(join(lesson.dir, 'src', file), 'utf8');
    const starterPath = join(lesson.dir, 'starter', file);
    if (!existsSync(starterPath)) {
      defects.push(
        `starter/${file} is missing: copy src/${file}, its exercise regions replaced by TODOs`,
      );
      continue;
    }
    const shipped = readFileSync(starterPath, 'utf8');
    try {
      const regions = exerciseRegions(reference, `src/${file}`);
      const answers = new Map<string, string[][]>();
      for (const region of regions)
        answers.set(region.id, [...(answers.get(region.id) ?? []), region.body]);
      const todos = exerciseRegions(shipped, `starter/${file}`);
      for (const region of todos) {
        if (!region.body.some((line) => line.includes('TODO'))) {
          defects.push(`starter/${file}: exercise-${region.id} has no TODO for the learner`);
        }
      }
      const ids = (list: { id: string }[]) => list.map((region) => region.id).join(',');
      if (ids(todos) !== ids(regions)) {
        defects.push(
          `starter/${file} has the exercise regions [${ids(todos)}], src/${file} [${ids(regions)}]`,
        );
      } else if (withAnswers(shipped, answers) !== reference) {
        defects.push(
          `starter/${file} differs from src/${file} outside its exercise regions: make it src/${file} with each region's lines replaced`,
        );
      }
    } catch (error) {
      defects.push((error as Error).message);
    }
  }
  return defects;
}

const selects = (selector: string, key: string) =>
  key === selector || key.startsWith(`${selector} > `);

/** The exercise a graded test (`file > describe > it`) belongs to, by the exercises' `tests`. */
function exercisesOf(lesson: Lesson, test: { file: string; name: string }): Exercise[] {
  return lesson.exercises.filter((exercise) => belongsTo(exercise, test));
}

/** A graded test that belongs to no exercise, or to two; an exercise that has no test. */
export function testMappingDefects(
  lesson: Lesson,
  graded: { file: string; name: string }[],
): string[] {
  const defects: string[] = [];
  const counts = new Map(lesson.exercises.map((exercise) => [exercise.id, 0]));
  for (const test of graded) {
    const owners = exercisesOf(lesson, test);
    if (owners.length === 0) defects.push(`"${test.file} > ${test.name}" belongs to no exercise`);
    if (owners.length > 1) {
      defects.push(
        `"${test.file} > ${test.name}" belongs to ${owners.map((e) => e.id).join(' and ')}`,
      );
    }
    for (const owner of owners) counts.set(owner.id, (counts.get(owner.id) ?? 0) + 1);
  }
  for (const [id, count] of counts) if (count === 0) defects.push(`exercise ${id} has no test`);
  return defects;
}

/** How far a run got with one exercise: its graded tests that ran and passed, of all. */
export interface ExerciseState {
  exercise: Exercise;
  passed: number;
  total: number;
}

/**
 * Each exercise's passed/total, in the lesson's order, from a scored run's
 * outcomes (skipped tests left out, as in the score).
 */
export function exerciseStates(
  lesson: Lesson,
  tests: { file: string; name: string; state: string }[],
): ExerciseState[] {
  return lesson.exercises.map((exercise) => {
    const own = tests.filter((test) => test.state !== 'skipped' && belongsTo(exercise, test));
    return {
      exercise,
      passed: own.filter((test) => test.state === 'passed').length,
      total: own.length,
    };
  });
}

/** The exercise named `id` (`members`), or undefined. */
export function findExercise(lesson: Lesson, id: string): Exercise | undefined {
  return lesson.exercises.find((exercise) => exercise.id === id.trim().toLowerCase());
}

/** Whether a graded test is one of `exercise`'s. */
export function belongsTo(exercise: Exercise, test: { file: string; name: string }): boolean {
  return exercise.tests.some((selector) => selects(selector, `${test.file} > ${test.name}`));
}
