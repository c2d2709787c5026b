// What a lesson declares it needs beyond Node (its `requires`), checked
// before a command needs it, so that it says so first.
// By path, not package name: the docs build bundles the commands' modules, and its bundler
// leaves a package import to Node, which cannot load TypeScript.
// Relative, not '@lessons/test-kit/…': the docs build bundles this module (the
// command pages show each USAGE) and leaves packages to Node, which cannot load .ts.
import { type BinaryName, findBinary, installHint } from '../../test-kit/binaries.ts';
import { chromiumMissing, hasChromium } from '../../test-kit/chromium.ts';
import type { Lesson } from './lessons.ts';

/**
 * One line per program a lesson's tests need that this machine lacks: the
 * tests that use it will be skipped, and each line says how to install it.
 *
 * @example
 * for (const line of missingForTests(lesson)) console.log(line);
 */
export function missingForTests(lesson: Lesson): string[] {
  return lesson.requires.flatMap((name) => {
    if (name === 'chromium') {
      return hasChromium()
        ? []
        : [`${chromiumMissing()} Lesson ${lesson.number}'s browser tests are skipped.`];
    }
    if (findBinary(name)) return [];
    return [
      `Lesson ${lesson.number} needs ${name}, which is not installed: its tests that use it are skipped. Install it with: ${installHint(name)}`,
    ];
  });
}

/**
 * The programs `pnpm lesson` cannot start a lesson without: its `run.requires`
 * when it declares one (lesson 7's tests need Redis and nginx, its default run
 * neither), else what its tests need but Chromium.
 */
export function runRequires(lesson: Pick<Lesson, 'requires' | 'run'>): BinaryName[] {
  return (lesson.run?.requires ?? lesson.requires).filter((name) => name !== 'chromium');
}

/**
 * Why `pnpm lesson` cannot start a lesson on this machine: one line per
 * program its server or demo clients need that is missing. A browser is the
 * learner's own, so Chromium is never asked for here.
 */
export function missingForRun(lesson: Pick<Lesson, 'number' | 'requires' | 'run'>): string[] {
  return runRequires(lesson)
    .filter((name) => !findBinary(name))
    .map(
      (name) =>
        `Lesson ${lesson.number} needs ${name}, which this machine does not have. Install it with: ${installHint(name)}`,
    );
}
