import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { ConcurrentlyCommandInput } from 'concurrently';
// Relative, as requirements.ts says: the docs build bundles this module.
import { findBinary, installHint } from '../../../test-kit/binaries.ts';
import { HELP, helpText, parseLessonCommand, parsePort, USAGE_ERROR, UsageError } from '../cli.ts';
import type { Lesson } from '../lessons.ts';
import { missingForRun } from '../requirements.ts';

export const USAGE = `Usage: pnpm lesson <lesson> [options]

Start a lesson's server and its scripted demo clients, each line prefixed with
the process it came from. Ctrl-C stops them all.

  <lesson>          the lesson's number (3 or 03), slug (rooms) or folder (03-rooms)

Options:
  --port <n>        the port to listen on (default: $PORT, else 3000)
  --server-only     start the server alone, for your browser or your own client
  --starter         run your starter (lessons/NN-slug/starter) instead of the reference
  --redis           give the server a Redis (lessons that use one): $REDIS_URL, else
                    a redis-server started on a free port, without persistence,
                    and stopped with the run
  -h, --help        show this help`;

export interface LessonRun {
  lesson: Lesson;
  port: number;
  serverOnly: boolean;
  starter: boolean;
  /** --redis: the server gets REDIS_URL (see redisForRun). */
  redis: boolean;
}

/** Turn `pnpm lesson` arguments into a run, or throw a UsageError that says what is wrong. */
export function parseLessonArgs(argv: string[], env = process.env): LessonRun | 'help' {
  const parsed = parseLessonCommand(
    argv,
    {
      port: { type: 'string' },
      'server-only': { type: 'boolean' },
      starter: { type: 'boolean' },
      redis: { type: 'boolean' },
      help: HELP,
    },
    USAGE,
  );
  if (parsed === 'help') return 'help';
  const { lesson, values } = parsed;
  if (values.redis && !lesson.run?.redis) {
    throw new UsageError(
      `Lesson ${lesson.number}'s server does not use Redis: --redis is not for it.`,
    );
  }
  return {
    lesson,
    port: parsePort(values.port ?? env.PORT ?? '3000'),
    serverOnly: values['server-only'] ?? false,
    starter: values.starter ?? false,
    redis: values.redis ?? false,
  };
}

/** The Redis a --redis run gives its server, and how to stop it when the run started it. */
export interface RunRedis {
  url: string;
  /** Set when the run started this redis-server: stops it (the run does on exit). */
  stop?: () => void;
}

/**
 * For a --redis run: $REDIS_URL when it is set; else a redis-server of the
 * run's own, on a free loopback port, without persistence, stopped when this
 * process exits (whatever ends it). Throws a UsageError of one line that says
 * how to install redis-server when it is not installed.
 */
export async function redisForRun(
  run: Pick<LessonRun, 'redis'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunRedis | undefined> {
  if (!run.redis) return undefined;
  if (env.REDIS_URL) return { url: env.REDIS_URL };
  const binary = findBinary('redis-server', { env });
  if (!binary) {
    throw new UsageError(
      `--redis needs redis-server, which is not installed: install it with ${installHint('redis-server')}, or set REDIS_URL=redis://host:port`,
    );
  }
  // Loaded here: only a --redis run needs it.
  const { startRedis } = await import('../../../test-kit/services.ts');
  const redis = await startRedis(binary);
  const stop = () => {
    if (redis.child.exitCode === null && redis.child.signalCode === null) {
      redis.child.kill('SIGTERM');
    }
    rmSync(redis.dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  return { url: redis.url, stop };
}

/** Resolve when `port` can be listened on; throw a UsageError that suggests --port when not. */
export function assertPortFree(port: number, lesson: Lesson): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const tryOther = `pnpm lesson ${lesson.number} --port ${port === 65_535 ? 3001 : port + 1}`;
      if (error.code === 'EADDRINUSE') {
        reject(
          new UsageError(
            `Port ${port} is already in use. Stop what is using it, or pick another port:\n  ${tryOther}`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new UsageError(
            `Port ${port} needs privileges to listen on. Pick a port above 1023:\n  ${tryOther}`,
          ),
        );
      } else {
        reject(error);
      }
    });
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** The server.ts a run starts: the reference's, or the starter's with --starter. */
export function serverFile(run: LessonRun): string {
  const server = join(run.lesson.dir, run.starter ? 'starter' : 'src', 'server.ts');
  if (!existsSync(server)) throw new UsageError(`${server} is missing: the lesson cannot start.`);
  return server;
}

type DemoCommand = Extract<ConcurrentlyCommandInput, object> & { name: string };

/** The demo clients of a full run: one process per `demo/*.ts` file. */
export function demoCommands(run: LessonRun): DemoCommand[] {
  const { lesson, port } = run;
  const env = { PORT: String(port), LESSON_URL: `http://localhost:${port}` };
  const demoDir = join(lesson.dir, 'demo');
  const demos = existsSync(demoDir) ? readdirSync(demoDir).filter((f) => f.endsWith('.ts')) : [];
  const colors = ['magenta', 'yellow', 'green', 'blue'];
  return demos.sort().map((file, index) => ({
    name: basename(file, '.ts'),
    command: `node --import tsx ${quote(join(demoDir, file))}`,
    env,
    cwd: lesson.dir,
    prefixColor: colors[index % colors.length] ?? 'gray',
  }));
}

/** Whether to color what goes to `stream`, by the conventions concurrently follows too. */
function colorFor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR !== undefined) return process.env.FORCE_COLOR !== '0';
  return stream.isTTY === true;
}

