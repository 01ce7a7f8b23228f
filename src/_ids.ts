/**
 * Default clock and id generator (injected everywhere else).
 *
 * @module
 */

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` base62 characters from `bytes`, starting at `at`. */
function base62(bytes: Uint8Array, at: number, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += BASE62[bytes[at + i] % 62];
  return out;
}

/** 24 random base62 characters from the platform's CSPRNG. */
export function randomId(length = 24): string {
  return base62(crypto.getRandomValues(new Uint8Array(length)), 0, length);
}

/**
 * A generator of {@linkcode randomId}-like ids that draws random bytes for
 * `batch` ids at a time (one CSPRNG call instead of one per id).
 */
export function randomIds(length = 24, batch = 64): () => string {
  let pool = new Uint8Array(0);
  let at = 0;
  return () => {
    if (at + length > pool.length) {
      pool = crypto.getRandomValues(new Uint8Array(length * batch));
      at = 0;
    }
    const id = base62(pool, at, length);
    at += length;
    return id;
  };
}

/** A deterministic id generator for tests: `id0001`, `id0002`, … */
export function sequentialIds(prefix = "id"): () => string {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(4, "0")}`;
}
