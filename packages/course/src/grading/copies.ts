// Where `pnpm grade` puts each student's code while it runs: under the OS's
// temporary folder, never in the source tree, so that a grader stopped by any
// means (SIGKILL included) leaves nothing in `git status`.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lesson } from '../lessons.ts';

/**
 * The folder of every grader's copies; one folder in it per grader process,
 * named by its pid. A real path (on macOS the temporary folder is behind a
 * symbolic link), as it appears in the stack traces the reports read.
 */
export const COPIES_ROOT = join(realpathSync(tmpdir()), 'realtime-lessons-grade');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Delete the copies of graders that are no longer running (stopped by SIGKILL, say). */
export function removeStaleCopies(root = COPIES_ROOT): string[] {
  if (!existsSync(root)) return [];
  const stale = readdirSync(root).filter((name) => !/^\d+$/.test(name) || !isRunning(Number(name)));
  for (const name of stale) rmSync(join(root, name), { recursive: true, force: true });
  return stale;
}

/**
 * The copies one grader makes: each student's folder laid out as a lesson
 * lays out `starter/`, so that the code finds `../public`, the lesson's
 * `package.json` and its `node_modules` where it expects them:
 *
 *     <root>/<pid>/<n>-<student>/submission/   the student's files
 *     <root>/<pid>/<n>-<student>/public        → lessons/NN-slug/public
 *     <root>/<pid>/<n>-<student>/node_modules  → lessons/NN-slug/node_modules
 *     <root>/<pid>/<n>-<student>/package.json  → lessons/NN-slug/package.json
 *
 * @example
 * const copies = new Copies(lesson);
 * const target = copies.add('ana', 'class/ana');
 * copies.removeAll();
 */
export class Copies {
  readonly dir: string;
  #count = 0;

  constructor(
    readonly lesson: Lesson,
    root = COPIES_ROOT,
  ) {
    removeStaleCopies(root);
    this.dir = join(root, String(process.pid));
  }

  /** Copy a student's folder (without node_modules or .git); returns the folder to test. */
  add(student: string, from: string): string {
    const home = join(this.dir, `${this.#count++}-${student.replace(/[^\w.-]+/g, '_')}`);
    const target = join(home, 'submission');
    mkdirSync(home, { recursive: true });
    cpSync(from, target, {
      recursive: true,
      filter: (source) => !/[\\/](node_modules|\.git)$/.test(source),
    });
    for (const name of ['public', 'node_modules', 'package.json']) {
      const real = join(this.lesson.dir, name);
      if (existsSync(real))
        symlinkSync(real, join(home, name), name === 'package.json' ? 'file' : 'junction');
    }
    return target;
  }

  /** Delete one student's copy, once graded. */
  remove(target: string): void {
    rmSync(join(target, '..'), { recursive: true, force: true });
  }

  removeAll(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
