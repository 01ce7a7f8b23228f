/**
 * The virtual-key authenticator: the master key (compared in constant
 * time) is the admin; any other token is hashed (SHA-256 hex, as LiteLLM
 * stores keys) and looked up, with its team and user, through the
 * {@linkcode EntityCache}. Unknown, expired or blocked keys, and keys of a
 * blocked team, get 401 with LiteLLM's wording.
 *
 * @module
 */

import { AuthenticationError } from "../../errors.ts";
import type { Team, User, VirtualKey } from "../../store/types.ts";
import { type Authenticator, constantTimeEqual, hashTokenSync, type Principal } from "../auth.ts";
import type { EntityCache } from "./cache.ts";

/** What a virtual key's {@linkcode Principal.data} holds. */
export type VirtualKeyData = {
  /** The key's hash. */
  token: string;
  /** The key row. */
  key: VirtualKey;
  /** Its team's row, if it has a team that exists. */
  team: Team | undefined;
  /** Its user's row, if it has a user that exists. */
  user: User | undefined;
};

/** The key rows of a virtual-key principal, or undefined for any other principal. */
export function virtualKeyOf(principal: Principal | undefined): VirtualKeyData | undefined {
  if (principal?.kind !== "virtual") return undefined;
  const data = principal.data as Partial<VirtualKeyData> | undefined;
  return data?.key === undefined ? undefined : data as VirtualKeyData;
}

/** Options of {@linkcode createVirtualKeyAuthenticator}. */
export interface VirtualKeyAuthOptions {
  /** The master key; without one every request is anonymous (auth is off, as in LiteLLM). */
  masterKey: string | undefined;
  /** Cached key, team and user rows. */
  cache: EntityCache;
  /** Clock in ms (default `Date.now`), for key expiry. */
  now?: () => number;
}

/** Hex SHA-256 of a token (LiteLLM's `hash_token`). */
export function hashToken(token: string): Promise<string> {
  return Promise.resolve(hashTokenSync(token));
}

/**
 * Authenticate the master key and virtual keys.
 *
 * @example
 * ```ts
 * import { createVirtualKeyAuthenticator, hashToken } from "./auth.ts";
 * import { createEntityCache } from "./cache.ts";
 * import type { Store } from "../../store/types.ts";
 * const store = { getKey: () => Promise.resolve(undefined) } as unknown as Store;
 * const authenticate = createVirtualKeyAuthenticator({
 *   masterKey: "sk-master",
 *   cache: createEntityCache(store),
 * });
 * const master = await authenticate("sk-master", new Request("http://x/"));
 * console.assert(master.kind === "master" && master.admin);
 * const denied = await authenticate("sk-nope", new Request("http://x/")).catch((e) => e.status);
 * console.assert(denied === 401);
 * ```
 */
export function createVirtualKeyAuthenticator(options: VirtualKeyAuthOptions): Authenticator {
  const { masterKey, cache } = options;
  const now = options.now ?? Date.now;
  const masterHash = masterKey ? hashToken(masterKey) : undefined;
  return async (token) => {
    if (masterHash === undefined) return { kind: "anonymous", admin: true };
    if (token === undefined || token === "") {
      throw new AuthenticationError(
        "Authentication error: no API key sent. Pass 'Authorization: Bearer <key>'",
        { code: "missing_api_key" },
      );
    }
    const hash = await hashToken(token);
    if (constantTimeEqual(hash, await masterHash)) return { kind: "master", admin: true };
    const key = await cache.key(hash);
    if (key === undefined) {
      throw new AuthenticationError("Authentication error: invalid API key", {
        code: "invalid_api_key",
      });
    }
    if (key.blocked) {
      throw new AuthenticationError(
        `Authentication error: key ${key.key_name} is blocked. An admin can unblock it with /key/unblock`,
        { code: "key_blocked" },
      );
    }
    if (key.expires !== null) {
      const expires = Date.parse(key.expires);
      if (!(expires > now())) {
        throw new AuthenticationError(
          `Authentication error: expired key. Key expiry time ${key.expires} and current time ${
            new Date(now()).toISOString()
          }`,
          { code: "expired_key" },
        );
      }
    }
    const [team, user] = await Promise.all([
      key.team_id === null ? undefined : cache.team(key.team_id),
      key.user_id === null ? undefined : cache.user(key.user_id),
    ]);
    if (team?.blocked) {
      throw new AuthenticationError(
        `Authentication error: team ${team.team_id} is blocked. An admin can unblock it with /team/unblock`,
        { code: "team_blocked" },
      );
    }
    const data: VirtualKeyData = { token: hash, key, team, user };
    return { kind: "virtual", admin: key.admin, data };
  };
}
