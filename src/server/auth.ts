/**
 * Authentication of proxy clients. With a master key configured, every model
 * route needs `Authorization: Bearer <key>` (or `x-api-key`, as Anthropic
 * clients send it), compared in constant time. The `Authenticator` type is
 * the seam for virtual keys.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { AuthenticationError } from "../errors.ts";

/** Who a request belongs to, once authenticated. */
export interface Principal {
  /** `"master"` for the master key, `"anonymous"` when auth is off, `"virtual"` for keys. */
  kind: "master" | "anonymous" | "virtual";
  /** Whether this principal may call admin routes. */
  admin: boolean;
  /** Extra data the authenticator attaches (key id, team, limits). */
  data?: Readonly<Record<string, unknown>>;
}

/** Decide who a token belongs to, or throw an `LLMuxError` (401/403). */
export type Authenticator = (token: string | undefined, request: Request) => Promise<Principal>;

/** The token a client sent: `Authorization: Bearer`, `x-api-key`, `api-key` or `x-litellm-api-key`. */
export function extractToken(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth) {
    const m = /^\s*Bearer\s+(.+?)\s*$/i.exec(auth);
    return m ? m[1] : auth.trim();
  }
  return headers.get("x-api-key") ?? headers.get("x-litellm-api-key") ?? headers.get("api-key") ??
    undefined;
}

/** Hex SHA-256 of a token (LiteLLM's `hash_token`); synchronous `node:crypto`, ≈20× cheaper than `crypto.subtle` here. */
export function hashTokenSync(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Compare two equal-length strings (e.g. hex digests) in constant time. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Compare two secrets in constant time (by their SHA-256 digests, so lengths do not leak). */
export function timingSafeEqual(a: string, b: string): boolean {
  return constantTimeEqual(hashTokenSync(a), hashTokenSync(b));
}

/**
 * The master-key authenticator: no master key → everyone is `anonymous`
 * (the server warns at start); otherwise the token must match.
 */
export function masterKeyAuthenticator(masterKey: string | undefined): Authenticator {
  const masterHash = masterKey ? hashTokenSync(masterKey) : undefined;
  return (token) => {
    if (masterHash === undefined) return Promise.resolve({ kind: "anonymous", admin: true });
    if (token === undefined || token === "") {
      return Promise.reject(
        new AuthenticationError(
          "Authentication error: no API key sent. Pass 'Authorization: Bearer <key>'",
          { code: "missing_api_key" },
        ),
      );
    }
    if (constantTimeEqual(hashTokenSync(token), masterHash)) {
      return Promise.resolve({ kind: "master", admin: true });
    }
    return Promise.reject(
      new AuthenticationError("Authentication error: invalid API key", {
        code: "invalid_api_key",
      }),
    );
  };
}
