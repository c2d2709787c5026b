/**
 * The type errors in a learner's files, found with the TypeScript the course
 * uses (tsc, with the course's compiler options), for `pnpm check` to show as
 * warnings: the tests run whatever the types say, as tsx runs them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ROOT } from '../lessons.ts';

/** One type error: `{ file: 'starter/app.ts', line: 12, message: "Type 'x' is not…" }`. */
export interface TypeProblem {
  file: string;
  line: number;
  message: string;
}

const TSC_LINE = /^(.+?)\((\d+),\d+\): error TS\d+: (.*)$/;

/** Read `tsc --pretty false` output into problems, files relative to `base`. */
function parseTscOutput(output: string, base: string): TypeProblem[] {
  return output.split('\n').flatMap((line) => {
    const [, file = '', number = '', message = ''] = TSC_LINE.exec(line.trim()) ?? [];
    return file
      ? [{ file: relative(base, file).split('\\').join('/'), line: Number(number), message }]
      : [];
  });
}

/**
 * The type errors in the `.ts` files of `target` (a starter, or a
 * submission), judged as the course's own code is. Resolves with none when
 * tsc cannot run at all: a missing type check must never fail a check.
 */
export async function typeProblems(
  target: string,
  base: string,
  { timeoutMs = 60_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<TypeProblem[]> {
  let tsc: string;
  try {
    tsc = join(
      dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
      'bin',
      'tsc',
    );
  } catch {
    return [];
  }
  const scratch = mkdtempSync(join(tmpdir(), 'lesson-types-'));
  const config = join(scratch, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.base.json'),
      // Node's types from the course, wherever the target lies (a copy in the temp folder).
      compilerOptions: { typeRoots: [join(ROOT, 'node_modules', '@types')] },
      include: [join(target, '**/*.ts')],
    }),
  );
  try {
    const output = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        [tsc, '-p', config, '--pretty', 'false'],
        {
          timeout: timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: 8 * 1024 * 1024,
          ...(signal ? { signal } : {}),
        },
        (_error, stdout) => resolve(String(stdout ?? '')),
      );
    });
    return parseTscOutput(output, base);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
