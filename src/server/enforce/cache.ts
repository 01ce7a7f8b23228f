/**
 * A short-lived cache of key, team and user rows in front of the
 * {@linkcode Store}, so authenticating a request costs no database round
 * trip in the common case. Misses are cached too (a bad key does not hit
 * the database on every retry); concurrent lookups of one id share a
 * single store call. Changes made through the admin API show after at most
 * `ttlMs` (LiteLLM's `user_api_key_cache_ttl` plays the same role).
 *
 * @module
 */

import type { Store, Team, User, VirtualKey } from "../../store/types.ts";

/** Options of {@linkcode createEntityCache}. */
export interface EntityCacheOptions {
  /** How long a row is kept, ms (default 5000). */
  ttlMs?: number;
  /** Most rows kept per kind; the oldest is dropped beyond it (default 10 000). */
  maxEntries?: number;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
}

/** Cached reads of keys, teams and users. */
export interface EntityCache {
  /** A key by its hash. */
  key(token: string): Promise<VirtualKey | undefined>;
  /** A team by id. */
  team(teamId: string): Promise<Team | undefined>;
  /** A user by id. */
  user(userId: string): Promise<User | undefined>;
  /** Forget everything (after a budget reset), or the rows of one kind and id. */
  invalidate(kind?: "key" | "team" | "user", id?: string): void;
}

interface Entry<T> {
  value: T | undefined;
  expiresAt: number;
}

/** One kind's rows: TTL, bounded size, single flight per id. */
class RowCache<T> {
  #rows = new Map<string, Entry<T>>();
  #pending = new Map<string, Promise<T | undefined>>();
  #load: (id: string) => Promise<T | undefined>;
  #ttlMs: number;
  #max: number;
  #now: () => number;
  #generation = 0;

  constructor(
    load: (id: string) => Promise<T | undefined>,
    options: { ttlMs: number; max: number; now: () => number },
  ) {
    this.#load = load;
    this.#ttlMs = options.ttlMs;
    this.#max = options.max;
    this.#now = options.now;
  }

  get(id: string): Promise<T | undefined> {
    const hit = this.#rows.get(id);
    if (hit !== undefined && hit.expiresAt > this.#now()) return Promise.resolve(hit.value);
    const pending = this.#pending.get(id);
    if (pending !== undefined) return pending;
    const generation = this.#generation;
    const load = this.#load(id).then((value) => {
      if (generation === this.#generation) {
        if (this.#rows.size >= this.#max && !this.#rows.has(id)) {
          const oldest = this.#rows.keys().next();
          if (!oldest.done) this.#rows.delete(oldest.value);
        }
        this.#rows.delete(id);
        this.#rows.set(id, { value, expiresAt: this.#now() + this.#ttlMs });
      }
      return value;
    }).finally(() => this.#pending.delete(id));
    this.#pending.set(id, load);
    return load;
  }

  invalidate(id?: string): void {
    if (id === undefined) {
      this.#rows.clear();
      this.#generation++;
    } else this.#rows.delete(id);
  }
}

/**
 * Cache the store's key, team and user reads.
 *
 * @example
 * ```ts
 * import { createEntityCache } from "./cache.ts";
 * import type { Store } from "../../store/types.ts";
 * let reads = 0;
 * const store = { getKey: () => { reads++; return Promise.resolve(undefined); } } as unknown as Store;
 * const cache = createEntityCache(store, { ttlMs: 1000 });
 * await Promise.all([cache.key("a"), cache.key("a")]);
 * await cache.key("a");
 * console.assert(reads === 1);
 * ```
 */
export function createEntityCache(store: Store, options: EntityCacheOptions = {}): EntityCache {
  const settings = {
    ttlMs: options.ttlMs ?? 5000,
    max: options.maxEntries ?? 10_000,
    now: options.now ?? Date.now,
  };
  const keys = new RowCache<VirtualKey>((id) => store.getKey(id), settings);
  const teams = new RowCache<Team>((id) => store.getTeam(id), settings);
  const users = new RowCache<User>((id) => store.getUser(id), settings);
  return {
    key: (token) => keys.get(token),
    team: (teamId) => teams.get(teamId),
    user: (userId) => users.get(userId),
    invalidate(kind, id) {
      if (kind === undefined || kind === "key") keys.invalidate(id);
      if (kind === undefined || kind === "team") teams.invalidate(id);
      if (kind === undefined || kind === "user") users.invalidate(id);
    },
  };
}
