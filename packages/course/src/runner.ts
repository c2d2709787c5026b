import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConcurrentlyCommandInput } from 'concurrently';
import {
  helpText,
  lessonArg,
  noMoreArgs,
  parseCommandArgs,
  USAGE_ERROR,
  UsageError,
} from './cli.ts';
import type { Lesson } from './lessons.ts';

export const USAGE = `Usage: pnpm lesson <lesson> [options]

Start a lesson's server and its scripted demo clients, each line prefixed with
the process it came from. Ctrl-C stops them all.

  <lesson>          the lesson's number (3 or 03), slug (rooms) or folder (03-rooms)

Options:
  --port <n>        the port to listen on (default: $PORT, else 3000)
  --server-only     start the server alone, for your browser or your own client
  --starter         run your starter (lessons/NN-slug/starter) instead of the reference
  -h, --help        show this help`;

export interface LessonRun {
  lesson: Lesson;
  port: number;
  serverOnly: boolean;
  starter: boolean;
}

/** Turn `pnpm lesson` arguments into a run, or throw a UsageError that says what is wrong. */
export function parseLessonArgs(argv: string[], env = process.env): LessonRun | 'help' {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      port: { type: 'string' },
      'server-only': { type: 'boolean' },
      starter: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) return 'help';
  const [query, ...extra] = positionals;
  const lesson = lessonArg(query, USAGE);
  noMoreArgs(extra, USAGE);
  return {
    lesson,
    port: parsePort(values.port ?? env.PORT ?? '3000'),
    serverOnly: values['server-only'] ?? false,
    starter: values.starter ?? false,
  };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65_535) {
    throw new UsageError(`"${text}" is not a port: use a whole number from 1 to 65535.`);
  }
  return port;
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

/** The processes of a full run: the server, then one per `demo/*.ts` file. */
export function lessonCommands(run: LessonRun): ConcurrentlyCommandInput[] {
  const { lesson, port } = run;
  const env = { PORT: String(port), LESSON_URL: `http://localhost:${port}` };
  const node = (file: string) => `node --import tsx ${quote(file)}`;
  const commands: ConcurrentlyCommandInput[] = [
    { name: 'server', command: node(serverFile(run)), env, cwd: lesson.dir, prefixColor: 'cyan' },
  ];
  const demoDir = join(lesson.dir, 'demo');
  const demos = existsSync(demoDir) ? readdirSync(demoDir).filter((f) => f.endsWith('.ts')) : [];
  const colors = ['magenta', 'yellow', 'green', 'blue'];
  demos.sort().forEach((file, index) => {
    commands.push({
      name: basename(file, '.ts'),
      command: node(join(demoDir, file)),
      env,
      cwd: lesson.dir,
      prefixColor: colors[index % colors.length] ?? 'gray',
    });
  });
  return commands;
}

/**
 * `pnpm lesson <N> [--port n] [--server-only] [--starter]`: returns the exit
 * code. Ctrl-C (SIGINT), SIGTERM and SIGHUP are passed on to every process;
 * with --server-only the server runs in this process, which they end.
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
    await assertPortFree(run.port, run.lesson);
    server = serverFile(run);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return USAGE_ERROR;
  }

  const { lesson, port } = run;
  const which = run.starter ? 'your starter' : 'the reference solution';
  console.log(`Lesson ${lesson.number}: ${lesson.title} (${which})`);
  console.log(`Open http://localhost:${port} in your browser. Press Ctrl-C to stop.\n`);

  if (run.serverOnly) {
    // One process is enough: run server.ts in this one, which starts faster
    // and leaves Ctrl-C and SIGTERM their default effect of ending it.
    process.env.PORT = String(port);
    await import(pathToFileURL(server).href);
    return 0;
  }

  let stoppedBySignal = false;
  const onSignal = () => {
    stoppedBySignal = true;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);

  // Loaded here, not at the top: it is the slowest import, and --server-only needs none of it.
  const { default: concurrently } = await import('concurrently');
  const { result } = concurrently(lessonCommands(run), {
    prefix: 'name',
    padPrefix: true,
    killOthersOn: ['failure'],
  });
  try {
    await result;
    return 0;
  } catch {
    return stoppedBySignal ? 0 : 1;
  }
}
