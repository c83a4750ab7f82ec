/**
 * Structured logging to stderr: `2026-01-05T08:00:00.000Z info gateway.bridge frame dropped {"code":"bad_tag"}`.
 * The level comes from VIGIL_LOG_LEVEL (debug, info, warn, error, silent); tests default to warn.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  child(name: string): Logger;
}

function defaultLevel(): LogLevel {
  const env = process.env['VIGIL_LOG_LEVEL'];
  if (env && env in ORDER) return env as LogLevel;
  return process.env['JEST_WORKER_ID'] ? 'warn' : 'info';
}

export type LogSink = (line: string) => void;

export function createLogger(name: string, level: LogLevel = defaultLevel(), sink: LogSink = (l) => process.stderr.write(l + '\n')): Logger {
  const write = (lvl: LogLevel, msg: string, data?: Record<string, unknown>): void => {
    if (ORDER[lvl] < ORDER[level]) return;
    let line = `${new Date().toISOString()} ${lvl} ${name} ${msg}`;
    if (data && Object.keys(data).length > 0) line += ' ' + safeJson(data);
    sink(line);
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
    child: (sub) => createLogger(`${name}.${sub}`, level, sink),
  };
}

function safeJson(data: Record<string, unknown>): string {
  try {
    return JSON.stringify(data, (_k, v: unknown) => (v instanceof Error ? { message: v.message, code: (v as { code?: unknown }).code } : v));
  } catch {
    return '{"unserialisable":true}';
  }
}
