/**
 * Logging of the proxy with LogTape. The library (`mod.ts`, `src/`) only
 * ever gets loggers under the `"llmux"` category and never configures
 * sinks, so it stays silent unless the server calls
 * {@linkcode configureLogging}. Request logs go to
 * `["llmux", "request"]`, one JSON line per request.
 *
 * @module
 */

import {
  configure,
  getJsonLinesFormatter,
  getLogger,
  getStreamSink,
  getTextFormatter,
  type Logger,
  type LogRecord,
  reset,
  type Sink,
  type TextFormatter,
} from "@logtape/logtape";
import type { RequestLogRecord } from "./request_log.ts";
import { setImmediate } from "node:timers";

/** The root category of every llmux logger. */
export const LOG_CATEGORY: readonly string[] = Object.freeze(["llmux"]);

/** The category of the request log. */
export const REQUEST_LOG_CATEGORY: readonly string[] = Object.freeze(["llmux", "request"]);

/** Where logs go: standard output or error, a byte stream, or a function taking each record. */
export type LogSinkOption =
  | "stdout"
  | "stderr"
  | WritableStream<Uint8Array>
  | ((record: LogRecord) => void);

/** Log levels, lowest first (LogTape's). */
export type LoggingLevel = "trace" | "debug" | "info" | "warning" | "error" | "fatal";

/** Options of {@linkcode configureLogging}. */
export interface LoggingOptions {
  /** Lowest level of the `"llmux"` loggers (default `"info"`); request logs ignore it. */
  level?: LoggingLevel | undefined;
  /** Where logs go (default `"stderr"`). A function gets the records unformatted. */
  sink?: LogSinkOption | undefined;
  /**
   * Format of the logs other than request logs (default `"json"`): JSON
   * lines or LogTape's text lines. Request logs are always JSON lines.
   */
  format?: "json" | "text" | undefined;
  /** Write request logs (default true). */
  requestLogs?: boolean | undefined;
  /** Applied to every formatted line before it is written (e.g. a request-log redactor). */
  redact?: ((line: string) => string) | undefined;
}

const requestJsonLines: TextFormatter = getJsonLinesFormatter({ properties: "flatten" });
const diagnosticJsonLines: TextFormatter = getJsonLinesFormatter();
const diagnosticText: TextFormatter = getTextFormatter();

function isRequestRecord(record: LogRecord): boolean {
  return record.category.length === REQUEST_LOG_CATEGORY.length &&
    record.category.every((part, i) => part === REQUEST_LOG_CATEGORY[i]);
}

/**
 * A sink for standard output or error: records are formatted and written in one `writeSync`
 * per event-loop turn (setImmediate), after the responses of that turn have been handed to
 * the HTTP server. `Deno.stdout.writable` costs ≈ 30–40 µs of the main thread per write
 * (one per record); `writeSync` of a batch costs ≈ 1 µs.
 */
function getFdSink(file: { writeSync(p: Uint8Array): number }, formatter: TextFormatter): Sink {
  const encoder = new TextEncoder();
  let records: LogRecord[] = [];
  const flush = () => {
    const batch = records;
    records = [];
    let text = "";
    for (const record of batch) {
      try {
        text += formatter(record);
      } catch {
        // a record that cannot be formatted is dropped, never thrown into a request
      }
    }
    const bytes = encoder.encode(text);
    try {
      for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
    } catch {
      // stdout gone (closed pipe): logging must never take the server down
    }
  };
  const sink = (record: LogRecord) => {
    if (records.push(record) === 1) setImmediate(flush);
  };
  return Object.assign(sink, { [Symbol.asyncDispose]: () => Promise.resolve(flush()) });
}

function streamOf(sink: "stdout" | "stderr" | WritableStream<Uint8Array>): WritableStream {
  if (sink === "stdout") return Deno.stdout.writable;
  if (sink === "stderr") return Deno.stderr.writable;
  return sink;
}