/**
 * Prefix every line this process writes to `stream` from now on with
 * `prefix`, as concurrently prefixes each demo client's. Returns the
 * unprefixed `write`.
 */
function prefixLines(stream: NodeJS.WriteStream, prefix: string): NodeJS.WriteStream['write'] {
  const write = stream.write.bind(stream) as NodeJS.WriteStream['write'];
  const label = colorFor(stream) ? `\x1b[36m${prefix}\x1b[39m ` : `${prefix} `;
  let atLineStart = true;
  stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    let out = '';
    for (const piece of text.split(/(?<=\n)/)) {
      if (atLineStart && piece) out += label;
      out += piece;
      atLineStart = piece.endsWith('\n');
    }
    return write(out, ...rest);
  }) as NodeJS.WriteStream['write'];
  return write;
}

/**
 * `pnpm lesson <N> [--port n] [--server-only] [--starter] [--redis]`: returns the exit
 * code. The server runs in this process, so that only one Node process starts
 * before it listens; each demo client runs in a process of its own, and its
 * lines and the server's are prefixed with their name. Ctrl-C (SIGINT),
 * SIGTERM and SIGHUP end them all; so does the server ending this process.
 */
export async function runLesson(argv: string[]): Promise<number> {
  let run: LessonRun;
  let server: string;
  try {
    const parsed = parseLessonArgs(argv);
    if (parsed === 'help') {
      console.log(helpText(USAGE));
      return 0;
    }
    run = parsed;
    const missing = missingForRun(run.lesson);
    if (missing.length > 0) throw new UsageError(missing.join('\n'));
    await assertPortFree(run.port, run.lesson);
    server = serverFile(run);
    const redis = await redisForRun(run);
    if (redis) {
      process.env.REDIS_URL = redis.url;
      if (redis.stop)
        console.log(`Started redis-server at ${redis.url} for this run (no persistence).`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return USAGE_ERROR;
  }

  const { lesson, port } = run;
  const which = run.starter ? 'your starter' : 'the reference solution';
  console.log(`Lesson ${lesson.number}: ${lesson.title} (${which})`);
  console.log(`Open http://localhost:${port} in your browser. Press Ctrl-C to stop.\n`);
  process.env.PORT = String(port);

  // --server-only: server.ts alone, with Ctrl-C and SIGTERM left their default effect of ending it.
  const demos = run.serverOnly ? [] : demoCommands(run);
  if (demos.length === 0) {
    await import(pathToFileURL(server).href);
    return 0;
  }

  // Ctrl-C, SIGTERM and SIGHUP end the demo clients, then this process and the server with it,
  // with exit code 0, whenever they come.
  let demoRun: ReturnType<typeof import('concurrently').default> | undefined;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const command of demoRun?.commands ?? []) command.kill(signal);
      void (demoRun?.result ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => process.exit(0));
    });
  }
  // However else this process ends (the server throwing or calling process.exit), the demo
  // clients end with it.
  process.on('exit', () => {
    for (const command of demoRun?.commands ?? []) command.kill('SIGTERM');
  });

  const width = Math.max('server'.length, ...demos.map((d) => d.name.length));
  const stdout = prefixLines(process.stdout, `[${'server'.padEnd(width)}]`);
  prefixLines(process.stderr, `[${'server'.padEnd(width)}]`);
  try {
    await import(pathToFileURL(server).href);
  } catch (error) {
    console.error(error);
    return 1;
  }

  // Loaded once the server is started: it is the slowest import.
  const { default: concurrently } = await import('concurrently');
  demoRun = concurrently(demos, {
    prefix: 'name',
    padPrefix: true,
    prefixLength: width,
    killOthersOn: ['failure'],
    // Around this process's own prefixing, straight to the terminal.
    outputStream: new Writable({
      write(chunk, _encoding, done) {
        stdout(chunk, done);
      },
    }),
  });
  // A demo client that fails ends the run, server included, as a failure; demo clients that
  // finish leave the server running until Ctrl-C.
  const failed = await demoRun.result.then(
    () => false,
    () => true,
  );
  if (failed) process.exit(1);
  return 0;
}
