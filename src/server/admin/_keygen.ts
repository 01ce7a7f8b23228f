/**
 * Virtual key material: generating `sk-…` keys from the platform CSPRNG,
 * hashing them (SHA-256 hex, the only form the store ever sees) and the
 * display name shown in lists. Private to `src/server/admin`.
 *
 * @module
 */

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Random characters after `sk-` in a generated key (≈190 bits). */
export const GENERATED_KEY_LENGTH = 32;

/** A 64-character lowercase hex SHA-256 digest: the stored form of a key. */
export const KEY_HASH_REGEXP = /^[0-9a-f]{64}$/;

/**
 * A new virtual key: `sk-` followed by {@linkcode GENERATED_KEY_LENGTH}
 * base62 characters, drawn without modulo bias (bytes ≥ 248 are rejected).
 */
export function generateApiKey(): string {
  let out = "sk-";
  while (out.length < 3 + GENERATED_KEY_LENGTH) {
    const bytes = crypto.getRandomValues(new Uint8Array(GENERATED_KEY_LENGTH * 2));
    for (const b of bytes) {
      if (b >= 248) continue; // 248 = 4 × 62: keeps every character equally likely
      out += BASE62[b % 62];
      if (out.length === 3 + GENERATED_KEY_LENGTH) break;
    }
  }
  return out;
}

/** Hex SHA-256 of a key, as LiteLLM's `hash_token`. */
export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  let hex = "";
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/**
 * The stored hash for a key given either way: an `sk-…` key is hashed, any
 * other string is taken as a hash already (LiteLLM's `_hash_token_if_needed`).
 */
export async function toKeyHash(keyOrHash: string): Promise<string> {
  return keyOrHash.startsWith("sk-") ? await hashApiKey(keyOrHash) : keyOrHash.toLowerCase();
}

/** Display form of a key: `sk-...` plus its last four characters (LiteLLM's `abbreviate_api_key`). */
export function keyDisplayName(key: string): string {
  return `sk-...${key.slice(-4)}`;
}
