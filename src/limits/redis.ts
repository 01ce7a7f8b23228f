/**
 * The shared {@linkcode LimitStore} (and a Router `CooldownStore`) on Redis,
 * through node-redis (`npm:redis`). Every call is one Lua script, so it is
 * atomic across every gateway process using the same Redis and costs one
 * round trip.
 *
 * Keys (all under `prefix`, default `llmux:`):
 * - `rl:<scope>`: hash `{ s: window start, r: requests, t: tokens }`;
 * - `par:<scope>`: sorted set of in-flight request ids scored by start time;
 * - `spend:<counter>`: the spend of one budget period (a float string);
 * - `cd:<deployment>`, `cdf:<deployment>`: cooldowns and failure counts.
 *
 * @module
 */

import { createClient } from "redis";
import type { Cooldown, CooldownStore } from "../fallback/cooldown.ts";
import { ADMIT_LUA, COUNT_FAILURE_LUA, SETTLE_LUA } from "./_lua.ts";
import {
  type AdmitRequest,
  type AdmitResult,
  DEFAULT_LIMIT_TIMINGS,
  type LimitStore,
  type LimitTimings,
  type ScopeUsage,
  type SettleRequest,
} from "./types.ts";

/** A connected node-redis client. */
export type RedisClient = ReturnType<typeof createClient>;

/** Options of {@linkcode connectRedis}. */
export interface RedisConnectOptions {
  /** Milliseconds a command may take before it fails (default 2000; 0: no limit). */
  commandTimeoutMs?: number;
  /** Milliseconds to wait for the connection (default 5000). */
  connectTimeoutMs?: number;
  /** Called with connection errors after the first connect (default: ignored; the client reconnects). */
  onError?: (error: unknown) => void;
}

/**
 * Connect to Redis. Commands fail fast while the connection is down (no
 * offline queue), so a Redis outage never stalls requests.
 *
 * @param url A `redis://` or `rediss://` URL.
 * @param options Timeouts and the error listener.
 * @returns The connected client.
 */
export async function connectRedis(
  url: string,
  options: RedisConnectOptions = {},
): Promise<RedisClient> {
  const timeout = options.commandTimeoutMs ?? 2000;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    ...(timeout > 0 ? { commandOptions: { timeout } } : {}),
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000),
    },
  });
  client.on("error", (error: unknown) => options.onError?.(error));
  await client.connect();
  return client as unknown as RedisClient;
}

/** Loads Lua scripts once and runs them by SHA, reloading after a `NOSCRIPT` (a Redis restart). */
class Scripts {
  #client: RedisClient;
  #shas = new Map<string, string>();

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async run(script: string, keys: string[], args: string[]): Promise<unknown> {
    let sha = this.#shas.get(script);
    if (sha === undefined) {
      sha = await this.#client.scriptLoad(script);
      this.#shas.set(script, sha);
    }
    try {
      return await this.#client.evalSha(sha, { keys, arguments: args });
    } catch (error) {
      if (!String((error as Error)?.message ?? error).includes("NOSCRIPT")) throw error;
      this.#shas.delete(script);
      return await this.#client.eval(script, { keys, arguments: args });
    }
  }
}

/** Options of {@linkcode RedisLimitStore}. */
export interface RedisLimitStoreOptions extends LimitTimings {
  /** Key prefix (default `llmux:`); tests use a unique one. */
  prefix?: string;
  /** Close the client in `close()` (default true). */
  ownsClient?: boolean;
}

function limitArg(value: number | null): string {
  return value === null ? "-1" : String(value);
}

/**
 * Counters shared by every gateway process on the same Redis.
 *
 * @example
 * ```ts ignore
 * import { connectRedis, RedisLimitStore } from "./redis.ts";
 * const limits = new RedisLimitStore(await connectRedis("redis://127.0.0.1:6379"));
 * const scopes = [{ id: "key:k1", rpm: 10, tpm: null, parallel: 2 }];
 * const res = await limits.admit({ requestId: "r1", now: Date.now(), budgets: [], scopes });
 * await limits.close();
 * ```
 */
export class RedisLimitStore implements LimitStore {
  /** Always `"redis"`. */
  readonly kind = "redis" as const;
  #client: RedisClient;
  #scripts: Scripts;
  #prefix: string;
  #timings: Required<LimitTimings>;
  #ownsClient: boolean;

