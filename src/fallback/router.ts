/**
 * The Router: load balancing across deployments of a model group, retries,
 * cooldowns and fallback chains, modelled on LiteLLM's `Router`.
 *
 * @module
 */

import type { ChatCompletion, EmbeddingResponse } from "../types.ts";
import {
  type CompletionParams,
  type EmbeddingParams,
  parseCompletionParams,
  parseEmbeddingParams,
} from "../params.ts";
import { completion, type CompletionOptions, defaultEnv, defaultSleep } from "../completion.ts";
import { embedding } from "../embedding.ts";
import { CompletionStream } from "../stream.ts";
import { createCredentialCache, type CredentialCache } from "../credential_cache.ts";
import { BadRequestError, LLMuxError, TimeoutError } from "../errors.ts";
import type { RouterConfig } from "./config.ts";
import { createDeployment, type Deployment } from "./deployment.ts";
import { type Candidate, createStrategy, type RoutingStrategy } from "./strategies/mod.ts";
import {
  type CooldownListEntryWithGroup,
  type CooldownSettings,
  type CooldownStore,
  DEFAULT_ALLOWED_FAILS,
  DEFAULT_COOLDOWN_TIME_SECONDS,
  MemoryCooldownStore,
  recordFailure,
} from "./cooldown.ts";
import { backoffDelay } from "./backoff.ts";
import { classifyError, retriesFor, type RetryPolicy } from "./policy.ts";
import {
  createFallbackTable,
  fallbacksFor,
  type FallbackTable,
  fallbackTargets,
} from "./fallbacks.ts";
import { attachRouteInfo, type RouteInfo } from "./route_info.ts";
import {
  notifyCallbacks,
  type PreCallCheck,
  type RouterCallback,
  type RouterCallEvent,
} from "./hooks.ts";
import {
  createRoutingGroup,
  type RoutingGroup,
  selectDeployment,
  type Selection,
} from "./select.ts";
import { attemptTimeout, buildCallParams } from "./_call_params.ts";
import { countInputTokens, createRequestState, type RequestState } from "./_request.ts";
import { createFailoverStream, type PeekedStream, peekFirstContent } from "./_stream_failover.ts";
import { FROM_BATCHES, TAKE_BATCHES } from "../_batches.ts";
import {
  checkDeployments,
  DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
  type DeploymentHealth,
  HEALTH_CHECK_MESSAGE,
  healthCheckKind,
  type HealthCheckOptions,
} from "./health.ts";

/** Injected dependencies and hooks of a {@linkcode Router}. */
export interface RouterOptions {
  /** The fetch every upstream call uses unless a deployment or the caller gives one. */
  fetch?: typeof fetch;
  /** Clock in ms (default `Date.now`): cooldowns, usage minutes, latencies, deadlines. */
  now?: () => number;
  /** Uniform random in [0, 1) (default `Math.random`): strategies and backoff jitter. */
  random?: () => number;
  /** Sleep between retries (default `setTimeout`). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Environment reader passed to `completion()` (API keys, base URLs). */
  env?: (name: string) => string | undefined;
  /** Id generator passed to `completion()`. */
  generateId?: () => string;
  /** Where cooldowns live (default: in memory, this Router only). */
  cooldownStore?: CooldownStore;
  /** Runs before routing: may redirect to another group or reject. */
  preCallCheck?: PreCallCheck;
  /** Per-call callbacks. */
  callbacks?: readonly RouterCallback[];
  /** Cache for short-lived provider credentials (default: one per Router). */
  credentialCache?: CredentialCache;
  /** A custom routing strategy; replaces `routing_strategy` (LiteLLM's `set_custom_routing_strategy`). */
  strategy?: RoutingStrategy;
}

/** `router.completion()` parameters: `completion()`'s, with `model` naming a model group. */
export type RouterCompletionParams = CompletionParams & {
  /** Seconds a streaming attempt may take to its first content (overrides the Router's). */
  stream_timeout?: number;
};