/**
 * Configure LogTape for the server: the `"llmux"` loggers (and LogTape's
 * own meta logger, at `"warning"`) write to one sink; request logs are
 * JSON lines with the record's fields at the top level. Replaces any
 * earlier configuration. Dispose the result (`await using`) to reset
 * LogTape and flush the sink; the sink's stream is left open.
 *
 * @example
 * ```ts
 * import { buildRequestLog } from "./request_log.ts";
 * import { configureLogging, logRequest } from "./logging.ts";
 * const records: unknown[] = [];
 * {
 *   await using _logging = await configureLogging({ sink: (record) => records.push(record.properties) });
 *   logRequest(buildRequestLog({ requestId: "req_1", route: "/v1/models", status: 200, latencyMs: 3 }));
 * }
 * console.assert(records.length === 1);
 * ```
 */
export async function configureLogging(options: LoggingOptions = {}): Promise<AsyncDisposable> {
  const sinkOption = options.sink ?? "stderr";
  const diagnostic = options.format === "text" ? diagnosticText : diagnosticJsonLines;
  const redact = options.redact;
  let sink: Sink;
  if (typeof sinkOption === "function") {
    sink = sinkOption;
  } else {
    const formatter: TextFormatter = (record) => {
      const line = isRequestRecord(record) ? requestJsonLines(record) : diagnostic(record);
      return redact === undefined ? line : redact(line);
    };
    sink = sinkOption === "stdout" || sinkOption === "stderr"
      ? getFdSink(sinkOption === "stdout" ? Deno.stdout : Deno.stderr, formatter)
      : getStreamSink(streamOf(sinkOption), { formatter, closeStream: false });
  }
  await configure({
    reset: true,
    sinks: { llmux: sink },
    loggers: [
      {
        category: ["logtape", "meta"],
        sinks: ["llmux"],
        parentSinks: "override",
        lowestLevel: "warning",
      },
      { category: [...LOG_CATEGORY], sinks: ["llmux"], lowestLevel: options.level ?? "info" },
      {
        category: [...REQUEST_LOG_CATEGORY],
        sinks: ["llmux"],
        parentSinks: "override",
        lowestLevel: options.requestLogs === false ? null : "info",
      },
    ],
  });
  return { [Symbol.asyncDispose]: reset };
}

/**
 * The request logger (`["llmux", "request"]`).
 *
 * @example
 * ```ts
 * import { getRequestLogger } from "./logging.ts";
 * console.assert(getRequestLogger().category.join(".") === "llmux.request");
 * ```
 */
export function getRequestLogger(): Logger {
  return getLogger([...REQUEST_LOG_CATEGORY]);
}

/**
 * A logger under `"llmux"` (e.g. `getLlmuxLogger("server")` for `["llmux", "server"]`).
 *
 * @example
 * ```ts
 * import { getLlmuxLogger } from "./logging.ts";
 * console.assert(getLlmuxLogger("server").category.join(".") === "llmux.server");
 * ```
 */
export function getLlmuxLogger(...subcategory: string[]): Logger {
  return getLogger([...LOG_CATEGORY, ...subcategory]);
}

/** Options of {@linkcode logRequest}. */
export interface LogRequestOptions {
  /** The logger to use (default {@linkcode getRequestLogger}). */
  logger?: Logger | undefined;
}

/** `POST /v1/chat/completions 200 gpt 421 ms`. */
function requestMessage(r: RequestLogRecord): string {
  return `${r.method ?? "-"} ${r.route} ${r.status} ${r.model_group ?? "-"} ${
    r.latency_ms ?? "-"
  } ms`;
}

/**
 * Log one request record: `info` below 400, `warning` for 4xx, `error` for
 * 5xx; the message is a one-line summary and the record's fields are the
 * properties (top-level keys of the JSON line).
 *
 * @example
 * ```ts
 * import { buildRequestLog } from "./request_log.ts";
 * import { logRequest } from "./logging.ts";
 * // Silent unless configureLogging() was called.
 * logRequest(buildRequestLog({ requestId: "req_1", route: "/v1/models", status: 200, latencyMs: 3 }));
 * ```
 */
export function logRequest(record: RequestLogRecord, options: LogRequestOptions = {}): void {
  const logger = options.logger ?? getRequestLogger();
  const level = record.status >= 500 ? "error" : record.status >= 400 ? "warning" : "info";
  if (!logger.isEnabledFor(level)) return;
  // A finished record, not a message template: nothing for LogTape to parse.
  const message = requestMessage(record);
  logger.emit({
    level,
    timestamp: Date.now(),
    message: [message],
    rawMessage: message,
    properties: { ...record },
  });
}
