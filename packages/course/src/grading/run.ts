/**
 * The one way every command starts vitest: a child process of plain Node, in a
 * process group of its own, with a time limit, running the lesson's own
 * config for the run a `RunSpec` describes; its events come back through one
 * report file.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunSpec } from '@lessons/test-kit/target';
import type { GuardNotes } from '../child/guard.ts';
import type { RunEvent, TestOutcome } from '../child/reporter.ts';

export type { TestOutcome };

import type { Lesson } from '../lessons.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
export const REPORTER = here('../child/reporter.ts');
const GUARD = here('../child/guard.ts');
export const VITEST_CLI = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);

interface GradedRunOptions {
  /** Test workers at once: vitest's default when left out. */
  maxWorkers?: number;
  /** Run a failed test once more before it counts (grading's policy on a busy machine). */
  retry?: boolean;
  /** Where the reporter and the guard append their events (else the reporter sends them over IPC). */
  reportFile?: string;
  /** Unique to the run: its processes are found by their environment. */
  runId?: string;
  /** More environment for the run, e.g. the shared browser's `CHROMIUM_WS_ENDPOINT`. */
  env?: Record<string, string>;
}

/**
 * The arguments and environment of a vitest child process (plain Node, no
 * tsx) that runs `lesson`'s tests against the code in `target`, under the
 * lesson's own `vitest.config.ts`: `vitest <command> --config … <args>`.
 * Everything the run needs travels in one variable, `COURSE_RUN` (a
 * `RunSpec`): the target, the guard, the workers, the retry policy, where
 * events go. Spawn it with `cwd: lesson.dir`.
 */
export function gradedVitest(
  lesson: Pick<Lesson, 'dir'>,
  target: string,
  command: 'run' | 'watch' | 'list',
  args: string[],
  options: GradedRunOptions = {},
): { args: string[]; env: NodeJS.ProcessEnv; spec: RunSpec } {
  const spec: RunSpec = {
    target,
    test: {
      setupFiles: [GUARD],
      // Several runs of one lesson share its folder: keep them from sharing a results cache.
      cache: false,
      // The lesson's own config (lessonConfig()) runs the files in worker threads that share
      // their module cache, as pnpm test does; a run may only narrow the workers below.
      ...(options.maxWorkers ? { maxWorkers: options.maxWorkers } : {}),
      // A RegExp condition, to retry timeouts only, would not survive the trip to the worker.
      ...(options.retry ? { retry: 1 } : {}),
    },
    ...(options.reportFile ? { reportFile: options.reportFile } : {}),
    ...(options.runId ? { runId: options.runId } : {}),
  };
  const { LESSON_TARGET: _, ...env } = process.env;
  return {
    args: [command, '--config', join(lesson.dir, 'vitest.config.ts'), ...args],
    env: {
      ...env,
      ...options.env,
      COURSE_RUN: JSON.stringify(spec),
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    },
    spec,
  };
}

/** What a child process printed last (4000 characters at most), to say why it crashed. */
function outputTail(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output.trim();
}

export interface FileOutcome {
  file: string;
  /** Tests collected: 0 when the file could not even be imported. */
  tests: number;
  errors: string[];
}

/** What one run produced, whether it finished, crashed or was stopped. */
export interface SuiteRun {
  tests: TestOutcome[];
  files: FileOutcome[];
  /** Errors thrown outside any test, e.g. in an event handler. */
  unhandled: string[];
  /** What the guard noticed: fixed ports, open handles, process.exit calls. */
  notes: GuardNotes;
  /** The run reached its end (false when stopped or crashed). */
  finished: boolean;
  /** Stopped at its time limit. */
  timedOut: boolean;
  /** The last lines the run printed, for a run that crashed. */
  output: string;
  durationMs: number;
}

/** Fold reporter events into a run. */
export function collectRun(
  events: RunEvent[],
): Omit<SuiteRun, 'timedOut' | 'output' | 'durationMs'> {
  const fresh = () => ({
    tests: [] as TestOutcome[],
    files: [] as FileOutcome[],
    unhandled: [] as string[],
    notes: { fixedPorts: [], leaks: [], exits: [] } as GuardNotes,
  });
  let run = fresh();
  let finished = false;
  const addNotes = (notes: Partial<GuardNotes>) => {
    run.notes.fixedPorts.push(...(notes.fixedPorts ?? []));
    run.notes.leaks.push(...(notes.leaks ?? []));
    run.notes.exits.push(...(notes.exits ?? []));
  };
  for (const event of events) {
    if (event.type === 'start') {
      run = fresh();
      finished = false;
    } else if (event.type === 'notes') {
      addNotes(event.notes);
    } else if (event.type === 'test') {
      const { type: _, ...test } = event;
      run.tests.push(test);
    } else if (event.type === 'file') {
      const { type: _, ...file } = event;
      run.files.push(file);
    } else {
      run.unhandled.push(...event.errors);
      finished = true;
    }
  }
  return { ...run, finished };
}

export interface RunOptions {
  lesson: Lesson;
  /** The folder the tests import `#target/…` from. */
  target: string;
  /** Test files relative to the lesson folder, e.g. `gradedTestFiles(lesson)`. */
  files: string[];
  /** Stop the run, and every process it started, after this long (none in watch mode). */
  timeoutMs: number;
  /** Extra environment for the run. */
  env?: Record<string, string>;
  /** Test workers at once, and grading's retry policy: see `gradedVitest()`. */
  maxWorkers?: number;
  retry?: boolean;
  /** `watch` runs the tests again on every save, until `signal` aborts. */
  mode?: 'run' | 'watch';
  /** Each event the moment it happens, e.g. to print a file's results as it finishes. */
  onEvent?: (event: RunEvent) => void;
  /** Stops the run, and every process it started, when it aborts (Ctrl-C, say). */
  signal?: AbortSignal;
}

