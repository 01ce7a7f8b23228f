/**
 * The proxy as a Hono app: LiteLLM's proxy endpoints (OpenAI-compatible and
 * Anthropic's `/v1/messages`) over a {@linkcode Router}. No env, no
 * `Deno.serve` here: `server.ts` wires those; tests call `app.request()` or
 * serve it on a port.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context } from "hono";
import type { Router } from "../fallback/router.ts";
import { attachRouteInfo, type RouteInfo, routeInfo } from "../fallback/route_info.ts";
import { CompletionStream } from "../stream.ts";
import { responseHeaders } from "../response_headers.ts";
import { encodeSseData, SSE_DONE } from "../_sse.ts";
import { randomIds } from "../_ids.ts";
import { BadRequestError, NotFoundError, PermissionDeniedError } from "../errors.ts";
import type { ChatCompletion, ChatCompletionChunk, EmbeddingResponse, Usage } from "../types.ts";
import type { CompletionParams } from "../params.ts";
import { type BodyLimits, DEFAULT_BODY_LIMITS, readJsonBody } from "./body.ts";
import {
  type Authenticator,
  extractToken,
  masterKeyAuthenticator,
  type Principal,
} from "./auth.ts";
import { errorResponse, toErrorResponse } from "./errors.ts";
import {
  createChatSseBody,
  createSseBody,
  type SseBodyOptions,
  type StreamOutcome,
} from "./sse.ts";
import { TAKE_BATCHES } from "../_batches.ts";
import {
  fromChatChunk,
  fromChatCompletions,
  promptsOf,
  toChatRequest,
} from "./text_completions.ts";
import { createMessagesRoutes, toAnthropicError } from "./messages/mod.ts";
import { createCostCalculator } from "../cost/mod.ts";
import { createHealthMonitor, type HealthMonitor } from "./health.ts";

function isMessagesPath(path: string): boolean {
  return path.startsWith("/v1/messages") || path.startsWith("/messages");
}

/** Body fields a client may not set unless the config allows client-side credentials. */
const CLIENT_CREDENTIAL_FIELDS = [
  "api_key",
  "api_base",
  "base_url",
  "api_version",
  "extra_headers",
  "custom_llm_provider",
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_region_name",
  "vertex_credentials",
  "vertex_project",
  "vertex_location",
  "azure_ad_token",
  "organization",
];

/** What happened to one request, for logs, metrics and spend. */
export interface RequestSummary {
  /** The request id (`x-request-id`). */
  requestId: string;
  /** HTTP method. */
  method: string;
  /** Route path template, e.g. `/v1/chat/completions`. */
  route: string;
  /** HTTP status sent. */
  status: number;
  /** Model group asked for. */
  requestedModel: string | undefined;
  /** How the router produced it, when it did. */
  route_info: RouteInfo | undefined;
  /** Whether it streamed. */
  stream: boolean;
  /** Stream end state. */
  outcome: StreamOutcome;
  /** Token usage, when known. */
  usage: Usage | EmbeddingResponse["usage"] | undefined;
  /** Cost in USD, when known. */
  costUsd: number;
  /** Total latency in ms. */
  latencyMs: number;
  /** Time to first byte of content for streams, in ms. */
  ttftMs: number | undefined;
  /** The error, on failure. */
  error: unknown;
  /** Who made the request. */
  principal: Principal | undefined;
  /** The request body (only for logging when prompts are logged). */
  body: Record<string, unknown> | undefined;
}

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  /** The router every model route goes through. */
  router: Router;
  /** Master key; absent → no auth (the server warns). Ignored when `authenticate` is given. */
  masterKey?: string | undefined;
  /** Custom authentication (virtual keys); defaults to the master-key check. */
  authenticate?: Authenticator;
  /**
   * Runs around each authenticated request: `next` runs the route; the
   * headers returned are added to its response (virtual-key enforcement:
   * per-request state, `x-ratelimit-*`, `x-llmux-budget-fallback`).
   */
  aroundRequest?: (
    principal: Principal,
    request: Request,
    next: () => Promise<void>,
  ) => Promise<Record<string, string> | undefined>;
  /** More routes behind authentication, mounted at `/` (the admin API). */
  routes?: Hono<{ Variables: { principal: Principal } }>;
  /** Body limits (default 10 MiB, depth 64). */
  bodyLimits?: BodyLimits;
  /** Let clients pass `api_key` / `api_base` / … in bodies (default false: they are dropped). */
  allowClientSideCredentials?: boolean;
  /** SSE keep-alive comment interval in ms (default 15000; 0 disables). */
  keepAliveMs?: number;
  /** Cost in USD of a result (default: `model_info` per-token prices, else 0). */
  cost?: (
    info: RouteInfo | undefined,
    usage: Usage | EmbeddingResponse["usage"] | undefined,
  ) => number;
  /** Called when a model request starts; the returned function runs when it is over. */
  onRequestStart?: (route: string, modelGroup: string | undefined) => () => void;
  /** Called once per model request when it is over (streams: when the stream ends). */
  onRequestEnd?: (summary: RequestSummary) => void;
  /** Prometheus exposition for `GET /metrics`. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Models the config left out (missing keys), for `/health`. */
  unavailable?: readonly { model_name: string; model: string; reason: string }[];
  /** What `/health` answers (default: a check of every deployment on each call). */
  health?: HealthMonitor;
  /** Whether a graceful shutdown has begun (the probes then answer 503). */
  shuttingDown?: () => boolean;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
  /** Version reported by health routes. */
  version?: string;
}