  /**
   * Wrap a connected client.
   *
   * @param client From {@linkcode connectRedis}.
   * @param options Key prefix and timings.
   */
  constructor(client: RedisClient, options: RedisLimitStoreOptions = {}) {
    this.#client = client;
    this.#scripts = new Scripts(client);
    this.#prefix = options.prefix ?? "llmux:";
    this.#ownsClient = options.ownsClient ?? true;
    this.#timings = {
      windowMs: options.windowMs ?? DEFAULT_LIMIT_TIMINGS.windowMs,
      parallelStaleMs: options.parallelStaleMs ?? DEFAULT_LIMIT_TIMINGS.parallelStaleMs,
      spendTtlMs: options.spendTtlMs ?? DEFAULT_LIMIT_TIMINGS.spendTtlMs,
    };
  }

  #scopeKeys(ids: readonly string[]): string[] {
    const keys: string[] = [];
    for (const id of ids) keys.push(`${this.#prefix}rl:${id}`, `${this.#prefix}par:${id}`);
    return keys;
  }

  /** Check budgets, then rate limits; take a request and a slot in every scope when all pass. */
  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const { budgets, scopes } = request;
    const keys = [
      ...budgets.map((b) => `${this.#prefix}spend:${b.id}`),
      ...this.#scopeKeys(scopes.map((s) => s.id)),
    ];
    const args = [
      String(request.now),
      request.requestId,
      String(this.#timings.windowMs),
      String(this.#timings.parallelStaleMs),
      String(this.#timings.spendTtlMs),
      String(budgets.length),
      String(scopes.length),
    ];
    for (const b of budgets) args.push(String(b.seed), limitArg(b.max));
    for (const s of scopes) args.push(limitArg(s.rpm), limitArg(s.tpm), limitArg(s.parallel));
    const reply = await this.#scripts.run(ADMIT_LUA, keys, args) as string[];
    const status = reply[0];
    const index = Number(reply[1]) - 1;
    const spends = reply.slice(2, 2 + budgets.length).map(Number);
    const usage: ScopeUsage[] = [];
    for (let j = 0, at = 2 + budgets.length; j < scopes.length; j++, at += 4) {
      usage.push({
        requests: Number(reply[at]),
        tokens: Number(reply[at + 1]),
        parallel: Number(reply[at + 2]),
        resetAt: Number(reply[at + 3]) + this.#timings.windowMs,
      });
    }
    if (status === "ok") return { ok: true, spends, usage };
    if (status === "budget") return { ok: false, reason: "budget", index, spends, usage };
    if (status === "rpm" || status === "tpm" || status === "parallel") {
      return { ok: false, reason: status, index, spends, usage };
    }
    throw new Error(`Cannot read the rate-limit reply from Redis: unexpected status ${status}`);
  }

  /** Release slots, add tokens and spend; returns the spend totals. */
  async settle(request: SettleRequest): Promise<number[]> {
    const keys = [
      ...request.spend.map((s) => `${this.#prefix}spend:${s.id}`),
      ...this.#scopeKeys(request.scopes.map((s) => s.id)),
    ];
    const args = [
      String(request.now),
      request.requestId,
      String(this.#timings.windowMs),
      String(this.#timings.spendTtlMs),
      String(Math.max(0, Math.round(request.tokens))),
      String(request.spend.length),
      String(request.scopes.length),
    ];
    for (const s of request.spend) args.push(String(s.seed), String(s.amount));
    for (const s of request.scopes) args.push(s.release ? "1" : "0", s.tokens ? "1" : "0");
    const reply = await this.#scripts.run(SETTLE_LUA, keys, args) as string[];
    return reply.map(Number);
  }

  /** Current spends (seeds for absent counters). */
  async spends(budgets: readonly { id: string; seed: number }[]): Promise<number[]> {
    if (budgets.length === 0) return [];
    const values = await this.#client.mGet(budgets.map((b) => `${this.#prefix}spend:${b.id}`));
    return values.map((v, i) => v === null ? budgets[i].seed : Number(v));
  }

  /** Drop budget counters. */
  async dropSpend(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#client.del(ids.map((id) => `${this.#prefix}spend:${id}`));
  }

  /** Close the client (when this store owns it). */
  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    try {
      await this.#client.close();
    } catch {
      this.#client.destroy();
    }
  }
}

/** Options of {@linkcode RedisCooldownStore}. */
export interface RedisCooldownStoreOptions {
  /** Key prefix (default `llmux:`). */
  prefix?: string;
}

/**
 * The Router's {@linkcode CooldownStore} on Redis: a deployment cooled down
 * by one gateway process is out of rotation in all of them.
 *
 * @example
 * ```ts ignore
 * import { connectRedis, RedisCooldownStore } from "./redis.ts";
 * import { Router } from "../fallback/router.ts";
 * const cooldownStore = new RedisCooldownStore(await connectRedis("redis://127.0.0.1:6379"));
 * const router = new Router({ model_list: [] }, { cooldownStore });
 * ```
 */
export class RedisCooldownStore implements CooldownStore {
  #client: RedisClient;
  #scripts: Scripts;
  #prefix: string;

  /**
   * Wrap a connected client (not closed by this store).
   *
   * @param client From {@linkcode connectRedis}.
   * @param options Key prefix.
   */
  constructor(client: RedisClient, options: RedisCooldownStoreOptions = {}) {
    this.#client = client;
    this.#scripts = new Scripts(client);
    this.#prefix = options.prefix ?? "llmux:";
  }

  /** The cooldowns still active at `now` among `ids`. */
  async active(ids: readonly string[], now: number): Promise<ReadonlyMap<string, Cooldown>> {
    const out = new Map<string, Cooldown>();
    if (ids.length === 0) return out;
    const values = await this.#client.mGet(ids.map((id) => `${this.#prefix}cd:${id}`));
    values.forEach((v, i) => {
      if (v === null) return;
      try {
        const c = JSON.parse(String(v)) as Cooldown;
        if (c.until > now) out.set(ids[i], c);
      } catch {
        // not ours: ignore
      }
    });
    return out;
  }

  /** Put a deployment into cooldown. */
  async start(id: string, cooldown: Cooldown): Promise<void> {
    const ms = Math.max(1, Math.ceil(cooldown.until - cooldown.startedAt));
    await this.#client.set(`${this.#prefix}cd:${id}`, JSON.stringify(cooldown), { PX: ms });
  }

  /** Count a failure in the current window; returns the window's count. */
  async countFailure(id: string, now: number, windowMs: number): Promise<number> {
    const n = await this.#scripts.run(
      COUNT_FAILURE_LUA,
      [`${this.#prefix}cdf:${id}`],
      [String(Math.floor(now / windowMs)), String(windowMs)],
    );
    return Number(n);
  }

  /** Forget the failures counted for `id`. */
  async resetFailures(id: string): Promise<void> {
    await this.#client.del(`${this.#prefix}cdf:${id}`);
  }
}
