/**
 * Counters for virtual-key enforcement: rpm / tpm windows, parallel
 * requests and budget spend, in process ({@linkcode MemoryLimitStore}) or
 * shared through Redis ({@linkcode RedisLimitStore}), plus a Redis-backed
 * Router cooldown store.
 *
 * @example
 * ```ts
 * import { MemoryLimitStore } from "./mod.ts";
 * const limits = new MemoryLimitStore();
 * const budgets = [{ id: "key:k1:none", seed: 0.9, max: 1 }];
 * const res = await limits.admit({ requestId: "r1", now: 0, budgets, scopes: [] });
 * console.assert(res.ok);
 * const [spend] = await limits.settle({
 *   requestId: "r1", now: 1, tokens: 10, scopes: [],
 *   spend: [{ id: "key:k1:none", seed: 0.9, amount: 0.2 }],
 * });
 * console.assert(Math.abs(spend - 1.1) < 1e-9);
 * const again = await limits.admit({ requestId: "r2", now: 2, budgets, scopes: [] });
 * console.assert(!again.ok && again.reason === "budget");
 * ```
 *
 * @module
 */

export * from "./types.ts";
export { MemoryLimitStore } from "./memory.ts";
export {
  connectRedis,
  type RedisClient,
  type RedisConnectOptions,
  RedisCooldownStore,
  type RedisCooldownStoreOptions,
  RedisLimitStore,
  type RedisLimitStoreOptions,
} from "./redis.ts";