type Vars = { Variables: { requestId: string; principal: Principal } };

function requestIdOf(headers: Headers, newId: () => string): string {
  const given = headers.get("x-request-id");
  return given && given.length <= 200 ? given : `req_${newId()}`;
}

function routeHeaders(
  result: unknown,
  cost: number,
  info: RouteInfo | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (info) {
    headers["x-llmux-model-id"] = info.modelId;
    headers["x-llmux-model-group"] = info.modelGroup;
    headers["x-llmux-attempts"] = String(info.attempts);
    headers["x-llmux-fallbacks"] = String(info.fallbacks.length);
    if (info.fallbacks.length > 0) headers["x-llmux-fallback-groups"] = info.fallbacks.join(",");
    // LiteLLM's names for the same facts, for clients and dashboards built on them.
    headers["x-litellm-model-id"] = info.modelId;
    headers["x-litellm-model-group"] = info.modelGroup;
    headers["x-litellm-attempted-fallbacks"] = String(info.fallbacks.length);
    headers["x-litellm-attempted-retries"] = String(
      Math.max(0, info.attempts - 1 - info.fallbacks.length),
    );
  }
  headers["x-llmux-response-cost"] = String(cost);
  headers["x-litellm-response-cost"] = String(cost);
  const upstream = responseHeaders(result);
  if (upstream) {
    for (const [k, v] of Object.entries(upstream)) {
      if (k.includes("ratelimit") || k === "retry-after") headers[k] = v;
    }
  }
  return headers;
}

/** The default cost function: `@pydantic/genai-prices` data, `model_info` prices override. */
function priceTable(router: Router): NonNullable<AppOptions["cost"]> {
  const modelInfo = new Map(router.deployments.map((d) => [d.id, d.modelInfo]));
  const calculator = createCostCalculator();
  return (info, usage) => {
    if (!info || !usage) return 0;
    return calculator.cost({
      model: info.model,
      provider: info.provider,
      usage,
      modelInfo: modelInfo.get(info.modelId),
    }).costUsd;
  };
}

/**
 * Create the proxy app.
 *
 * @example
 * ```ts
 * import { createApp } from "./app.ts";
 * import { Router } from "../fallback/router.ts";
 * const router = new Router({
 *   model_list: [{ model_name: "demo", litellm_params: { model: "openai/demo", mock_response: "hi" } }],
 * });
 * const app = createApp({ router });
 * const res = await app.request("/v1/chat/completions", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ model: "demo", messages: [{ role: "user", content: "hello" }] }),
 * });
 * console.assert((await res.json()).choices[0].message.content === "hi");
 * ```
 */
