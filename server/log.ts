/**
 * Structured logs: one JSON object per line, `{"ts":"...","level":"info","event":"listening",...}`.
 * The writer and the clock are passed in, so tests capture lines and control time.
 *
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * import { ManualClock } from "../core/env/clock.ts";
 * const lines: string[] = [];
 * const log = createLogger({ write: (l) => lines.push(l), clock: new ManualClock(0), level: "info" });
 * log.info("listening", { http: 8086 });
 * console.assert(lines[0] === '{"ts":"1970-01-01T00:00:00.000Z","level":"info","event":"listening","http":8086}');
 * ```
 *
 * @module
 */
import type { Clock } from "../core/env/clock.ts";

/** Log levels, least severe first. */
export const logLevels = ["debug", "info", "warn", "error"] as const;

/** One log level. */
export type LogLevel = typeof logLevels[number];

/** Extra fields of a log event. Bigints become strings, errors become `{name, message}`. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Writes structured events. `event` is a short snake_case name, stable for tools to match. */
export interface Logger {
  /** Detail for debugging (e.g. one event per request). */
  debug(event: string, fields?: LogFields): void;
  /** Normal operation: starting, listening, stopped. */
  info(event: string, fields?: LogFields): void;
  /** Something unusual that did not stop the work. */
  warn(event: string, fields?: LogFields): void;
  /** A failure: startup failed, internal error. */
  error(event: string, fields?: LogFields): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Receives one JSON line, without the trailing newline. */
  readonly write: (line: string) => void;
  /** Source of the `ts` field. */
  readonly clock: Clock;
  /** Least severe level written. */
  readonly level: LogLevel;
}

const reserved = new Set(["ts", "level", "event"]);

/** A logger writing one JSON object per event. */
export function createLogger(options: LoggerOptions): Logger {
  const minRank = logLevels.indexOf(options.level);
  const emit = (level: LogLevel, event: string, fields: LogFields | undefined): void => {
    if (logLevels.indexOf(level) < minRank) return;
    const ts = new Date(Math.floor(options.clock.nowMicros() / 1000)).toISOString();
    const record: Record<string, unknown> = { ts, level, event };
    for (const [k, v] of Object.entries(fields ?? {})) {
      record[reserved.has(k) ? `field_${k}` : k] = v;
    }
    options.write(JSON.stringify(record, jsonSafe));
  };
  return {
    debug: (event, fields) => emit("debug", event, fields),
    info: (event, fields) => emit("info", event, fields),
    warn: (event, fields) => emit("warn", event, fields),
    error: (event, fields) => emit("error", event, fields),
  };
}

/** A logger that drops everything: the default where logging is optional. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    if (value.stack !== undefined) out.stack = value.stack;
    return out;
  }
  return value;
}
