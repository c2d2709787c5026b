import { noMoreArgs, parseCommandArgs, parsePort } from '../cli.ts';

export const USAGE = `Usage: pnpm start [options]

Serve the course site with hot reload, and say how to start a lesson. It
needs no browser: the diagrams are rendered once and kept beside the pages.

Options:
  --port <n>   the port to serve on (default: 5173, or the next free one)
  -h, --help   show this help`;

/** Turn `pnpm start` arguments into the port to serve on, or throw a UsageError. */
export function parseStartArgs(argv: string[]): { port: number | undefined } | 'help' {
  const { values, positionals } = parseCommandArgs(
    argv,
    { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  noMoreArgs(positionals, USAGE);
  if (values.help) return 'help';
  return { port: values.port === undefined ? undefined : parsePort(values.port) };
}
