/**
 * A proxy app with virtual-key enforcement over a real store and real
 * counters, in process: SQLite + in-memory counters always, PostgreSQL +
 * Redis when `DATABASE_URL` and `REDIS_URL` are set. The upstream is a fake
 * OpenAI behind the Router's injected `fetch` (fixed usage, optional delay),
 * so every request's cost is known: 10 prompt + 10 completion tokens at
 * 0.001 USD each on `gpt-main` = 0.02 USD.
 *
 * @module
 */

import type { FallbackList } from "../../src/fallback/config.ts";
import { Router } from "../../src/fallback/router.ts";
import { MemoryLimitStore } from "../../src/limits/memory.ts";
import { connectRedis, RedisLimitStore } from "../../src/limits/redis.ts";
import type { LimitStore } from "../../src/limits/types.ts";
import { createFx } from "../../src/cost/fx.ts";
import { openStore } from "../../src/store/open.ts";
import { SpendWriter } from "../../src/store/spend_writer.ts";
import type { NewKey, NewTeam, NewUser, Store } from "../../src/store/types.ts";
import { createAdminRoutes } from "../../src/server/admin/mod.ts";
import type { Alerter } from "../../src/server/alerts.ts";
import { createApp } from "../../src/server/app.ts";
import type { Principal } from "../../src/server/auth.ts";
import { createEnforcement, type Enforcement, hashToken } from "../../src/server/enforce/mod.ts";
import type { Hono } from "hono";

/** The master key of every harness. */
export const MASTER_KEY = "sk-master-enforce-test";

/** Cost of one `gpt-main` request in USD (10 + 10 tokens at 0.001). */
export const REQUEST_COST_USD = 0.02;

/** Tokens per request (prompt + completion). */
export const REQUEST_TOKENS = 20;

const DATABASE_URL = Deno.env.get("DATABASE_URL");

/** The PostgreSQL schema these tests use (away from other suites' tables). */
export const PG_SCHEMA = "llmux_enforce_test";
const REDIS_URL = Deno.env.get("REDIS_URL");

/** A store + counters combination the tests run on. */
export interface Backend {
  /** Name in test names. */
  name: string;
  /** Why it is unavailable (its tests are registered as ignored). */
  skip?: string;
  /** Open a store. */
  openStore(now?: () => Date): Promise<Store>;
  /** Open counters (fresh, isolated). */
  openLimits(): Promise<LimitStore>;
}

/** SQLite in memory and in-process counters. */
export const SQLITE: Backend = {
  name: "SQLite",
  openStore: (now) => openStore("sqlite::memory:", now ? { now } : {}),
  openLimits: () => Promise.resolve(new MemoryLimitStore()),
};

/** PostgreSQL and Redis (skipped without both URLs). */
export const POSTGRES_REDIS: Backend = {
  name: "Postgres+Redis",
  ...(DATABASE_URL && REDIS_URL
    ? {}
    : { skip: `${DATABASE_URL ? "REDIS_URL" : "DATABASE_URL"} not set` }),
  openStore: (now) => openStore(DATABASE_URL, { schema: PG_SCHEMA, ...(now ? { now } : {}) }),
  openLimits: async () =>
    new RedisLimitStore(await connectRedis(REDIS_URL!), {
      prefix: `llmux-test:${crypto.randomUUID()}:`,
    }),
};

/** Both backends. */
export const BACKENDS: readonly Backend[] = [SQLITE, POSTGRES_REDIS];

/** Register `fn` once per backend (ignored, with the reason in its name, when unavailable). */
export function backendTest(
  name: string,
  fn: (backend: Backend) => Promise<void>,
  backends: readonly Backend[] = BACKENDS,
): void {
  for (const backend of backends) {
    Deno.test({
      name: `${name} [${backend.name}]${backend.skip ? ` (skipped: ${backend.skip})` : ""}`,
      ignore: backend.skip !== undefined,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: () => fn(backend),
    });
  }
}

