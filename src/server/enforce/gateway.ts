/**
 * The proxy's gateway state, opened from the config for `server.ts`: the
 * store (`general_settings.database_url`, default the embedded SQLite file),
 * the spend writer, the counters (Redis when `redis_url` is set, else in
 * process), exchange rates, budget alerts, the admin API, and the
 * enforcement hooks to hand to the Router and the app.
 *
 * @module
 */

import type { Hono } from "hono";
import { createFx, type Fx } from "../../cost/fx.ts";
import type { GatewayConfig } from "../../config/types.ts";
import type { CooldownStore } from "../../fallback/cooldown.ts";
import { MemoryLimitStore } from "../../limits/memory.ts";
import type { RedisClient } from "../../limits/redis.ts";
import type { LimitStore } from "../../limits/types.ts";
import { openStore } from "../../store/open.ts";
import { SpendWriter } from "../../store/spend_writer.ts";
import type { Store } from "../../store/types.ts";
import { createAdminRoutes } from "../admin/mod.ts";
import { alertWebhookUrl, createAlerter } from "../alerts.ts";
import type { AppOptions, RequestSummary } from "../app.ts";
import type { Principal } from "../auth.ts";
import { createEnforcement, type Enforcement } from "./mod.ts";

/** Where the gateway state reports what goes wrong in the background. */
export interface GatewayLog {
  /** Warnings (a failed flush, a counter outage, a failed alert). */
  warn(message: string): void;
}

/** Options of {@linkcode openGatewayState}. */
export interface GatewayStateOptions {
  /** The loaded config. */
  config: GatewayConfig;
  /** Environment reader (`SLACK_WEBHOOK_URL`). */
  env: (name: string) => string | undefined;
  /** Background warnings (default: none). */
  log?: GatewayLog;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
  /** `fetch` for alerts and the FX feed (default the global one). */
  fetch?: typeof fetch;
}

/** The opened gateway state. */
export interface GatewayState {
  /** Keys, teams, users, ledger. */
  store: Store;
  /** Batched ledger writes. */
  writer: SpendWriter;
  /** Counters. */
  limits: LimitStore;
  /** Exchange rates. */
  fx: Fx;
  /** The enforcement hooks. */
  enforcement: Enforcement;
  /** The Router's cooldown store when Redis is configured (shared cooldowns). */
  cooldownStore: CooldownStore | undefined;
  /**
   * App options: virtual-key auth, the per-request hook, the admin routes,
   * and `onRequestEnd` composed after `base`'s (metrics and logs first).
   */
  appOptions(
    base?: Pick<AppOptions, "onRequestEnd">,
  ): Pick<AppOptions, "authenticate" | "aroundRequest" | "routes" | "onRequestEnd">;
  /** Start background work (budget resets, FX refresh). */
  start(): void;
  /** Finish in-flight work, flush spend and release connections. */
  close(): Promise<void>;
}

/** The Redis URL from the config: `general_settings.redis_url`, else `router_settings`'. */
export function redisUrlOf(config: GatewayConfig): string | undefined {
  const general = config.general_settings.redis_url;
  if (typeof general === "string" && general !== "") return general;
  const rs = config.router_settings;
  if (typeof rs.redis_url === "string" && rs.redis_url !== "") return rs.redis_url;
  if (typeof rs.redis_host === "string" && rs.redis_host !== "") {
    const auth = typeof rs.redis_password === "string" && rs.redis_password !== ""
      ? `:${encodeURIComponent(rs.redis_password)}@`
      : "";
    return `redis://${auth}${rs.redis_host}:${Number(rs.redis_port ?? 6379)}`;
  }
  return undefined;
}

function flushIntervalMs(config: GatewayConfig): number | undefined {
  const value = config.general_settings.spend_flush_interval;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !(value > 0) || value > 1) {
    throw new TypeError(
      "Invalid general_settings.spend_flush_interval: expected seconds in (0, 1], e.g. 0.5",
    );
  }
  return Math.max(1, Math.round(value * 1000));
}

