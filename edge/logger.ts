// The edge's and the host's log: one JSON object a line (pino) with level, time and msg, so a
// plant's log shipper (journald → Loki, Fluent Bit, Elastic) indexes it without a parser of ours.
// info goes to stdout, warn and error to stderr (a supervisor's journal keeps both; a terminal
// still shows problems when stdout is redirected). `pretty` prints the old human line instead, only
// when asked (--log-format pretty / TWINLINE_LOG_FORMAT=pretty). Modules receive a plain `Log`
// function, so none of them knows pino is behind it and tests hand them an array's push.
import { hostname } from 'node:os';
import { format } from 'node:util';
import pino, { type DestinationStream } from 'pino';

export type LogLevel = 'info' | 'warn' | 'error';
export type Log = (level: LogLevel, message: string) => void;

/** The least severe level written ('silent': nothing). */
export const LOG_THRESHOLDS = ['info', 'warn', 'error', 'silent'] as const;
export type LogThreshold = (typeof LOG_THRESHOLDS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  level: LogThreshold;
  format: LogFormat;
}

/** Thrown for a level or format nobody can use; says what would do. */
export class LogSettingsError extends Error {
  override name = 'LogSettingsError';
}

/**
 * The settings from the command line (--log-level, --log-format), else the environment
 * (TWINLINE_LOG_LEVEL, TWINLINE_LOG_FORMAT), else info as JSON.
 */
export function logSettingsFrom(o: { level?: string | undefined; format?: string | undefined; env?: NodeJS.ProcessEnv }): LogSettings {
  const env = o.env ?? process.env;
  // An empty variable is an unset one (a unit file's `Environment=TWINLINE_LOG_LEVEL=`).
  const level = (o.level || env.TWINLINE_LOG_LEVEL || 'info').toLowerCase();
  const format = (o.format || env.TWINLINE_LOG_FORMAT || 'json').toLowerCase();
  if (!(LOG_THRESHOLDS as readonly string[]).includes(level)) {
    throw new LogSettingsError(`--log-level/TWINLINE_LOG_LEVEL must be one of ${LOG_THRESHOLDS.join(', ')}, got "${level}"`);
  }
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new LogSettingsError(`--log-format/TWINLINE_LOG_FORMAT must be json or pretty, got "${format}"`);
  }
  return { level: level as LogThreshold, format: format as LogFormat };
}

export interface LogOptions extends Partial<LogSettings> {
  now?: () => number;
  /** Names the process in every line ("twinline-edge", "twinline-host"). */
  service?: string;
  /** Where lines go (default: info to process.stdout, warn and error to process.stderr). */
  out?: DestinationStream;
  err?: DestinationStream;
}

/** The old hand-written line, for a person at a terminal: `2026-12-02T09:00:00.000Z INFO  message`. */
function prettyLine(json: string): string {
  try {
    const o = JSON.parse(json) as { time?: string; level?: string; msg?: string };
    return `${o.time ?? ''} ${String(o.level ?? '').toUpperCase().padEnd(5)} ${o.msg ?? ''}\n`;
  } catch {
    return json;
  }
}

const prettified = (stream: DestinationStream): DestinationStream => ({ write: (line: string) => stream.write(prettyLine(line)) });

/** A structured logger with the `Log` signature every module takes. */
export function createLog(options: LogOptions = {}): Log {
  const now = options.now ?? Date.now;
  const format = options.format ?? 'json';
  // Through process.stdout/stderr, which Node writes synchronously to files, pipes and terminals
  // on Linux: a fatal error's line is out before process.exit, and whatever wraps the process's
  // streams (a test's preload, a debugger) sees the lines.
  let out: DestinationStream = options.out ?? process.stdout;
  let err: DestinationStream = options.err ?? process.stderr;
  if (format === 'pretty') {
    out = prettified(out);
    err = prettified(err);
  }
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid, hostname: hostname(), ...(options.service ? { service: options.service } : {}) },
      timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    // dedupe: each line goes to the most severe stream that takes it, never to both.
    pino.multistream([{ level: 'info', stream: out }, { level: 'warn', stream: err }], { dedupe: true }),
  );
  return (level, message) => logger[level](message);
}

/** The log of a process started from the command line; kept for callers of the first version. */
export function consoleLog(now: () => number = Date.now, settings?: Partial<LogSettings> & { service?: string }): Log {
  return createLog({ now, ...settings });
}

/** Most lines one place of a library's code writes (as node-opcua's own logger does); the rest are counted away. */
const LIBRARY_REPEATS = 100;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const CONSOLE_LEVELS = { log: 'info', info: 'info', debug: 'info', trace: 'info', warn: 'warn', error: 'error' } as const;

/**
 * Makes what a process writes JSON lines only: libraries that print for themselves go through
 * `log`. node-opcua's own logger (node-opcua-debug: its warnings and errors, and debug or trace
 * output when asked for with DEBUG=…) through its hooks, at its level and naming its source file;
 * whatever still calls console.* (node-opcua's few direct console.log calls, other libraries) as
 * info, warn or error, colours removed. Call it once the log is made, in a process's main and in
 * a worker thread that loads node-opcua (each thread has its own console and node-opcua). Returns
 * what puts the console back.
 */
export async function routeLibraryOutput(log: Log): Promise<() => void> {
  const text = (args: unknown[]) => format(...args).replace(ANSI, '');
  const saved = new Map<keyof typeof CONSOLE_LEVELS, Console[keyof typeof CONSOLE_LEVELS]>();
  for (const [method, level] of Object.entries(CONSOLE_LEVELS) as Array<[keyof typeof CONSOLE_LEVELS, LogLevel]>) {
    saved.set(method, console[method]);
    console[method] = (...args: unknown[]) => log(level, text(args));
  }
  const seen = new Map<string, number>();
  const opcua = (level: LogLevel) => (context?: unknown, ...args: unknown[]) => {
    const where = context as { filename?: string; callerline?: number } | undefined;
    const source = `${where?.filename ?? '?'}:${where?.callerline ?? '?'}`;
    const n = (seen.get(source) ?? 0) + 1;
    seen.set(source, n);
    if (n > LIBRARY_REPEATS) return;
    const more = n === LIBRARY_REPEATS ? ` (the ${LIBRARY_REPEATS}th line from here; no more are logged)` : '';
    log(level, `node-opcua ${source}: ${text(args)}${more}`);
  };
  const debug = await import('node-opcua-debug');
  debug.setErrorLogger(opcua('error'));
  debug.setWarningLogger(opcua('warn'));
  debug.setDebugLogger(opcua('info'));
  debug.setTraceLogger(opcua('info'));
  return () => {
    for (const [method, fn] of saved) (console as unknown as Record<string, unknown>)[method] = fn;
  };
}