/** `router.embedding()` parameters: `embedding()`'s, with `model` naming a model group. */
export type RouterEmbeddingParams = EmbeddingParams;

/** Retry-After values above this many seconds are not waited for (LiteLLM ignores them too). */
const MAX_RETRY_AFTER_SECONDS = 60;

function nonNegative(value: unknown, setting: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`Invalid router setting '${setting}': expected a non-negative number`);
  }
  return value;
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return typeof error;
}

/**
 * Routes OpenAI-shaped requests across deployments, LiteLLM-style.
 *
 * - **Groups.** `model_list` entries sharing a `model_name` form a group;
 *   `params.model` names the group (or a `model_group_alias`). A deployment's
 *   `litellm_params` are merged into each call: the caller's body wins, the
 *   deployment's `model`, `api_key`, `api_base`, `api_version` win.
 * - **Picking.** Cooling-down deployments, full ones (`max_parallel_requests`)
 *   and ones whose `model_info.max_input_tokens` the prompt exceeds are
 *   skipped; the `routing_strategy` picks among the rest.
 * - **Retries.** Retryable failures (429, 408, 5xx, 529, connection) are
 *   retried `num_retries` times per group (`retry_policy` overrides per error
 *   class). A retry goes at once to another deployment that has not failed
 *   this request; when none is left it waits (the upstream's `Retry-After`,
 *   else exponential backoff with full jitter) and picks again, unless the wait
 *   would pass the caller's `timeout`.
 * - **Cooldowns.** A deployment is taken out of rotation for `cooldown_time`
 *   seconds (5) on a 429, 401, 404 or timeout, or when it fails more than
 *   `allowed_fails` (3) times in a minute with 5xx / connection errors. On a
 *   429 with `Retry-After` the cooldown lasts that long instead. If every
 *   deployment of a group is out, the request goes to the fallbacks, else fails
 *   at once with a {@linkcode RouterRateLimitError} (429) whose `retryAfter`
 *   says when the first one returns.
 * - **Fallbacks.** After a group's retries: context-window errors go to
 *   `context_window_fallbacks`, content-policy refusals to
 *   `content_policy_fallbacks` (each defaulting to the generic chain), other
 *   errors except a plain 400 to `fallbacks` / `default_fallbacks`. A group is
 *   never entered twice in one request, and at most `max_fallbacks` (5)
 *   groups are tried. When everything fails the last error is re-raised.
 * - **Streaming.** With `stream: true` the result is a `CompletionStream`.
 *   The Router holds the upstream stream back until its first chunk with
 *   content (text, tool call, reasoning or a finish reason): a failure before
 *   that is retried or falls back with nothing sent to the caller. After
 *   that the stream is committed; a failure ends it with the typed error
 *   (`toSSE()` writes it as an OpenAI error event), never a silent end.
 *   `stream_timeout` bounds each attempt up to its first content.
 * - **Provenance.** {@linkcode routeInfo} tells which deployment and group
 *   answered, after how many attempts and which fallbacks.
 *
 * @example Fallback from a failing group to a healthy one (stub fetch, no network)
 * ```ts
 * import { Router, routeInfo } from "./mod.ts";
 * const fakeFetch: typeof fetch = (input) => {
 *   const url = String(input);
 *   if (url.startsWith("http://primary")) {
 *     return Promise.resolve(Response.json({ error: { message: "down" } }, { status: 500 }));
 *   }
 *   return Promise.resolve(Response.json({
 *     id: "chatcmpl-1", object: "chat.completion", created: 1, model: "gpt-4o-mini",
 *     choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
 *     usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
 *   }));
 * };
 * const router = new Router({
 *   model_list: [
 *     { model_name: "main", litellm_params: { model: "openai/gpt-4o", api_key: "k", api_base: "http://primary/v1" } },
 *     { model_name: "backup", litellm_params: { model: "openai/gpt-4o-mini", api_key: "k", api_base: "http://backup/v1" } },
 *   ],
 *   fallbacks: [{ main: ["backup"] }],
 *   num_retries: 0,
 * }, { fetch: fakeFetch });
 * const res = await router.completion({ model: "main", messages: [{ role: "user", content: "hi" }] });
 * console.assert(res.choices[0].message.content === "hi");
 * console.assert(routeInfo(res)?.modelGroup === "backup" && routeInfo(res)?.attempts === 2);
 * ```
 */