/**
 * Follow the events a run appends to its report file, one JSON line each:
 * `poll()` hands each new complete line to `onEvent`, and returns them all.
 */
function reportTail(file: string, onEvent: (event: RunEvent) => void) {
  const events: RunEvent[] = [];
  let read = 0;
  return {
    events,
    poll(): void {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return; // nothing written yet
      }
      const end = text.lastIndexOf('\n') + 1;
      for (const line of text.slice(read, end).split('\n').filter(Boolean)) {
        const event = JSON.parse(line) as RunEvent;
        events.push(event);
        onEvent(event);
      }
      read = end;
    },
  };
}

/**
 * Run the tests in a child process of their own (and its own process group),
 * so that nothing the code under test does can reach the caller: an endless
 * loop, `process.exit()`, an open handle. Resolves when the child and every
 * process it started are gone. The one way every command starts vitest.
 *
 * @example
 * const run = await runSuite({ lesson, target: join(lesson.dir, 'src'), timeoutMs: 60_000 });
 */
export async function runSuite(options: RunOptions): Promise<SuiteRun> {
  const { lesson, target, timeoutMs } = options;
  const scratch = mkdtempSync(join(tmpdir(), 'lesson-run-'));
  const reportFile = join(scratch, 'events.jsonl');
  const started = performance.now();
  const vitest = gradedVitest(
    lesson,
    target,
    options.mode ?? 'run',
    ['--reporter', REPORTER, ...options.files],
    {
      reportFile,
      runId: randomUUID(),
      ...(options.env ? { env: options.env } : {}),
      ...(options.maxWorkers ? { maxWorkers: options.maxWorkers } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    },
  );
  const tail = reportTail(reportFile, options.onEvent ?? (() => {}));
  const polling = options.onEvent ? setInterval(() => tail.poll(), 25) : undefined;
  const { timedOut, output } = await runVitest(lesson, vitest, {
    timeoutMs: options.mode === 'watch' ? undefined : timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  clearInterval(polling);

  // What is left to read; no report at all means the run died before vitest started
  // (`output` says why).
  tail.poll();
  rmSync(scratch, { recursive: true, force: true });
  return {
    ...collectRun(tail.events),
    timedOut,
    output,
    durationMs: performance.now() - started,
  };
}

/**
 * Start a vitest child (see `gradedVitest()`) in a process group of its own
 * and wait for it, and for every process it started, to be gone: stopped at
 * `timeoutMs`, when `signal` aborts, or by `stopRunsOnSignal()`.
 */
export async function runVitest(
  lesson: Pick<Lesson, 'dir'>,
  vitest: ReturnType<typeof gradedVitest>,
  limits: { timeoutMs?: number | undefined; signal?: AbortSignal },
): Promise<{ timedOut: boolean; output: string }> {
  const marker = `COURSE_RUN=${vitest.env.COURSE_RUN}`;
  const child = spawn(process.execPath, [VITEST_CLI, ...vitest.args], {
    cwd: lesson.dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: vitest.env,
  });
  running.set(child, marker);
  const output = outputTail(child);
  let timedOut = false;
  const timer =
    limits.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          stopRun(child, marker);
        }, limits.timeoutMs);
  const abort = () => stopRun(child, marker);
  limits.signal?.addEventListener('abort', abort, { once: true });
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  clearTimeout(timer);
  limits.signal?.removeEventListener('abort', abort);
  // A process the code under test started, a browser for instance, may outlive the child.
  stopRun(child, marker);
  running.delete(child);
  return { timedOut, output: output() };
}

/** The runs under way, each with the entry of its environment that marks its processes. */
const running = new Map<ChildProcess, string>();

/**
 * Stop every run under way when this process is interrupted (Ctrl-C) or
 * terminated: each run is in a process group of its own, which a terminal's
 * Ctrl-C does not reach. Returns a function that removes the handlers.
 */
export function stopRunsOnSignal(): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    for (const [child, marker] of running) stopRun(child, marker);
    // The usual exit code of a process ended by a signal; 'exit' handlers still run.
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * Kill the child's process group, then any process that still carries the
 * run's spec in its environment (a browser launched in a group of its own, or
 * a process the submission detached). The second sweep works on Linux and macOS.
 */
function stopRun(child: ChildProcess, marker: string): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
  const strays = ['linux', 'darwin'].includes(process.platform) ? processesWithEnv(marker) : [];
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone between the scan and the kill.
    }
  }
}

/**
 * The ids of this user's processes whose environment contains `entry`
 * (`KEY=value`): read from /proc on Linux, from `ps -E` on macOS. Throws
 * elsewhere, so that a check for processes left behind never passes for want
 * of a way to look.
 */
export function processesWithEnv(entry: string): number[] {
  if (process.platform === 'darwin') {
    // `ps -E` appends each process's environment to its command line.
    const listing = execFileSync('ps', ['-A', '-E', '-ww', '-o', 'pid=,command='], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { PATH: process.env.PATH }, // so that ps itself never carries the entry
    });
    return listing
      .split('\n')
      .filter((line) => line.includes(` ${entry}`))
      .map((line) => Number.parseInt(line, 10))
      .filter((pid) => pid !== process.pid && Number.isInteger(pid));
  }
  if (process.platform !== 'linux') {
    throw new Error(
      `Listing processes by their environment is not supported on ${process.platform}.`,
    );
  }
  const wanted = `\0${entry}\0`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(wanted);
      } catch {
        return false; // gone since the listing, or another user's
      }
    })
    .map(Number);
}
