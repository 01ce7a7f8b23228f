/**
 * A cache for short-lived provider credentials (OAuth access tokens): one
 * entry per credential key, reused until shortly before it expires, and one
 * refresh in flight per key however many calls wait for it.
 *
 * @module
 */

/** A value and when it stops being usable (ms since the epoch). */
export interface Expiring<T> {
  /** The credential. */
  value: T;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

/** Shared, single-flight cache of expiring credentials. */
export interface CredentialCache {
  /**
   * The cached value for `key` if it is valid for at least `marginMs` more,
   * else the result of `create()` — called once however many callers wait.
   */
  get<T>(
    key: string,
    create: () => Promise<Expiring<T>>,
    options?: { now?: () => number; marginMs?: number },
  ): Promise<T>;
  /** Forget a key (e.g. after the provider rejected the credential). */
  delete(key: string): void;
}

/**
 * Create a credential cache. The Router makes one per instance; plain
 * `completion()` calls share {@linkcode DEFAULT_CREDENTIAL_CACHE}.
 *
 * @example
 * ```ts
 * import { createCredentialCache } from "./credential_cache.ts";
 * const cache = createCredentialCache();
 * let calls = 0;
 * const make = () => Promise.resolve({ value: `token-${++calls}`, expiresAt: Date.now() + 3600_000 });
 * const [a, b] = await Promise.all([cache.get("k", make), cache.get("k", make)]);
 * console.assert(a === "token-1" && b === "token-1" && calls === 1);
 * ```
 */
export function createCredentialCache(): CredentialCache {
  const entries = new Map<string, Expiring<unknown>>();
  const pending = new Map<string, Promise<Expiring<unknown>>>();
  return {
    async get<T>(
      key: string,
      create: () => Promise<Expiring<T>>,
      options: { now?: () => number; marginMs?: number } = {},
    ): Promise<T> {
      const now = options.now ?? Date.now;
      const margin = options.marginMs ?? 60_000;
      const hit = entries.get(key);
      if (hit && hit.expiresAt - margin > now()) return hit.value as T;
      let flight = pending.get(key);
      if (!flight) {
        flight = create().then((fresh) => {
          entries.set(key, fresh);
          return fresh;
        }).finally(() => pending.delete(key));
        pending.set(key, flight);
      }
      return (await flight).value as T;
    },
    delete(key: string): void {
      entries.delete(key);
    },
  };
}

/**
 * The cache plain `completion()` calls use when none is injected: credentials
 * are process-wide facts, so sharing them is safe; tests inject their own.
 */
export const DEFAULT_CREDENTIAL_CACHE: CredentialCache = createCredentialCache();