export function createApp(options: AppOptions): Hono<Vars> {
  const { router } = options;
  const now = options.now ?? Date.now;
  const limits = options.bodyLimits ?? DEFAULT_BODY_LIMITS;
  const authenticate = options.authenticate ?? masterKeyAuthenticator(options.masterKey);
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const costOf = options.cost ?? priceTable(router);
  const startedAt = Math.floor(now() / 1000);
  const version = options.version ?? "0.0.0";
  const app = new Hono<Vars>();
  const newRequestId = randomIds();

  app.onError((error, c) => {
    const requestId = c.get("requestId") ?? "";
    if (isMessagesPath(c.req.path)) {
      // Anthropic clients parse Anthropic-shaped errors, auth failures included.
      const { status, body, headers } = toAnthropicError(error);
      return new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json", "x-request-id": requestId, ...headers },
      });
    }
    return errorResponse(error, { "x-request-id": requestId });
  });
  app.notFound((c) =>
    errorResponse(new NotFoundError(`No route for ${c.req.method} ${c.req.path}`), {
      "x-request-id": c.get("requestId") ?? "",
    })
  );

  // Request id on every response.
  app.use("*", async (c, next) => {
    const id = requestIdOf(c.req.raw.headers, newRequestId);
    c.set("requestId", id);
    await next();
    c.res.headers.set("x-request-id", id);
    c.res.headers.set("x-litellm-call-id", id);
  });

  // Public routes.
  // During a graceful shutdown both probes answer 503 (LiteLLM's), so orchestrators stop routing.
  const shuttingDown = options.shuttingDown ?? (() => false);
  const SHUTTING_DOWN = { status: "shutting_down" };
  const alive = (c: Context) => shuttingDown() ? c.json(SHUTTING_DOWN, 503) : c.json("I'm alive!");
  app.get("/health/liveliness", alive);
  app.get("/health/liveness", alive);
  app.get("/health/readiness", (c) =>
    shuttingDown() ? c.json(SHUTTING_DOWN, 503) : c.json({
      status: "healthy",
      db: "embedded",
      cache: null,
      llmux_version: version,
      models: router.modelGroups.length,
    }));

  // Everything else needs auth.
  app.use("*", async (c, next) => {
    const principal = await authenticate(extractToken(c.req.raw.headers), c.req.raw);
    c.set("principal", principal);
    if (options.aroundRequest === undefined) return await next();
    const headers = await options.aroundRequest(principal, c.req.raw, next);
    for (const [name, value] of Object.entries(headers ?? {})) c.res.headers.set(name, value);
  });

  app.get("/metrics", async (c) => {
    if (!options.metrics) throw new NotFoundError("Metrics are not enabled");
    const { contentType, body } = await options.metrics();
    return c.body(body, 200, { "content-type": contentType });
  });

  // LiteLLM's /health: a real call to each deployment (or the last background round).
  const health = options.health ??
    createHealthMonitor(router, { unavailable: options.unavailable });
  app.get("/health", async (c) => {
    if (!c.get("principal").admin) throw adminOnly();
    const model = c.req.query("model");
    const report = await health.report(model === undefined || model === "" ? undefined : model);
    // Deployments cooling down now say so, whatever their check found.
    const cooling = new Map((await router.getCooldowns()).map((e) => [e.id, e]));
    for (const entry of [...report.healthy_endpoints, ...report.unhealthy_endpoints]) {
      const cool = typeof entry.model_id === "string" ? cooling.get(entry.model_id) : undefined;
      if (cool) entry.cooldown = cool;
    }
    return c.json(report);
  });

  const listModels = (c: Context) =>
    c.json({
      object: "list",
      data: router.modelGroups.map((id) => ({
        id,
        object: "model",
        created: startedAt,
        owned_by: "llmux",
      })),
    });
  const getModel = (c: Context) => {
    const id = decodeURIComponent(c.req.param("id") ?? "");
    if (!router.modelGroups.includes(id)) {
      throw new NotFoundError(`The model '${id}' does not exist`, {
        code: "model_not_found",
        param: "model",
      });
    }
    return c.json({ id, object: "model", created: startedAt, owned_by: "llmux" });
  };
  for (const prefix of ["/v1", ""]) {
    app.get(`${prefix}/models`, listModels);
    app.get(`${prefix}/models/:id{.+}`, getModel);
  }

  /** Start tracking a model request; the returned function reports it once, when it is over. */
  function track(
    c: Context<Vars>,
    route: string,
    started: number,
    body: Record<string, unknown> | undefined,
  ) {
    const requestedModel = typeof body?.model === "string" ? body.model : undefined;
    let done: (() => void) | undefined;
    try {
      done = options.onRequestStart?.(route, requestedModel);
    } catch {
      // reporting must never break a request
    }
    let reported = false;
    return (
      parts: Partial<RequestSummary> & Pick<RequestSummary, "status" | "outcome">,
    ): void => {
      if (reported) return;
      reported = true;
      try {
        done?.();
        options.onRequestEnd?.({
          requestId: c.get("requestId"),
          method: c.req.method,
          route,
          requestedModel,
          route_info: undefined,
          stream: false,
          usage: undefined,
          costUsd: 0,
          latencyMs: now() - started,
          ttftMs: undefined,
          error: undefined,
          principal: c.get("principal"),
          body,
          ...parts,
        });
      } catch {
        // reporting must never break a request
      }
    };
  }

  function cleanBody(body: Record<string, unknown>): Record<string, unknown> {
    if (options.allowClientSideCredentials) return body;
    for (const key of CLIENT_CREDENTIAL_FIELDS) delete body[key];
    delete body.fetch;
    delete body.signal;
    return body;
  }

  function streamResponse(
    stream: CompletionStream,
    makeBody: (options: SseBodyOptions) => ReadableStream<Uint8Array>,
    report: ReturnType<typeof track>,
    started: number,
  ): Response {
    const info = routeInfo(stream);
    const headers = routeHeaders(stream, 0, info);
    const body = makeBody({
      keepAliveMs,
      onEnd: (outcome, error) => {
        const usage = stream.usage;
        report({
          status: 200,
          outcome,
          stream: true,
          route_info: info,
          usage,
          costUsd: costOf(info, usage),
          ttftMs: info?.ttftMs,
          latencyMs: now() - started,
          error,
        });
      },
    });
    return new Response(body, {
      status: 200,
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "x-accel-buffering": "no",
        ...headers,
      },
    });
  }

  // Chat completions.
  const chat = async (c: Context<Vars>) => {
    const started = now();
    let body: Record<string, unknown> | undefined;
    let report: ReturnType<typeof track> | undefined;
    try {
      body = cleanBody(await readJsonBody(c.req.raw, limits));
      report = track(c, "/v1/chat/completions", started, body);
      const params = { ...body, signal: c.req.raw.signal } as unknown as CompletionParams;
      const result = await router.completion(params);
      if (result instanceof CompletionStream) {
        const batches = result[TAKE_BATCHES]();
        return streamResponse(result, (o) => createChatSseBody(batches, o), report, started);
      }
      const info = routeInfo(result);
      const cost = costOf(info, result.usage);
      report({
        status: 200,
        outcome: "success",
        route_info: info,
        usage: result.usage,
        costUsd: cost,
      });
      const headers = routeHeaders(result, cost, info);
      headers["content-type"] = "application/json";
      return new Response(JSON.stringify(result as ChatCompletion), { status: 200, headers });
    } catch (error) {
      const { status } = toErrorResponse(error);
      (report ?? track(c, "/v1/chat/completions", started, body))({
        status,
        outcome: "failure",
        error,
      });
      throw error;
    }
  };

  // Legacy text completions.
  const text = async (c: Context<Vars>) => {
    const started = now();
    let body: Record<string, unknown> | undefined;
    let report: ReturnType<typeof track> | undefined;
    try {
      body = cleanBody(await readJsonBody(c.req.raw, limits));
      report = track(c, "/v1/completions", started, body);
      const prompts = promptsOf(body);
      const echo = body.echo === true ? prompts : null;
      if (body.stream === true) {
        if (prompts.length !== 1) {
          throw new BadRequestError("Streaming supports one prompt per request", {
            param: "prompt",
          });
        }
        const params = {
          ...toChatRequest(body, prompts[0]),
          signal: c.req.raw.signal,
        } as CompletionParams & { stream: true };
        const stream = await router.completion(params);
        const bytes = textCompletionSse(stream);
        return streamResponse(stream, (o) => createSseBody(bytes, o), report, started);
      }
      const results = await Promise.all(
        prompts.map((p) =>
          router.completion(
            { ...toChatRequest(body!, p), signal: c.req.raw.signal } as
              & CompletionParams
              & { stream?: false },
          )
        ),
      );
      const out = fromChatCompletions(results, echo);
      const info = routeInfo(results[0]);
      const cost = results.reduce((sum, r) => sum + costOf(routeInfo(r), r.usage), 0);
      report({
        status: 200,
        outcome: "success",
        route_info: info,
        usage: out.usage ?? undefined,
        costUsd: cost,
      });
      return c.json(out, 200, routeHeaders(results[0], cost, info));
    } catch (error) {
      const { status } = toErrorResponse(error);
      (report ?? track(c, "/v1/completions", started, body))({ status, outcome: "failure", error });
      throw error;
    }
  };

  // Embeddings.
  const embed = async (c: Context<Vars>) => {
    const started = now();
    let body: Record<string, unknown> | undefined;
    let report: ReturnType<typeof track> | undefined;
    try {
      body = cleanBody(await readJsonBody(c.req.raw, limits));
      report = track(c, "/v1/embeddings", started, body);
      const result = await router.embedding(
        {
          ...body,
          signal: c.req.raw.signal,
        } as unknown as Parameters<Router["embedding"]>[0],
      );
      const info = routeInfo(result);
      const cost = costOf(info, result.usage);
      report({
        status: 200,
        outcome: "success",
        route_info: info,
        usage: result.usage,
        costUsd: cost,
      });
      return c.json(result, 200, routeHeaders(result, cost, info));
    } catch (error) {
      const { status } = toErrorResponse(error);
      (report ?? track(c, "/v1/embeddings", started, body))({ status, outcome: "failure", error });
      throw error;
    }
  };

  for (const prefix of ["/v1", ""]) {
    app.post(`${prefix}/chat/completions`, chat);
    app.post(`${prefix}/completions`, text);
    app.post(`${prefix}/embeddings`, embed);
    // Azure-style deployment paths, as LiteLLM serves them.
    app.post(`${prefix}/openai/deployments/:deployment/chat/completions`, chat);
    app.post(`${prefix}/engines/:deployment/chat/completions`, chat);
  }

  // Anthropic's Messages API inbound: any configured model, Anthropic shapes out.
  app.route(
    "/",
    createMessagesRoutes<Vars>({
      complete: async (params, c) => {
        const started = now();
        const body = params as unknown as Record<string, unknown>;
        const report = track(c, "/v1/messages", started, body);
        try {
          const result = await router.completion(
            { ...cleanBody(body), signal: c.req.raw.signal } as unknown as CompletionParams,
          );
          const info = routeInfo(result);
          const cost = result instanceof CompletionStream ? 0 : costOf(info, result.usage);
          for (const [name, value] of Object.entries(routeHeaders(result, cost, info))) {
            c.header(name, value);
          }
          if (result instanceof CompletionStream) {
            // Report (spend, tokens, parallel slot) when the stream ends, not when it starts.
            return trackStream(result, (outcome, error) => {
              const usage = result.usage;
              report({
                status: 200,
                outcome,
                stream: true,
                route_info: info,
                usage,
                costUsd: costOf(info, usage),
                ttftMs: info?.ttftMs,
                latencyMs: now() - started,
                error,
              });
            });
          }
          report({
            status: 200,
            outcome: "success",
            route_info: info,
            usage: result.usage,
            costUsd: cost,
          });
          return result;
        } catch (error) {
          report({ status: toAnthropicError(error).status, outcome: "failure", error });
          throw error;
        }
      },
    }),
  );

  if (options.routes) app.route("/", options.routes);

  return app;
}

