/**
 * A fault-injecting fake upstream speaking the OpenAI protocol
 * (`POST …/chat/completions`, JSON or SSE; `Authorization: Bearer`), on
 * 127.0.0.1. Each route (the first path segment, or the bearer key) follows
 * its own schedule of steps, one per request: answer, 429 with
 * `retry-after`, 500, 529 with Anthropic's body, hang before the headers,
 * stall after the first (role-only) chunk, reset the connection, or fail in
 * the middle of a stream. Once a schedule runs out the route answers with
 * `then` (default `"ok"`). {@linkcode createFaultyFetch} is the same
 * schedule behind an injected `fetch`, with no sockets, for fast tests.
 *
 * Give every deployment its own route (`api_base: server.base("a")`) and
 * `hits()` tells which deployment got each attempt, in order.
 *
 * @module
 */

import { type FakeServer, jsonResponse, startFakeServer, streamBody } from "./_server.ts";

/** One scripted answer. */
export type FaultStep =
  | "ok"
  | "429"
  | "500"
  | "503"
  | "529"
  | "401"
  | "400"
  | "hang"
  | "reset"
  | "midstream"
  | "stall"
  | { ok: string }
  | { status: number; retryAfter?: string; retryAfterMs?: string; body?: unknown }
  | { midstream: string };

/** Options of {@linkcode startFaultyServer}. */
export interface FaultyServerOptions {
  /** Steps per route (first path segment or bearer key). */
  schedules?: Record<string, readonly FaultStep[]>;
  /** What a route answers once its schedule is used up (default `"ok"`). */
  then?: FaultStep;
  /** `retry-after` seconds sent with the `"429"` shorthand (default `"1"`). */
  retryAfter?: string;
}

/** A running faulty server. */
export interface FaultyServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The `api_base` for a route: `<url>/<route>/v1`. */
  base(route: string): string;
  /** The route of every request received, in order. */
  hits(): string[];
  /** The underlying fake server (raw recorded requests). */
  server: FakeServer;
  /** Stop the server, releasing hanging requests. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

function completionBody(route: string, content: string, model: string) {
  return {
    id: `chatcmpl-${route}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{
      index: 0,
      message: { role: "assistant", content },
      logprobs: null,
      finish_reason: "stop",
    }],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
  };
}

function chunk(route: string, model: string, delta: object, finish: string | null = null) {
  return `data: ${
    JSON.stringify({
      id: `chatcmpl-${route}`,
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    })
  }\n\n`;
}

function sseHeaders(): HeadersInit {
  return { "content-type": "text/event-stream", "cache-control": "no-cache" };
}

/** A body that errors at once: the client sees the connection drop after the headers. */
function resetBody(): ReadableStream<Uint8Array> {
  return streamBody([], { cutAfter: 0 });
}

/** A scripted schedule shared by the server and the in-memory fetch. */
class Schedule {
  #cursors = new Map<string, number>();
  #routes: string[] = [];
  #options: FaultyServerOptions;

  constructor(options: FaultyServerOptions) {
    this.#options = options;
  }

  /** The route of a request: its first path segment, or its bearer key. */
  route(path: string, authorization: string | undefined): string {
    const schedules = this.#options.schedules ?? {};
    const segment = path.split("/").filter(Boolean)[0] ?? "";
    if (segment in schedules) return segment;
    const key = (authorization ?? "").replace(/^Bearer\s+/i, "");
    if (key in schedules) return key;
    return segment;
  }

  /** Record a hit on `route` and return its next step. */
  next(route: string): FaultStep {
    this.#routes.push(route);
    const list = this.#options.schedules?.[route] ?? [];
    const i = this.#cursors.get(route) ?? 0;
    this.#cursors.set(route, i + 1);
    return i < list.length ? list[i] : this.#options.then ?? "ok";
  }

