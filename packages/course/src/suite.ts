/**
 * Run a lesson's tests against some code (the reference, a starter, a student's
 * submission) and turn the outcome into a score and reasons a person can read.
 * `pnpm check`, `pnpm grade`, `pnpm progress` and `pnpm lessons:verify` are
 * built on it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
// By path, like the other imports of the test kit here: the docs build bundles this module.
import type { RunSpec } from '../../test-kit/target.ts';
import type { GuardNotes } from './guard.ts';
import type { Lesson } from './lessons.ts';
import type { RunEvent, TestState } from './reporter.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
export const REPORTER = here('./reporter.ts');
const GUARD = here('./guard.ts');
export const VITEST_CLI = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);

export interface GradedRunOptions {
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
  lesson: Lesson,
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
      // One process per run: the test files share a worker thread and its module cache, which
      // halves what a run costs. Each test still builds its own app with createApp().
      pool: 'threads',
      isolate: false,
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
export function outputTail(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output.trim();
}

/** Every test file of a lesson, relative to its folder: `['test/app.test.ts', …]`. */
export function testFiles(lesson: Lesson): string[] {
  const dir = join(lesson.dir, 'test');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => `test/${file.split('\\').join('/')}`)
    .sort();
}

/** Where a lesson keeps its knowledge tests: facts about Express or Socket.IO, never graded. */
export const FACTS_DIR = 'test/facts/';

/**
 * The test files that grade code: every test file outside `test/facts/`.
 * The knowledge tests there (lesson 1's `listen-trap.test.ts`, for instance)
 * prove facts about Express or Socket.IO with code of their own; they pass for
 * everyone, so they would only add free points to a grade.
 */
export function gradedTestFiles(lesson: Lesson): string[] {
  return testFiles(lesson).filter((file) => !file.startsWith(FACTS_DIR));
}

