/**
 * A vitest setup file for every run against a learner's or a student's code
 * (`pnpm check`, `pnpm grade`, `pnpm progress`, `pnpm lessons:verify`). It runs
 * in the test worker, beside the code under test (the run's target: see
 * `RunSpec` in the test kit), and does three things:
 *
 * - A `listen()` on a fixed port made by that code is moved to a free port
 *   (port 0), so two submissions graded at once never fight over port 3000 and
 *   the result does not depend on which one started first. It is reported.
 * - Repeating timers, servers and file watchers that code created and left
 *   running after a test file finished are reported, with the line that
 *   created them.
 * - A call to `process.exit()` (which vitest turns into an error) is recorded
 *   with its line, since it may happen in an event handler, outside any test.
 *
 * What it finds goes straight into the run's report file, the one way events
 * leave a run (see reporter.ts), so that a run stopped at its time limit still
 * says what happened.
 */
import fs, { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { Server } from 'node:net';
import { resolve, sep } from 'node:path';
import timers from 'node:timers';
import { runSpec } from '@lessons/test-kit/target';
import { afterAll } from 'vitest';

export interface GuardNotes {
  /** Each `listen()` on a fixed port, e.g. `{ port: 3000, at: 'app.ts:14' }`. */
  fixedPorts: { port: number; at: string }[];
  /** What was still open after the file's tests, e.g. `{ kind: 'an interval timer', at: 'app.ts:9' }`. */
  leaks: { kind: string; at: string }[];
  /** Each `process.exit(code)`, e.g. `{ code: 1, at: 'app.ts:30' }`. */
  exits: { code: string; at: string }[];
}

const spec = runSpec();
const targetDir = spec ? resolve(spec.target) + sep : undefined;

/** Write notes to the report file of a graded run at once; see reporter.ts. */
function report(notes: Partial<GuardNotes>): void {
  if (spec?.reportFile) {
    appendFileSync(spec.reportFile, `${JSON.stringify({ type: 'notes', notes })}\n`);
  }
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

interface Watched {
  kind: string;
  at: string;
  resource: WeakRef<object>;
  /** Still keeping the process alive? */
  open(resource: object): boolean;
}

interface GuardState {
  watched: Set<Watched>;
}

// Setup files run once per test file; patch the process once.
const KEY = Symbol.for('@lessons/course/guard');
const global = globalThis as { [KEY]?: GuardState };
global[KEY] ??= install();
const state: GuardState = global[KEY];

function install(): GuardState {
  const state: GuardState = { watched: new Set() };
  /** Remember a resource the code under test created, with the line that created it. */
  const watch = (kind: string, resource: object, open: Watched['open']) => {
    const at = targetFrame();
    if (at !== undefined) state.watched.add({ kind, at, resource: new WeakRef(resource), open });
  };

  const exit = process.exit;
  process.exit = ((code?: number | string | null) => {
    const at = targetFrame();
    if (at !== undefined) {
      report({ exits: [{ code: String(code ?? process.exitCode ?? 0), at }] });
    }
    return exit(code);
  }) as typeof process.exit;

  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const port = fixedPort(args[0]);
    const at = port === undefined ? undefined : targetFrame();
    if (port !== undefined && at !== undefined) {
      report({ fixedPorts: [{ port, at }] });
      args[0] = typeof args[0] === 'object' ? { ...(args[0] as object), port: 0 } : 0;
    }
    watch('a listening server', this, (server) => (server as Server).listening);
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  } as typeof listen;

  // The other resources that keep a process alive for good, in words a learner knows. A
  // one-off timer is left out: it ends by itself. Wrapping these few calls costs far less
  // than an async_hooks hook, which runs for every promise.
  const setInterval = globalThis.setInterval;
  const watchedInterval = ((...args: Parameters<typeof setInterval>) => {
    const timer = setInterval(...args);
    watch('a repeating timer (setInterval)', timer, (timer) => {
      const handle = timer as NodeJS.Timeout & { _destroyed?: boolean };
      return handle._destroyed !== true && handle.hasRef();
    });
    return timer;
  }) as typeof setInterval;
  globalThis.setInterval = watchedInterval;
  timers.setInterval = watchedInterval;
  const watchFiles = <F extends (...args: never[]) => object>(call: F, closed: string): F =>
    ((...args: Parameters<F>) => {
      const watcher = call(...args);
      let open = true;
      if ('once' in watcher && typeof watcher.once === 'function') {
        watcher.once(closed, () => {
          open = false;
        });
      }
      watch('a file watcher', watcher, () => open);
      return watcher;
    }) as F;
  fs.watch = watchFiles(fs.watch, 'close');
  fs.watchFile = watchFiles(fs.watchFile, 'stop');
  // `import { setInterval } from 'node:timers'` and `import { watch } from 'node:fs'` too.
  syncBuiltinESMExports();
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

afterAll(async () => {
  // Let closes that were already under way finish.
  await new Promise((resolve) => setImmediate(resolve));
  const leaks = new Map<string, { kind: string; at: string }>();
  for (const { kind, at, resource, open } of state.watched) {
    const alive = resource.deref();
    if (alive !== undefined && open(alive)) leaks.set(`${kind} ${at}`, { kind, at });
  }
  state.watched.clear();
  if (leaks.size > 0) report({ leaks: [...leaks.values()] });
});