  hits(): string[] {
    return [...this.#routes];
  }
}

/** Build the response for a step (`"hang"` is handled by the caller). */
function respond(
  step: FaultStep,
  route: string,
  body: { stream?: boolean; model?: string },
  options: FaultyServerOptions,
  release: AbortSignal,
): Response {
  const model = body.model ?? "fake-model";
  const stream = body.stream === true;
  if (step === "stall") {
    const first = encoder.encode(
      stream ? chunk(route, model, { role: "assistant", content: "" }) : "{",
    );
    let sent = false;
    const cancelled = new AbortController();
    return new Response(
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (!sent) {
            sent = true;
            controller.enqueue(first);
            return;
          }
          await waitForAbort(AbortSignal.any([release, cancelled.signal]));
          if (!cancelled.signal.aborted) controller.close();
        },
        cancel() {
          cancelled.abort();
        },
      }, { highWaterMark: 0 }),
      {
        status: 200,
        headers: stream ? sseHeaders() : { "content-type": "application/json" },
      },
    );
  }
  if (step === "reset") {
    return new Response(resetBody(), {
      status: 200,
      headers: stream ? sseHeaders() : { "content-type": "application/json" },
    });
  }
  if (step === "429") {
    return jsonResponse(429, {
      error: { message: "Rate limit reached", type: "rate_limit_error", code: "rate_limit" },
    }, { "retry-after": options.retryAfter ?? "1" });
  }
  if (step === "500" || step === "503" || step === "401" || step === "400") {
    return jsonResponse(Number(step), {
      error: { message: `fake ${step} from ${route}`, type: "server_error", code: null },
    });
  }
  if (step === "529") {
    return jsonResponse(529, {
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
  }
  if (typeof step === "object" && "status" in step) {
    const headers: Record<string, string> = {};
    if (step.retryAfter !== undefined) headers["retry-after"] = step.retryAfter;
    if (step.retryAfterMs !== undefined) headers["retry-after-ms"] = step.retryAfterMs;
    return jsonResponse(
      step.status,
      step.body ?? { error: { message: `fake ${step.status} from ${route}` } },
      headers,
    );
  }
  const midstream = step === "midstream"
    ? `partial from ${route}`
    : typeof step === "object" && "midstream" in step
    ? step.midstream
    : undefined;
  const content = typeof step === "object" && "ok" in step ? step.ok : `reply from ${route}`;
  if (!stream) {
    if (midstream !== undefined) {
      const text = JSON.stringify(completionBody(route, midstream, model));
      return new Response(streamBody([text.slice(0, 40)], { cutAfter: 1 }), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    }
    return jsonResponse(200, completionBody(route, content, model));
  }
  const pieces = [chunk(route, model, { role: "assistant", content: "" })];
  if (midstream !== undefined) {
    pieces.push(chunk(route, model, { content: midstream }));
    return new Response(streamBody(pieces.map((p) => encoder.encode(p)), { cutAfter: 2 }), {
      status: 200,
      headers: sseHeaders(),
    });
  }
  for (const word of content.match(/\S+\s*/g) ?? []) {
    pieces.push(chunk(route, model, { content: word }));
  }
  pieces.push(chunk(route, model, {}, "stop"), "data: [DONE]\n\n");
  return new Response(streamBody(pieces), { status: 200, headers: sseHeaders() });
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
}

/**
 * Start the server.
 *
 * @example
 * ```ts ignore
 * await using upstream = startFaultyServer({ schedules: { a: ["500", "ok"] } });
 * // deployment a: { model: "openai/gpt-4o", api_key: "k", api_base: upstream.base("a") }
 * ```
 */
export function startFaultyServer(options: FaultyServerOptions = {}): FaultyServer {
  const schedule = new Schedule(options);
  const release = new AbortController();
  const server = startFakeServer(async (req) => {
    const route = schedule.route(req.path, req.headers.authorization);
    const step = schedule.next(route);
    if (step === "hang") {
      await waitForAbort(release.signal);
      return jsonResponse(503, { error: { message: "released" } });
    }
    const body = typeof req.body === "object" && req.body !== null ? req.body : {};
    return respond(step, route, body, options, release.signal);
  });
  const close = async () => {
    release.abort();
    await server.close();
  };
  return {
    url: server.url,
    base: (route) => `${server.url}/${route}/v1`,
    hits: () => schedule.hits(),
    server,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The in-memory twin of {@linkcode startFaultyServer}: an injectable `fetch`, no sockets. */
export interface FaultyFetch {
  /** Pass as the Router's `fetch`. */
  fetch: typeof fetch;
  /** The `api_base` for a route: `http://fake.test/<route>/v1`. */
  base(route: string): string;
  /** The route of every request received, in order. */
  hits(): string[];
  /** The parsed JSON bodies received, in order. */
  bodies(): unknown[];
}

/**
 * Create the in-memory fetch. `"hang"` waits until the request is aborted
 * (by its timeout or the caller) and rejects with the abort reason.
 */
export function createFaultyFetch(options: FaultyServerOptions = {}): FaultyFetch {
  const schedule = new Schedule(options);
  const bodies: unknown[] = [];
  const never = new AbortController().signal;
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    const text = typeof init?.body === "string" ? init.body : "";
    const body = text === "" ? {} : JSON.parse(text);
    bodies.push(body);
    const route = schedule.route(url.pathname, headers.get("authorization") ?? undefined);
    const step = schedule.next(route);
    if (step === "hang") {
      const signal = init?.signal;
      if (!signal) throw new Error("hang step without a signal would never end");
      await waitForAbort(signal);
      throw signal.reason;
    }
    return respond(step, route, body, options, init?.signal ?? never);
  };
  return {
    fetch: fetchImpl as typeof fetch,
    base: (route) => `http://fake.test/${route}/v1`,
    hits: () => schedule.hits(),
    bodies: () => [...bodies],
  };
}