function cacheTtlMs(config: GatewayConfig): number | undefined {
  const value = config.general_settings.user_api_key_cache_ttl;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !(value >= 0)) {
    throw new TypeError(
      "Invalid general_settings.user_api_key_cache_ttl: expected seconds (≥ 0)",
    );
  }
  return value * 1000;
}

/**
 * Open the gateway state from the config. Throws (with a message naming
 * the setting) when the database or Redis cannot be reached, or a setting
 * is invalid.
 */
export async function openGatewayState(options: GatewayStateOptions): Promise<GatewayState> {
  const { config, env } = options;
  const now = options.now ?? Date.now;
  const warn = (message: string) => options.log?.warn(message);
  const gs = config.general_settings;
  const flushMs = flushIntervalMs(config);
  const ttlMs = cacheTtlMs(config);
  const fx = createFx({
    currency: gs.currency,
    fx_rates: gs.fx_rates,
    fx_rate_url: gs.fx_rate_url,
    fetch: options.fetch,
    now,
    onError: (error) => warn(`fx: ${error.message}`),
  });
  if (gs.fx_rate_url) await fx.refresh();

  const store = await openStore(gs.database_url);
  let redis: RedisClient | undefined;
  // The Redis client (≈ 85 ms of a cold start to import) is loaded only when configured.
  let redisModule: typeof import("../../limits/redis.ts") | undefined;
  try {
    const redisUrl = redisUrlOf(config);
    if (redisUrl !== undefined) {
      redisModule = await import("../../limits/redis.ts");
      redis = await redisModule.connectRedis(redisUrl, {
        onError: (error) => warn(`redis: ${(error as Error)?.message ?? error}`),
      });
    }
  } catch (error) {
    await store.close();
    throw new Error(`Cannot connect to Redis (redis_url): ${(error as Error).message}`);
  }
  const limits: LimitStore = redis && redisModule
    ? new redisModule.RedisLimitStore(redis)
    : new MemoryLimitStore();
  const cooldownStore = redis && redisModule
    ? new redisModule.RedisCooldownStore(redis)
    : undefined;
  const writer = new SpendWriter(store, {
    ...(flushMs === undefined ? {} : { flushIntervalMs: flushMs }),
    onError: (error, failure) =>
      warn(
        `spend: writing ${failure.pending} row(s) failed (${
          (error as Error)?.message ?? error
        }); retrying in ${failure.retryInMs ?? "-"} ms`,
      ),
  });
  const webhook = alertWebhookUrl(gs, env);
  const alerter = webhook === undefined ? undefined : createAlerter({
    url: webhook,
    fetch: options.fetch,
    onError: (error) => warn(`alert webhook: ${(error as Error)?.message ?? error}`),
  });
  const enforcement = createEnforcement({
    store,
    writer,
    limits,
    masterKey: gs.master_key,
    fx,
    budgetFallbacks: config.litellm_settings.budget_fallbacks,
    alerter,
    ...(ttlMs === undefined ? {} : { cacheTtlMs: ttlMs }),
    now,
    onError: (error, where) => warn(`${where}: ${(error as Error)?.message ?? error}`),
  });
  const admin = createAdminRoutes({ store, currency: fx.currency, now });

  return {
    store,
    writer,
    limits,
    fx,
    enforcement,
    cooldownStore,
    appOptions(base) {
      return {
        authenticate: enforcement.authenticate,
        aroundRequest: enforcement.aroundRequest,
        routes: admin as unknown as Hono<{ Variables: { principal: Principal } }>,
        onRequestEnd: (summary: RequestSummary) => {
          try {
            base?.onRequestEnd?.(summary);
          } finally {
            enforcement.onRequestEnd(summary);
          }
        },
      };
    },
    start() {
      enforcement.resetter.start();
      fx.start();
      enforcement.resetter.tick().catch((error) =>
        warn(`budget reset: ${(error as Error)?.message ?? error}`)
      );
    },
    async close() {
      fx.close();
      await enforcement.close();
      try {
        await writer.close();
      } catch (error) {
        warn(`spend: final flush failed: ${(error as Error)?.message ?? error}`);
      }
      await limits.close();
      await store.close();
    },
  };
}
