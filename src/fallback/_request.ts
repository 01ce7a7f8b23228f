/**
 * Per-request state of the Router: the caller's parameters (minus what the
 * Router handles itself), the deadline, and the log of attempts and
 * fallbacks that becomes the result's route info.
 *
 * @module
 */

import type { CompletionParams } from "../params.ts";
import { tokenCounter } from "../token_counter.ts";
import type { AttemptRecord } from "./route_info.ts";

/** Which endpoint a request is for. */
export type RequestKind = "completion" | "embedding";

/** One request's state, created per call and never shared. */
export interface RequestState {
  /** The endpoint. */
  readonly kind: RequestKind;
  /** The `model` the caller passed. */
  readonly requestedModel: string;
  /** The caller's parameters without the ones the Router handles. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Whether the caller asked for a stream. */
  readonly stream: boolean;
  /** The caller's abort signal. */
  readonly signal: AbortSignal | undefined;
  /** When the caller's `timeout` runs out (ms since the epoch). */
  readonly deadline: number | undefined;
  /** Retries per group for retryable errors. */
  readonly numRetries: number;
  /** The caller's `stream_timeout` in seconds. */
  readonly streamTimeout: number | undefined;
  /** Upstream calls made so far. */
  readonly attempts: AttemptRecord[];
  /** Fallback groups entered so far. */
  readonly fallbacks: string[];
  /** Groups entered so far (the original one included). */
  readonly visited: Set<string>;
  /** The prompt's token count, once asked for. */
  inputTokens: Promise<number> | undefined;
}

/** Caller keys the Router handles itself rather than passing on. */
const REQUEST_ONLY_KEYS: ReadonlySet<string> = new Set([
  "model",
  "num_retries",
  "max_retries",
  "timeout",
  "stream_timeout",
  "signal",
]);

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Start a request's state from the caller's parameters. */
export function createRequestState(
  kind: RequestKind,
  params: Readonly<Record<string, unknown>> & { model: string },
  options: { now: number; numRetries: number },
): RequestState {
  const rest: Record<string, unknown> = {};
  for (const key in params) {
    if (!REQUEST_ONLY_KEYS.has(key) && params[key] !== undefined) rest[key] = params[key];
  }
  const timeout = positive(params.timeout);
  const retries = params.num_retries;
  return {
    kind,
    requestedModel: params.model,
    params: rest,
    stream: kind === "completion" && params.stream === true,
    signal: params.signal instanceof AbortSignal ? params.signal : undefined,
    deadline: timeout === undefined ? undefined : options.now + timeout * 1000,
    numRetries: typeof retries === "number" && retries >= 0
      ? Math.floor(retries)
      : options.numRetries,
    streamTimeout: positive(params.stream_timeout),
    attempts: [],
    fallbacks: [],
    visited: new Set(),
    inputTokens: undefined,
  };
}

/** The prompt's tokens (messages and tools, or embedding input), counted once per request. */
export function countInputTokens(state: RequestState): Promise<number> {
  if (state.inputTokens === undefined) {
    const p = state.params;
    if (state.kind === "completion") {
      state.inputTokens = tokenCounter({
        messages: (p.messages ?? []) as CompletionParams["messages"],
        ...(Array.isArray(p.tools) ? { tools: p.tools as CompletionParams["tools"] } : {}),
      });
    } else {
      const input = p.input;
      const text = typeof input === "string"
        ? input
        : Array.isArray(input) && input.every((x) => typeof x === "string")
        ? input.join("\n")
        : "";
      state.inputTokens = text === "" ? Promise.resolve(0) : tokenCounter({ text });
    }
  }
  return state.inputTokens;
}
