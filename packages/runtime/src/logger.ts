export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** Structured logging; every runtime component takes one (default: JSON lines on stderr, info+). */
export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A Logger writing one JSON object per line: {time, level, msg, ...fields}. */
export function jsonLogger(
  options: { level?: LogLevel; write?: (line: string) => void; fields?: LogFields } = {},
): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const base = options.fields ?? {};
  return {
    log(level, message, fields) {
      if (ORDER[level] < min) return;
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...base, ...fields })}\n`,
      );
    },
  };
}

/** Discards everything. */
export const silentLogger: Logger = { log() {} };
