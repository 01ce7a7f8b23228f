/**
 * Authentication of proxy clients. With a master key configured, every model
 * route needs `Authorization: Bearer <key>` (or `x-api-key`, as Anthropic
 * clients send it), compared in constant time. The `Authenticator` type is
 * the seam for virtual keys.
 *
 * @module
 */

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

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Compare two secrets in constant time (by their SHA-256 digests). */
export async function timingSafeEqual(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256(a), sha256(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/**
 * The master-key authenticator: no master key → everyone is `anonymous`
 * (the server warns at start); otherwise the token must match.
 */
export function masterKeyAuthenticator(masterKey: string | undefined): Authenticator {
  return async (token) => {
    if (masterKey === undefined || masterKey === "") return { kind: "anonymous", admin: true };
    if (token === undefined || token === "") {
      throw new AuthenticationError(
        "Authentication error: no API key sent. Pass 'Authorization: Bearer <key>'",
        { code: "missing_api_key" },
      );
    }
    if (await timingSafeEqual(token, masterKey)) return { kind: "master", admin: true };
    throw new AuthenticationError("Authentication error: invalid API key", {
      code: "invalid_api_key",
    });
  };
}