export class Router {
  #groups = new Map<string, RoutingGroup>();
  #byId = new Map<string, Candidate>();
  #aliases = new Map<string, { group: string; hidden: boolean }>();
  #strategy: RoutingStrategy;
  #fallbacks: FallbackTable;
  #cooldowns: CooldownStore;
  #callbacks: readonly RouterCallback[];
  #preCallCheck: PreCallCheck | undefined;
  #fetch: typeof fetch | undefined;
  #now: () => number;
  #random: () => number;
  #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #completionDeps: CompletionOptions;
  #settings: {
    numRetries: number;
    retryAfterMs: number;
    maxFallbacks: number;
    disableCooldowns: boolean;
    timeout: number | undefined;
    streamTimeout: number | undefined;
    retryPolicy: RetryPolicy | undefined;
    groupRetryPolicy: Readonly<Record<string, RetryPolicy>> | undefined;
    cooldown: CooldownSettings;
  };

  /**
   * Build a Router. Invalid settings (an empty `model_list`, an unknown
   * strategy, a fallback to a group that does not exist, two deployments
   * with the same id) are a `TypeError` naming the setting.
   *
   * @param config LiteLLM `Router(...)` arguments.
   * @param options Injected dependencies and hooks.
   */
  constructor(config: RouterConfig, options: RouterOptions = {}) {
    if (typeof config !== "object" || config === null) {
      throw new TypeError("Invalid router config: expected an object with a model_list");
    }
    if (!Array.isArray(config.model_list) || config.model_list.length === 0) {
      throw new TypeError("Invalid router config: 'model_list' must be a non-empty list");
    }
    this.#strategy = options.strategy ?? createStrategy(
      config.routing_strategy ?? "simple-shuffle",
      config.routing_strategy_args ?? {},
    );
    const byGroup = new Map<string, Deployment[]>();
    const ids = new Set<string>();
    for (const raw of config.model_list) {
      const d = createDeployment(raw);
      if (ids.has(d.id)) {
        throw new TypeError(
          `Invalid router config: two deployments have the id "${d.id}"; ` +
            "give each a distinct model_info.id",
        );
      }
      ids.add(d.id);
      byGroup.set(d.modelGroup, [...byGroup.get(d.modelGroup) ?? [], d]);
    }
    for (const [name, deployments] of byGroup) {
      const group = createRoutingGroup(name, deployments, this.#strategy);
      this.#groups.set(name, group);
      for (const c of group.candidates) this.#byId.set(c.deployment.id, c);
    }
    for (const [alias, target] of Object.entries(config.model_group_alias ?? {})) {
      const group = typeof target === "string" ? target : target?.model;
      if (typeof group !== "string" || !this.#groups.has(group)) {
        throw new TypeError(
          `Invalid model_group_alias "${alias}": "${String(group)}" is not a model group`,
        );
      }
      this.#aliases.set(alias, {
        group,
        hidden: typeof target === "object" && target.hidden === true,
      });
    }
    this.#fallbacks = createFallbackTable(config);
    for (const target of fallbackTargets(this.#fallbacks)) {
      if (this.#resolveGroup(target) === undefined) {
        throw new TypeError(
          `Invalid fallbacks: "${target}" is not a model group (known: ${
            [...this.#groups.keys()].join(", ")
          })`,
        );
      }
    }
    this.#settings = {
      numRetries: nonNegative(config.num_retries, "num_retries") ?? 2,
      retryAfterMs: (nonNegative(config.retry_after, "retry_after") ?? 0) * 1000,
      maxFallbacks: nonNegative(config.max_fallbacks, "max_fallbacks") ?? 5,
      disableCooldowns: config.disable_cooldowns === true,
      timeout: nonNegative(config.timeout, "timeout"),
      streamTimeout: nonNegative(config.stream_timeout, "stream_timeout"),
      retryPolicy: config.retry_policy,
      groupRetryPolicy: config.model_group_retry_policy,
      cooldown: {
        allowedFails: nonNegative(config.allowed_fails, "allowed_fails") ?? DEFAULT_ALLOWED_FAILS,
        allowedFailsPolicy: config.allowed_fails_policy,
        cooldownTime: nonNegative(config.cooldown_time, "cooldown_time") ??
          DEFAULT_COOLDOWN_TIME_SECONDS,
      },
    };
    this.#cooldowns = options.cooldownStore ?? new MemoryCooldownStore();
    this.#callbacks = options.callbacks ?? [];
    this.#preCallCheck = options.preCallCheck;
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#completionDeps = {
      env: options.env ?? defaultEnv,
      now: this.#now,
      sleep: this.#sleep,
      // One credential cache per Router: OAuth tokens shared by its calls.
      credentialCache: options.credentialCache ?? createCredentialCache(),
      ...(options.generateId ? { generateId: options.generateId } : {}),
    };
  }

  /** The model group names callers may use (groups, then visible aliases). */
  get modelGroups(): string[] {
    const names = [...this.#groups.keys()];
    for (const [alias, { hidden }] of this.#aliases) if (!hidden) names.push(alias);
    return names;
  }

  /** Every deployment, grouped by model group. */
  get deployments(): readonly Deployment[] {
    return [...this.#byId.values()].map((c) => c.deployment);
  }

  /** The routing strategy in use. */
  get routingStrategy(): string {
    return this.#strategy.name;
  }

  /**
   * Check the deployments as LiteLLM's `/health` does: one small real call
   * to each (a one-token chat completion, or an embedding when
   * `model_info.mode` is `"embedding"`), straight to the deployment (no
   * retries, fallbacks, cooldowns or callbacks), all at once, each bounded
   * by `timeoutMs` and by the deployment's own `timeout`.
   *
   * @example
   * ```ts
   * import { Router } from "./mod.ts";
   * const router = new Router({
   *   model_list: [{ model_name: "g", litellm_params: { model: "openai/gpt-4o", mock_response: "ok" } }],
   * });
   * const [result] = await router.checkHealth();
   * console.assert(result.healthy && result.deployment.modelGroup === "g");
   * ```
   */
  async checkHealth(options: HealthCheckOptions = {}): Promise<DeploymentHealth[]> {
    let deployments = this.deployments;
    if (options.model !== undefined) {
      const group = this.#resolveGroup(options.model);
      deployments = deployments.filter((d) => d.modelGroup === group);
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS;
    return await checkDeployments(deployments, async (d, signal) => {
      const call = buildCallParams(d, {}, {
        timeout: Math.min(timeoutMs / 1000, d.timeout ?? Infinity),
        fetch: this.#fetch,
        signal,
      });
      if (healthCheckKind(d) === "embedding") {
        await embedding(
          { ...call, input: [HEALTH_CHECK_MESSAGE] } as EmbeddingParams,
          this.#completionDeps,
        );
      } else {
        await completion(
          {
            ...call,
            messages: [{ role: "user", content: HEALTH_CHECK_MESSAGE }],
            max_tokens: 1,
            stream: false,
          } as CompletionParams & { stream: false },
          this.#completionDeps,
        );
      }
    }, { timeoutMs, now: this.#now });
  }

  /**
   * The deployments cooling down now, with when each returns.
   *
   * @example
   * ```ts
   * import { Router } from "./mod.ts";
   * const router = new Router({ model_list: [{ model_name: "g", litellm_params: { model: "openai/gpt-4o" } }] });
   * console.assert((await router.getCooldowns()).length === 0);
   * ```
   */
  async getCooldowns(): Promise<CooldownListEntryWithGroup[]> {
    const active = await this.#cooldowns.active([...this.#byId.keys()], this.#now());
    return [...active].map(([id, c]) => ({
      id,
      until: c.until,
      status: c.status,
      modelGroup: this.#byId.get(id)!.deployment.modelGroup,
    }));
  }

  /**
   * The deployment the strategy would pick now for `model` (a group or
   * alias), without calling it: LiteLLM's `get_available_deployment`.
   * Throws like a request would when none is available.
   *
   * @example
   * ```ts
   * import { Router } from "./mod.ts";
   * const router = new Router({
   *   model_list: [{ model_name: "g", litellm_params: { model: "openai/gpt-4o" }, model_info: { id: "only" } }],
   * });
   * console.assert((await router.getAvailableDeployment("g")).id === "only");
   * ```
   */
  async getAvailableDeployment(
    model: string,
    options: { messages?: CompletionParams["messages"]; stream?: boolean } = {},
  ): Promise<Deployment> {
    const group = this.#groupOrThrow(model);
    const state = this.#newState("completion", {
      model,
      messages: options.messages ?? [],
      stream: options.stream === true,
    });
    const selection = await this.#select(group, state, undefined);
    if (selection.failure) throw selection.failure;
    return selection.candidate.deployment;
  }

  /**
   * Route a chat completion. `params.model` names a model group (or alias);
   * everything else is `completion()`'s. `timeout` bounds the whole request
   * (retries and fallbacks included); `num_retries` overrides the Router's
   * for this request. Streams are described on the class.
   *
   * @example
   * ```ts
   * import { Router } from "./mod.ts";
   * const router = new Router({
   *   model_list: [{ model_name: "gpt", litellm_params: { model: "openai/gpt-4o", mock_response: "Hello" } }],
   * });
   * const stream = await router.completion({
   *   model: "gpt", messages: [{ role: "user", content: "hi" }], stream: true,
   * });
   * let text = "";
   * for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
   * console.assert(text === "Hello");
   * ```
   */
  async completion(params: RouterCompletionParams & { stream: true }): Promise<CompletionStream>;
  /** Non-streaming overload. */
  async completion(
    params: RouterCompletionParams & { stream?: false | null },
  ): Promise<ChatCompletion>;
  /** General overload. */
  async completion(params: RouterCompletionParams): Promise<ChatCompletion | CompletionStream>;
  async completion(params: RouterCompletionParams): Promise<ChatCompletion | CompletionStream> {
    parseCompletionParams(params);
    const result = await this.#route(this.#newState("completion", params));
    return result as ChatCompletion | CompletionStream;
  }

  /**
   * Route an embeddings request to a deployment of the group `params.model`.
   *
   * @example
   * ```ts
   * import { Router } from "./mod.ts";
   * const fakeFetch: typeof fetch = () =>
   *   Promise.resolve(Response.json({
   *     object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }],
   *     model: "text-embedding-3-small", usage: { prompt_tokens: 1, total_tokens: 1 },
   *   }));
   * const router = new Router({
   *   model_list: [{ model_name: "embed", litellm_params: { model: "openai/text-embedding-3-small", api_key: "k" } }],
   * }, { fetch: fakeFetch });
   * const res = await router.embedding({ model: "embed", input: "hello" });
   * console.assert(res.data[0].embedding.length === 2);
   * ```
   */
  async embedding(params: RouterEmbeddingParams): Promise<EmbeddingResponse> {
    parseEmbeddingParams(params);
    return await this.#route(this.#newState("embedding", params)) as EmbeddingResponse;
  }

  // ---------------------------------------------------------------- routing

  #newState(
    kind: "completion" | "embedding",
    params: Readonly<Record<string, unknown>> & { model: string },
  ): RequestState {
    return createRequestState(kind, params, {
      now: this.#now(),
      numRetries: this.#settings.numRetries,
    });
  }

  #resolveGroup(name: string): string | undefined {
    const alias = this.#aliases.get(name);
    if (alias !== undefined) return alias.group;
    return this.#groups.has(name) ? name : undefined;
  }

  #groupOrThrow(name: string): RoutingGroup {
    const resolved = this.#resolveGroup(name);
    if (resolved === undefined) {
      throw new BadRequestError(
        `Invalid model name passed in model=${name}. Known model groups: ${
          this.modelGroups.join(", ")
        }`,
        { model: name, param: "model", code: "invalid_model" },
      );
    }
    return this.#groups.get(resolved)!;
  }

  async #route(state: RequestState): Promise<object> {
    let group = this.#groupOrThrow(state.requestedModel);
    if (this.#preCallCheck !== undefined) {
      const redirect = await this.#preCallCheck({
        kind: state.kind,
        modelGroup: group.name,
        requestedModel: state.requestedModel,
        params: { ...state.params, model: state.requestedModel } as CompletionParams,
      });
      if (typeof redirect === "string" && redirect !== "" && redirect !== group.name) {
        group = this.#groupOrThrow(redirect);
      }
    }
    return await this.#runChain(group, state);
  }

  /** Run a group; on failure walk its fallback chain (each fallback with its own chain). */
  async #runChain(group: RoutingGroup, state: RequestState): Promise<object> {
    state.visited.add(group.name);
    try {
      return await this.#runGroup(group, state);
    } catch (error) {
      this.#throwIfAborted(state);
      let last = error;
      for (const name of fallbacksFor(this.#fallbacks, group.name, classifyError(error).fallback)) {
        const next = this.#groups.get(this.#resolveGroup(name) ?? "");
        if (next === undefined || state.visited.has(next.name)) continue;
        if (state.fallbacks.length >= this.#settings.maxFallbacks) break;
        if (state.deadline !== undefined && this.#now() >= state.deadline) break;
        state.fallbacks.push(next.name);
        try {
          return await this.#runChain(next, state);
        } catch (fallbackError) {
          this.#throwIfAborted(state);
          last = fallbackError;
        }
      }
      throw last;
    }
  }

  /** Attempts within one group: the first pick, then retries as the policy allows. */
  async #runGroup(group: RoutingGroup, state: RequestState): Promise<object> {
    const tried = new Set<string>();
    const policy = this.#settings.groupRetryPolicy?.[group.name] ?? this.#settings.retryPolicy;
    const first = await this.#select(group, state, undefined);
    if (first.failure) throw first.failure;
    let candidate = first.candidate;
    let lastError: unknown;
    for (let retries = 0;; retries++) {
      if (state.deadline !== undefined && this.#now() >= state.deadline) {
        throw lastError ?? this.#deadlineError(state);
      }
      try {
        return await this.#attempt(candidate, group, state);
      } catch (error) {
        lastError = error;
        tried.add(candidate.deployment.id);
        this.#throwIfAborted(state);
        if (retries >= retriesFor(error, { numRetries: state.numRetries, retryPolicy: policy })) {
          throw error;
        }
        // Another deployment that has not failed this request: go at once (as LiteLLM).
        const fresh = await this.#select(group, state, tried);
        if (fresh.candidate !== undefined) {
          candidate = fresh.candidate;
          continue;
        }
        // Otherwise wait (Retry-After, else backoff) and pick again among all.
        const retryAfter = error instanceof LLMuxError ? error.retryAfter : undefined;
        if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_SECONDS) throw error;
        const delay = backoffDelay(retries, {
          random: this.#random,
          retryAfter,
          minMs: this.#settings.retryAfterMs,
        });
        if (state.deadline !== undefined && this.#now() + delay >= state.deadline) throw error;
        if (delay > 0) await this.#sleep(delay, state.signal);
        this.#throwIfAborted(state);
        const again = await this.#select(group, state, undefined);
        if (again.candidate === undefined) throw error;
        candidate = again.candidate;
      }
    }
  }

  #throwIfAborted(state: RequestState): void {
    if (state.signal?.aborted) throw state.signal.reason;
  }

  #deadlineError(state: RequestState): Error {
    return new TimeoutError(
      `Request for model "${state.requestedModel}" ran out of time (timeout) after ${state.attempts.length} attempt(s)`,
      { model: state.requestedModel },
    );
  }

  async #select(
    group: RoutingGroup,
    state: RequestState,
    exclude: ReadonlySet<string> | undefined,
  ): Promise<Selection> {
    const now = this.#now();
    const pending = this.#settings.disableCooldowns
      ? undefined
      : this.#cooldowns.active(group.ids, now);
    return selectDeployment(group, {
      strategy: this.#strategy,
      random: this.#random,
      now,
      stream: state.stream,
      cooling: pending instanceof Promise ? await pending : pending,
      exclude,
      inputTokens: group.needsInputTokens ? await countInputTokens(state) : undefined,
    });
  }

  // --------------------------------------------------------------- attempts

  async #attempt(candidate: Candidate, group: RoutingGroup, state: RequestState): Promise<object> {
    const { deployment: d, stats } = candidate;
    const timeout = attemptTimeout(d, {
      stream: state.stream,
      requestStreamTimeout: state.streamTimeout,
      routerTimeout: this.#settings.timeout,
      routerStreamTimeout: this.#settings.streamTimeout,
      deadline: state.deadline,
      now: this.#now(),
    });
    const call = buildCallParams(d, state.params, {
      timeout,
      fetch: this.#fetch,
      signal: state.signal,
    });
    const attempt = state.attempts.length + 1;
    const start = this.#now();
    stats.inFlight++;
    stats.countRequest(start);
    let result: ChatCompletion | EmbeddingResponse | CompletionStream;
    let peeked: PeekedStream | undefined;
    try {
      if (state.kind === "embedding") {
        result = await embedding(call as EmbeddingParams, this.#completionDeps);
      } else {
        result = await completion(call as CompletionParams, this.#completionDeps);
        if (result instanceof CompletionStream) {
          const elapsed = this.#now() - start;
          peeked = await peekFirstContent(result[TAKE_BATCHES](), {
            provider: d.provider,
            model: d.model,
            signal: state.signal,
            timeoutMs: timeout === undefined ? undefined : Math.max(1, timeout * 1000 - elapsed),
          });
        }
      }
    } catch (error) {
      stats.inFlight--;
      const latencyMs = this.#now() - start;
      // A timeout counts as (at least) the whole timeout for latency-based routing.
      if (classifyError(error).kind === "timeout") {
        stats.latency.add(Math.max(latencyMs, (timeout ?? 0) * 1000));
      }
      state.attempts.push({
        deploymentId: d.id,
        modelGroup: group.name,
        provider: d.provider,
        outcome: "failure",
        status: error instanceof LLMuxError ? error.status : 500,
        error: errorName(error),
        latencyMs,
      });
      await this.#recordFailure(candidate, error);
      this.#notify(candidate, group, state, {
        attempt,
        start,
        latencyMs,
        outcome: "failure",
        error,
      });
      throw error;
    }
    const latencyMs = this.#now() - start;
    state.attempts.push({
      deploymentId: d.id,
      modelGroup: group.name,
      provider: d.provider,
      outcome: "success",
      latencyMs,
    });
    if (result instanceof CompletionStream) {
      return this.#commitStream(result, peeked!, { candidate, group, state, attempt, start });
    }
    stats.inFlight--;
    stats.latency.add(latencyMs);
    stats.countTokens(this.#now(), result.usage?.total_tokens ?? 0);
    this.#notify(candidate, group, state, {
      attempt,
      start,
      latencyMs,
      outcome: "success",
      usage: result.usage,
    });
    return attachRouteInfo(result, this.#routeInfo(candidate, group, state, latencyMs));
  }

  /** Hand a stream that reached its first content to the caller. */
  #commitStream(
    inner: CompletionStream,
    peeked: PeekedStream,
    ctx: {
      candidate: Candidate;
      group: RoutingGroup;
      state: RequestState;
      attempt: number;
      start: number;
    },
  ): CompletionStream {
    const { candidate, group, state, attempt, start } = ctx;
    const { deployment: d, stats } = candidate;
    const ttft = this.#now() - start;
    stats.ttft.add(ttft);
    const finish = (outcome: "success" | "failure" | "cancelled", error?: unknown) => {
      stats.inFlight--;
      const end = this.#now();
      const usage = inner.usage;
      if (outcome === "success") {
        stats.latency.add(end - start);
        stats.countTokens(end, usage?.total_tokens ?? 0);
      } else if (outcome === "failure") {
        this.#recordFailure(candidate, error).catch(() => {});
      }
      this.#notify(candidate, group, state, {
        attempt,
        start,
        latencyMs: end - start,
        ttftMs: ttft,
        outcome,
        usage,
        ...(outcome === "success" ? {} : { error }),
      });
    };
    const stream = createFailoverStream(peeked, {
      provider: d.provider,
      model: d.model,
      signal: state.signal,
    }, {
      onEnd: () => finish("success"),
      onError: (error) => finish("failure", error),
      onCancel: (reason) => finish("cancelled", reason),
    });
    const out = CompletionStream[FROM_BATCHES](stream, {
      info: inner.info,
      usage: () => inner.usage,
    });
    return attachRouteInfo(out, this.#routeInfo(candidate, group, state, ttft, ttft));
  }

  #routeInfo(
    candidate: Candidate,
    group: RoutingGroup,
    state: RequestState,
    latencyMs: number,
    ttftMs?: number,
  ): RouteInfo {
    const d = candidate.deployment;
    return {
      modelId: d.id,
      modelGroup: group.name,
      requestedModel: state.requestedModel,
      model: d.model,
      provider: d.provider,
      attempts: state.attempts.length,
      fallbacks: [...state.fallbacks],
      latencyMs,
      ...(ttftMs === undefined ? {} : { ttftMs }),
      attemptLog: [...state.attempts],
    };
  }

  async #recordFailure(candidate: Candidate, error: unknown): Promise<void> {
    if (this.#settings.disableCooldowns) return;
    await recordFailure(this.#cooldowns, candidate.deployment, error, {
      now: this.#now(),
      settings: this.#settings.cooldown,
    });
  }

  #notify(
    candidate: Candidate,
    group: RoutingGroup,
    state: RequestState,
    e: {
      attempt: number;
      start: number;
      latencyMs: number;
      ttftMs?: number;
      outcome: "success" | "failure" | "cancelled";
      usage?: RouterCallEvent["usage"];
      error?: unknown;
    },
  ): void {
    if (this.#callbacks.length === 0) return;
    notifyCallbacks(this.#callbacks, {
      kind: state.kind,
      deployment: candidate.deployment,
      modelGroup: group.name,
      requestedModel: state.requestedModel,
      attempt: e.attempt,
      stream: state.stream,
      startTime: e.start,
      latencyMs: e.latencyMs,
      ...(e.ttftMs === undefined ? {} : { ttftMs: e.ttftMs }),
      usage: e.usage,
      outcome: e.outcome,
      ...(e.error === undefined ? {} : { error: e.error }),
    });
  }
}
