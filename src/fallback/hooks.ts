/**
 * Hooks for the proxy: a pre-call check that may redirect or reject a
 * request, and per-attempt callbacks with deployment, group, latency, time
 * to first token and usage. A callback that throws (or rejects) never
 * breaks the request.
 *
 * @module
 */

import type { EmbeddingResponse, Usage } from "../types.ts";
import type { CompletionParams, EmbeddingParams } from "../params.ts";
import type { Deployment } from "./deployment.ts";

/** What the pre-call check sees. */
export interface PreCallContext {
  /** `"completion"` or `"embedding"`. */
  readonly kind: "completion" | "embedding";
  /** The group the request is about to use (after `model_group_alias`). */
  readonly modelGroup: string;
  /** The `model` the caller passed. */
  readonly requestedModel: string;
  /** The caller's parameters (do not mutate). */
  readonly params: Readonly<CompletionParams> | Readonly<EmbeddingParams>;
}

/**
 * Runs once per request before any routing. Return another model group
 * name to redirect the request there (e.g. a cheaper group when a budget is
 * spent), nothing to go ahead, or throw to reject the request (the error
 * reaches the caller as is; no retry, no fallback).
 */
export type PreCallCheck = (
  context: PreCallContext,
) => string | undefined | void | Promise<string | undefined | void>;

/** One upstream call, as the callbacks see it. */
export interface RouterCallEvent {
  /** `"completion"` or `"embedding"`. */
  readonly kind: "completion" | "embedding";
  /** The deployment called. */
  readonly deployment: Deployment;
  /** Its model group. */
  readonly modelGroup: string;
  /** The `model` the caller passed. */
  readonly requestedModel: string;
  /** 1 for the request's first upstream call, 2 for the next, … (across fallbacks). */
  readonly attempt: number;
  /** Whether the call streams. */
  readonly stream: boolean;
  /** When the call started (ms since the epoch, injected clock). */
  readonly startTime: number;
  /** Milliseconds from start to the end of the call (or of the stream). */
  readonly latencyMs: number;
  /** Milliseconds to the first content, for streams that got that far. */
  readonly ttftMs?: number;
  /** Token usage, when known (an embeddings call has no completion tokens). */
  readonly usage?: Usage | EmbeddingResponse["usage"] | undefined;
  /** `"success"`, `"failure"`, or `"cancelled"` (the caller stopped a stream). */
  readonly outcome: "success" | "failure" | "cancelled";
  /** The error, on failure (or the cancel reason). */
  readonly error?: unknown;
}

/** Per-call callbacks. Either may be async; neither can fail the request. */
export interface RouterCallback {
  /** After a call succeeded (for streams: when the stream ended cleanly). */
  onSuccess?(event: RouterCallEvent): void | Promise<void>;
  /** After a call failed (for streams: also mid-stream errors and cancels). */
  onFailure?(event: RouterCallEvent): void | Promise<void>;
}

/** Call every callback's hook, swallowing whatever they throw or reject with. */
export function notifyCallbacks(
  callbacks: readonly RouterCallback[],
  event: RouterCallEvent,
): void {
  const success = event.outcome === "success";
  for (const cb of callbacks) {
    try {
      const result = success ? cb.onSuccess?.(event) : cb.onFailure?.(event);
      if (result instanceof Promise) result.catch(() => {});
    } catch {
      // A callback must never break the request.
    }
  }
}