/** A settable clock. */
export interface FakeClock {
  /** Now, ms. */
  now(): number;
  /** Move forward. */
  advance(ms: number): void;
}

/** A clock starting at `start`. */
export function fakeClock(start = Date.parse("2030-01-01T00:00:00Z")): FakeClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Options of {@linkcode createHarness}. */
export interface HarnessOptions {
  /** Store and counters. */
  backend: Backend;
  /** Reporting currency and rates. */
  currency?: string;
  /** Fixed FX rates. */
  fxRates?: Record<string, number>;
  /** `litellm_settings.budget_fallbacks`. */
  budgetFallbacks?: FallbackList;
  /** Budget alerts. */
  alerter?: Alerter;
  /** Milliseconds the fake upstream takes. */
  upstreamDelayMs?: number;
  /** Clock (default real time). */
  clock?: FakeClock;
  /** Row cache TTL (default 5000). */
  cacheTtlMs?: number;
  /** Counters (default the backend's). */
  limits?: LimitStore;
}

/** Upstream call statistics. */
export interface UpstreamStats {
  /** Calls made. */
  calls: number;
  /** Calls in flight. */
  active: number;
  /** Most calls in flight at once. */
  maxActive: number;
  /** Model of each call, in order. */
  models: string[];
}

/** A running harness. */
export interface Harness extends AsyncDisposable {
  /** The app. */
  app: ReturnType<typeof createApp>;
  /** The store. */
  store: Store;
  /** The counters. */
  limits: LimitStore;
  /** The spend writer. */
  writer: SpendWriter;
  /** The enforcement hooks. */
  enforcement: Enforcement;
  /** Upstream statistics. */
  upstream: UpstreamStats;
  /** Make a key; returns the `sk-…` key and its hash. */
  newKey(fields?: Partial<NewKey>): Promise<{ key: string; token: string }>;
  /** Make a team; returns its id. */
  newTeam(fields?: Partial<NewTeam>): Promise<string>;
  /** Make a user; returns its id. */
  newUser(fields?: Partial<NewUser>): Promise<string>;
  /** POST /v1/chat/completions. */
  chat(key: string | undefined, body?: Record<string, unknown>, headers?: HeadersInit): Promise<
    Response
  >;
  /** Wait for settlements, then flush the ledger. */
  settle(): Promise<void>;
}

const BUDGET_DEFAULTS = {
  max_budget: null,
  soft_budget: null,
  budget_duration: null,
  budget_reset_at: null,
  rpm_limit: null,
  tpm_limit: null,
  max_parallel_requests: null,
};

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function fakeUpstream(stats: UpstreamStats, delayMs: number): typeof fetch {
  return async (input, init) => {
    const body = JSON.parse(String(init?.body ?? "{}"));
    stats.calls++;
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    stats.models.push(body.model);
    try {
      if (delayMs > 0) await sleep(delayMs);
      const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
      const id = `chatcmpl-${crypto.randomUUID()}`;
      if (body.stream) {
        const chunk = (delta: unknown, extra: Record<string, unknown> = {}) =>
          `data: ${
            JSON.stringify({
              id,
              object: "chat.completion.chunk",
              created: 1,
              model: body.model,
              choices: delta === null ? [] : [{ index: 0, delta, finish_reason: null }],
              ...extra,
            })
          }\n\n`;
        const text = chunk({ role: "assistant", content: "hi" }) +
          chunk(null, { usage }) + "data: [DONE]\n\n";
        return new Response(text, { headers: { "content-type": "text/event-stream" } });
      }
      return Response.json({
        id,
        object: "chat.completion",
        created: 1,
        model: body.model,
        choices: [{
          index: 0,
          message: { role: "assistant", content: `hi from ${body.model}` },
          finish_reason: "stop",
        }],
        usage,
      });
    } finally {
      stats.active--;
      void input;
    }
  };
}