// A value import (not `import type`) of a module, or a dynamic import() of one.
const IMPORT =
  /(?:\bimport\s+(?!type\b)[^'";]*?\bfrom\s*|\bexport\s+[^'";]*?\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

/**
 * Whether a test file runs the code under test: it imports a value from
 * `#target/` or calls `lessonTarget()` (to start its `server.ts`), directly
 * or through a helper of its own in the lesson. `lessons:verify` checks it of
 * every graded file; a type-only import does not count.
 */
export function exercisesTarget(
  path: string,
  lessonDir: string,
  seen = new Set<string>(),
): boolean {
  if (seen.has(path)) return false;
  seen.add(path);
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  if (/\blessonTarget\(/.test(source)) return true;
  for (const [, specifier = ''] of source.matchAll(IMPORT)) {
    if (specifier.startsWith('#target/')) return true;
    if (!specifier.startsWith('.')) continue;
    const imported = join(dirname(path), specifier);
    if (imported.startsWith(lessonDir) && exercisesTarget(imported, lessonDir, seen)) return true;
  }
  return false;
}

/**
 * Start one headless Chromium for many runs when one of `lessons` requires
 * it (its tests open pages): each run connects to it (see `launchBrowser()`) and opens its pages
 * in a context of its own, instead of starting a Chromium each. Pass `env` to
 * the runs, and `close()` at the end.
 */
export async function sharedBrowser(
  lessons: Lesson[],
): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const needed = lessons.some((lesson) => lesson.requires.includes('chromium'));
  if (!needed || process.env.CHROMIUM_WS_ENDPOINT) return { env: {}, close: async () => {} };
  // Loaded here, not on top: Playwright takes a while to load, and most commands never need it.
  // By path, not package name, so that the docs build can import the commands' help.
  const { CHROMIUM_ARGS, chromiumMissing, findChromium } = await import(
    '../../test-kit/chromium.ts'
  );
  const found = findChromium();
  if (!found) {
    console.warn(`${chromiumMissing()} The browser tests are skipped.`);
    return { env: {}, close: async () => {} };
  }
  const { chromium } = await import('playwright-core');
  const server = await chromium.launchServer({
    executablePath: found.path,
    args: CHROMIUM_ARGS,
  });
  return { env: { CHROMIUM_WS_ENDPOINT: server.wsEndpoint() }, close: () => server.close() };
}

export interface TestOutcome {
  file: string;
  name: string;
  state: TestState;
  errors: string[];
  durationMs: number;
  /** Why it was skipped: a program it needs is missing on this machine. */
  note?: string;
  /** How many times it ran again after failing. */
  retries?: number;
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
  /** Test files relative to the lesson folder; all graded files by default. */
  files?: string[];
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
    ['--reporter', REPORTER, ...(options.files ?? gradedTestFiles(lesson))],
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
async function runVitest(
  lesson: Lesson,
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

export interface ExpectedTest {
  file: string;
  name: string;
}

/**
 * The tests a lesson's files declare, collected against the reference
 * without running them: the full list, for when a learner's code breaks a
 * whole file and its tests cannot even be counted.
 */
export async function listTests(
  lesson: Lesson,
  files = gradedTestFiles(lesson),
): Promise<ExpectedTest[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'lesson-list-'));
  const out = join(scratch, 'tests.json');
  try {
    const vitest = gradedVitest(lesson, join(lesson.dir, 'src'), 'list', [
      `--json=${out}`,
      ...files,
    ]);
    await runVitest(lesson, vitest, { timeoutMs: 120_000 });
    const listed = JSON.parse(readFileSync(out, 'utf8')) as { name: string; file: string }[];
    return listed.map(({ name, file }) => ({
      file: relative(lesson.dir, file).split(sep).join('/'),
      name,
    }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The tests `run` should have run: those it ran, and those of the files that
 * could not even be loaded (listed against the reference), which count as failed.
 */
export async function expectedTests(lesson: Lesson, run: SuiteRun): Promise<ExpectedTest[]> {
  const ran = run.tests.map(({ file, name }) => ({ file, name }));
  const broken = run.files.filter((file) => file.tests === 0).map((file) => file.file);
  return broken.length === 0 ? ran : [...ran, ...(await listTests(lesson, broken))];
}

export interface Score {
  passed: number;
  total: number;
  /** 0 to 1. */
  score: number;
  /** One outcome per expected test, in order; a test that never ran counts as failed. */
  tests: TestOutcome[];
  failing: TestOutcome[];
  /** Tests skipped (for a missing program, or by the lesson's config): counted neither as passed nor in the total. */
  skipped: TestOutcome[];
  /** Why points were lost, or what the code did that it should not, in plain words. */
  reasons: string[];
}

const key = (test: ExpectedTest) => `${test.file} > ${test.name}`;

/**
 * Score a run against the tests the reference passes: a test counts as
 * passed only if it ran and passed, so tests that never ran (their file could
 * not be imported, or the run was stopped) count as failed.
 */
export function scoreRun(run: SuiteRun, expected: ExpectedTest[], timeoutMs: number): Score {
  const byKey = new Map(run.tests.map((test) => [key(test), test]));
  const tests = expected.map(
    (test): TestOutcome =>
      byKey.get(key(test)) ?? { ...test, state: 'failed', errors: ['did not run'], durationMs: 0 },
  );
  // Skipped on purpose (by the lesson's config, or for a missing program): never counted.
  const skipped = tests.filter((test) => test.state === 'skipped');
  const counted = tests.filter((test) => !skipped.includes(test));
  const failing = counted.filter((test) => test.state !== 'passed');
  const passed = counted.length - failing.length;
  const total = counted.length;
  return {
    passed,
    total,
    score: total === 0 ? 0 : passed / total,
    tests,
    failing,
    skipped,
    reasons: [...explain(run, failing, timeoutMs), ...retriedReason(counted)],
  };
}

/** Say when grading's retry policy decided a test: it passed only when run again. */
function retriedReason(tests: TestOutcome[]): string[] {
  const retried = tests.filter((test) => test.state === 'passed' && (test.retries ?? 0) > 0);
  if (retried.length === 0) return [];
  return [
    `passed ${retried.length} test(s) only when run again (grading runs a failed test once more): ${retried.map((test) => test.name).join('; ')}`,
  ];
}

const firstLine = (text: string) => text.split('\n').find((line) => line.trim() !== '') ?? text;
const clip = (text: string, length = 160) =>
  text.length > length ? `${text.slice(0, length - 1)}…` : text;

/** What vitest throws where the code under test calls process.exit(code). */
const EXIT_CALLED = /process\.exit unexpectedly called with "([^"]*)"/;

/** Why a file could not be imported, e.g. `does not compile: app.ts: Unexpected token`. */
function importProblem(message: string): string {
  if (
    /SyntaxError|Transform failed|Parse error|Unexpected token|Expected .* but found/i.test(message)
  ) {
    // Oxc: "Transform failed with 1 error:\n\n[PARSE_ERROR] Expected `,` or `}` but found `;`\n ╭─[ submission/app.ts:33:32 ]"
    const problem = /\[[A-Z_]+\]\s*(.+)/.exec(message)?.[1];
    const where = /\[\s*(?:\S*\/)?([^/\s]+:\d+):\d+\s*\]/.exec(message)?.[1];
    const text = problem
      ? `${where ? `${where}: ` : ''}${problem}`
      : firstLine(message).replace(/^SyntaxError: /, '');
    return `does not compile: ${clip(text)}`;
  }
  if (
    /Failed to load url|Cannot find module|ERR_MODULE_NOT_FOUND|does not provide an export/.test(
      message,
    )
  ) {
    return `a file or an export is missing: ${clip(firstLine(message))}`;
  }
  return `throws on import: ${clip(firstLine(message))}`;
}

function explain(run: SuiteRun, failing: TestOutcome[], timeoutMs: number): string[] {
  const reasons = new Set<string>();
  if (run.timedOut) {
    reasons.add(
      `stopped at the ${Math.round(timeoutMs / 1000)} s time limit: the tests never finished (an endless loop, or code that never answers?)`,
    );
  } else if (!run.finished) {
    const lines = run.output.split('\n');
    const error = lines.find((line) => /\b\w*Error\b/.test(line)) ?? lines.at(-1) ?? 'no output';
    reasons.add(`the test run crashed: ${clip(error.trim(), 200)}`);
  }

  const { fixedPorts, leaks, exits } = run.notes;
  for (const { code, at } of exits) reasons.add(`calls process.exit(${code}) (${at})`);
  const exitCalled = (error: string) => {
    const exit = EXIT_CALLED.exec(error);
    if (exit && exits.length === 0) reasons.add(`calls process.exit(${exit[1]})`);
    return exit !== null;
  };
  for (const file of run.files) {
    for (const error of file.errors) {
      if (exitCalled(error)) continue;
      reasons.add(
        file.tests === 0 ? importProblem(error) : `${file.file}: ${clip(firstLine(error))}`,
      );
    }
  }
  for (const error of run.unhandled) {
    if (!exitCalled(error)) reasons.add(`throws outside a test: ${clip(firstLine(error))}`);
  }
  for (const { port, at } of fixedPorts) {
    reasons.add(`listens on port ${port} (${at}): only server.ts may listen`);
  }
  for (const { kind, at } of leaks) {
    // A fixed-port listen that was never closed is one mistake, not two.
    if (!fixedPorts.some((listen) => listen.at === at)) {
      reasons.add(`leaves ${kind} open after the tests (${at})`);
    }
  }

  let noAnswer = 0;
  for (const test of failing) {
    for (const error of test.errors) {
      exitCalled(error);
      if (/Test timed out in/.test(error)) noAnswer += 1;
    }
  }
  if (noAnswer > 0) {
    reasons.add(
      `${noAnswer === 1 ? '1 test' : `${noAnswer} tests`} got no answer in time (a handler that never replies?)`,
    );
  }
  const ran = failing.filter((test) => test.errors[0] !== 'did not run');
  if (reasons.size === 0 && ran.length > 0) {
    const [first] = ran;
    const more = ran.length > 1 ? ` (and ${ran.length - 1} more)` : '';
    reasons.add(`fails "${first?.name}"${more}`);
  }
  return [...reasons];
}
