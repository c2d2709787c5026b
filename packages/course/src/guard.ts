/**
 * A vitest setup file for every run against a learner's or a student's code
 * (`pnpm check`, `pnpm grade`, `pnpm progress`, `pnpm lessons:verify`). It runs
 * in the test worker, beside the code under test (the folder in
 * `LESSON_TARGET`), and does two things:
 *
 * - A `listen()` on a fixed port made by that code is moved to a free port
 *   (port 0), so two submissions graded at once never fight over port 3000 and
 *   the result does not depend on which one started first. It is reported.
 * - Timers and servers that code created and left running after a test file
 *   finished are reported, with the line that created them.
 *
 * - A call to `process.exit()` (which vitest turns into an error) is recorded
 *   with its line, since it may happen in an event handler, outside any test.
 *
 * What it finds goes into the test module's `meta().course` for the reporter
 * and, in a graded run, straight into the run's report file, so that a run
 * stopped at its time limit still says what happened.
 */
import { createHook } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import { Server } from 'node:net';
import { resolve, sep } from 'node:path';
import { afterAll } from 'vitest';

export interface GuardNotes {
  /** Each `listen()` on a fixed port, e.g. `{ port: 3000, at: 'app.ts:14' }`. */
  fixedPorts: { port: number; at: string }[];
  /** What was still open after the file's tests, e.g. `{ kind: 'an interval timer', at: 'app.ts:9' }`. */
  leaks: { kind: string; at: string }[];
  /** Each `process.exit(code)`, e.g. `{ code: 1, at: 'app.ts:30' }`. */
  exits: { code: string; at: string }[];
}

declare module 'vitest' {
  interface TaskMeta {
    course?: GuardNotes;
  }
}

const targetEnv = process.env.LESSON_TARGET;
const targetDir = targetEnv ? resolve(targetEnv) + sep : undefined;

/** Write notes to the report file of a graded run at once; see reporter.ts. */
function report(notes: Partial<GuardNotes>): void {
  const file = process.env.COURSE_REPORT_FILE;
  if (file) appendFileSync(file, `${JSON.stringify({ type: 'notes', notes })}\n`);
}

/** `app.ts:14`: the first stack frame in the code under test, if any. */
function targetFrame(): string | undefined {
  if (!targetDir) return undefined;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const start = stack.indexOf(targetDir);
  if (start === -1) return undefined;
  const frame = /^([^:)\s]+):(\d+)/.exec(stack.slice(start + targetDir.length));
  return frame ? `${frame[1]}:${frame[2]}` : undefined;
}

// The resources that keep a process alive for good, in words a learner knows. A
// one-off timer is left out: it ends by itself.
const KINDS: Record<string, string> = {
  Timeout: 'a repeating timer (setInterval)',
  TCPSERVERWRAP: 'a listening server',
  PIPESERVERWRAP: 'a listening server',
  FSEVENTWRAP: 'a file watcher',
  STATWATCHER: 'a file watcher',
};

interface Watched {
  kind: string;
  at: string;
  resource: WeakRef<object>;
}

interface GuardState {
  notes: GuardNotes;
  watched: Map<number, Watched>;
}

// Setup files run once per test file; patch the process once.
const KEY = Symbol.for('@lessons/course/guard');
const global = globalThis as { [KEY]?: GuardState };
global[KEY] ??= install();
const state: GuardState = global[KEY];

function install(): GuardState {
  const state: GuardState = { notes: { fixedPorts: [], leaks: [], exits: [] }, watched: new Map() };

  const exit = process.exit;
  process.exit = ((code?: number | string | null) => {
    const at = targetFrame();
    if (at !== undefined) {
      const call = { code: String(code ?? process.exitCode ?? 0), at };
      state.notes.exits.push(call);
      report({ exits: [call] });
    }
    return exit(code);
  }) as typeof process.exit;

  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const port = fixedPort(args[0]);
    const at = port === undefined ? undefined : targetFrame();
    if (port !== undefined && at !== undefined) {
      state.notes.fixedPorts.push({ port, at });
      report({ fixedPorts: [{ port, at }] });
      args[0] = typeof args[0] === 'object' ? { ...(args[0] as object), port: 0 } : 0;
    }
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  } as typeof listen;

  createHook({
    init(asyncId, type, _triggerId, resource) {
      const kind = KINDS[type];
      if (kind === undefined) return;
      const at = targetFrame();
      if (at !== undefined)
        state.watched.set(asyncId, { kind, at, resource: new WeakRef(resource) });
    },
    destroy(asyncId) {
      state.watched.delete(asyncId);
    },
  }).enable();
  return state;
}

function fixedPort(first: unknown): number | undefined {
  const value =
    typeof first === 'object' && first !== null && 'port' in first
      ? (first as { port: unknown }).port
      : first;
  const port = Number(value);
  if ((typeof value === 'number' || typeof value === 'string') && Number.isInteger(port)) {
    return port > 0 ? port : undefined;
  }
  return undefined;
}

function isOpen(resource: object | undefined): boolean {
  if (resource === undefined) return false;
  const handle = resource as { hasRef?: () => boolean; _destroyed?: boolean; _repeat?: unknown };
  if (handle._destroyed === true) return false;
  if (resource.constructor.name === 'Timeout' && !handle._repeat) return false;
  return handle.hasRef?.() ?? true;
}

// biome-ignore lint/correctness/noEmptyPattern: vitest reads test fixtures from the first parameter
afterAll(async ({}, file) => {
  // Let closes that were already under way finish, and their destroy hooks run.
  await new Promise((resolve) => setImmediate(resolve));
  const leaks = new Map<string, { kind: string; at: string }>();
  for (const { kind, at, resource } of state.watched.values()) {
    if (isOpen(resource.deref())) leaks.set(`${kind} ${at}`, { kind, at });
  }
  state.watched.clear();
  file.meta.course = {
    fixedPorts: state.notes.fixedPorts.splice(0),
    leaks: [...leaks.values()],
    exits: state.notes.exits.splice(0),
  };
});