function deployment(name: string, price: number) {
  return {
    model_name: name,
    litellm_params: {
      model: `openai/${name}`,
      api_key: "sk-upstream",
      api_base: "http://upstream.invalid/v1",
    },
    model_info: { id: `dep-${name}`, input_cost_per_token: price, output_cost_per_token: price },
  };
}

/** Build the harness. Dispose it with `await using`. */
export async function createHarness(options: HarnessOptions): Promise<Harness> {
  const clock = options.clock;
  const now = clock?.now ?? Date.now;
  const store = await options.backend.openStore(clock ? () => new Date(clock.now()) : undefined);
  const limits = options.limits ?? await options.backend.openLimits();
  const writer = new SpendWriter(store, { flushIntervalMs: 50 });
  const fx = createFx({
    currency: options.currency ?? "USD",
    fx_rates: options.fxRates,
  });
  const enforcement = createEnforcement({
    store,
    writer,
    limits,
    masterKey: MASTER_KEY,
    fx,
    budgetFallbacks: options.budgetFallbacks,
    alerter: options.alerter,
    cacheTtlMs: options.cacheTtlMs ?? 5000,
    now,
  });
  const upstream: UpstreamStats = { calls: 0, active: 0, maxActive: 0, models: [] };
  const router = new Router({
    model_list: [deployment("gpt-main", 0.001), deployment("local", 0), deployment("other", 0)],
    num_retries: 0,
  }, {
    fetch: fakeUpstream(upstream, options.upstreamDelayMs ?? 0),
    preCallCheck: enforcement.preCallCheck,
    now,
  });
  const app = createApp({
    router,
    authenticate: enforcement.authenticate,
    aroundRequest: enforcement.aroundRequest,
    onRequestEnd: enforcement.onRequestEnd,
    routes: createAdminRoutes({ store, currency: fx.currency, now }) as unknown as Hono<
      { Variables: { principal: Principal } }
    >,
    now,
    keepAliveMs: 0,
  });
  const ids = () => crypto.randomUUID().slice(0, 12);

  return {
    app,
    store,
    limits,
    writer,
    enforcement,
    upstream,
    async newKey(fields = {}) {
      const key = `sk-test-${crypto.randomUUID()}`;
      const token = await hashToken(key);
      await store.createKey({
        token,
        key_name: `sk-...${key.slice(-4)}`,
        key_alias: null,
        models: [],
        expires: null,
        metadata: {},
        team_id: null,
        user_id: null,
        blocked: false,
        admin: false,
        ...BUDGET_DEFAULTS,
        ...fields,
      });
      return { key, token };
    },
    async newTeam(fields = {}) {
      const team_id = `team-${ids()}`;
      await store.createTeam({
        team_id,
        team_alias: null,
        models: [],
        members_with_roles: [],
        metadata: {},
        blocked: false,
        ...BUDGET_DEFAULTS,
        ...fields,
      });
      return team_id;
    },
    async newUser(fields = {}) {
      const user_id = `user-${ids()}`;
      await store.createUser({
        user_id,
        user_email: null,
        user_role: "internal_user",
        models: [],
        teams: [],
        metadata: {},
        ...BUDGET_DEFAULTS,
        ...fields,
      });
      return user_id;
    },
    async chat(key, body = {}, headers = {}) {
      return await app.request("/v1/chat/completions", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
          ...Object.fromEntries(new Headers(headers)),
        },
        body: JSON.stringify({
          model: "gpt-main",
          messages: [{ role: "user", content: "hi" }],
          ...body,
        }),
      });
    },
    async settle() {
      await enforcement.drain();
      await writer.flush();
    },
    async [Symbol.asyncDispose]() {
      await enforcement.close();
      await writer.close();
      await limits.close();
      await store.close();
    },
  };
}

/** Read a response's JSON body. */
export async function json(res: Response): Promise<Record<string, unknown>> {
  return await res.json();
}

/** The error message of an OpenAI error body. */
export async function errorOf(
  res: Response,
): Promise<{ message: string; type: string; code: string | null }> {
  const body = await res.json() as { error: { message: string; type: string; code: string } };
  return body.error;
}