function adminOnly() {
  return new PermissionDeniedError("This route is for the master key (admin) only", {
    code: "admin_only",
  });
}

/** The same stream, calling `onEnd` once when it ends, fails or is cancelled. */
function trackStream(
  stream: CompletionStream,
  onEnd: (outcome: StreamOutcome, error?: unknown) => void,
): CompletionStream {
  const reader = stream.toReadableStream().getReader();
  let ended = false;
  const end = (outcome: StreamOutcome, error?: unknown) => {
    if (!ended) {
      ended = true;
      onEnd(outcome, error);
    }
  };
  const chunks = new ReadableStream<ChatCompletionChunk>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          end("success");
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        end("failure", error);
        controller.error(error);
      }
    },
    cancel(reason) {
      end("cancelled", reason);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  const out = new CompletionStream(chunks, { info: stream.info, usage: () => stream.usage });
  const info = routeInfo(stream);
  return info ? attachRouteInfo(out, info) : out;
}

/** Chat chunks → text-completion SSE bytes (errors as an error event). */
function textCompletionSse(stream: CompletionStream): ReadableStream<Uint8Array> {
  const reader = stream.toReadableStream().getReader();
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (finished) return;
      try {
        const { value, done } = await reader.read();
        if (done) {
          finished = true;
          controller.enqueue(SSE_DONE);
          controller.close();
          return;
        }
        controller.enqueue(encodeSseData(fromChatChunk(value)));
      } catch (error) {
        finished = true;
        controller.enqueue(encodeSseData(toErrorResponse(error).body));
        controller.close();
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}
