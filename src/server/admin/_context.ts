/**
 * What every admin route shares: the resolved options, the admin check and
 * body reading. Private to `src/server/admin`.
 *
 * @module
 */

import type { Context } from "hono";
import { AuthenticationError, PermissionDeniedError } from "../../errors.ts";
import type { Store } from "../../store/types.ts";
import type { Principal } from "../auth.ts";
import { type BodyLimits, readJsonBody } from "../body.ts";

/** The Hono env the admin routes read: the principal set by the auth middleware. */
export type AdminEnv = { Variables: { principal: Principal } };

/** The admin routes' resolved options. */
export interface AdminContext {
  /** Gateway state. */
  store: Store;
  /** Clock in ms. */
  now: () => number;
  /** Reporting currency (ISO 4217) of every money field. */
  currency: string;
  /** New `sk-…` keys. */
  generateKey: () => string;
  /** New team and user ids. */
  generateId: () => string;
  /** Body limits. */
  bodyLimits: BodyLimits;
  /** Whether a principal may call an admin route. */
  authorize: (principal: Principal, route: string) => boolean;
  /** Most ledger rows one spend report reads. */
  reportRowLimit: number;
}

/**
 * Throw unless the request's principal may call `route`: 401 without a
 * principal (no auth middleware ran), 403 for a non-admin.
 */
export function requireAdmin(c: Context<AdminEnv>, ctx: AdminContext, route: string): void {
  const principal = c.get("principal") as Principal | undefined;
  if (principal === undefined) {
    throw new AuthenticationError(`Authentication error: ${route} needs an API key`, {
      code: "missing_api_key",
    });
  }
  if (!ctx.authorize(principal, route)) {
    throw new PermissionDeniedError(
      `Only the master key (or an admin key) can call ${route}`,
      { code: "admin_only" },
    );
  }
}

/**
 * The JSON object body of a request. With `optional`, a request without a
 * body (no `content-length` or `content-length: 0`) reads as `{}`.
 */
export async function readBody(
  c: Context<AdminEnv>,
  ctx: AdminContext,
  options: { optional?: boolean } = {},
): Promise<Record<string, unknown>> {
  const raw = c.req.raw;
  if (options.optional && (raw.body === null || raw.headers.get("content-length") === "0")) {
    return {};
  }
  return await readJsonBody(raw, ctx.bodyLimits);
}

/** The query string as a plain object (first value of each name). */
export function queryOf(c: Context<AdminEnv>): Record<string, string> {
  return c.req.query();
}
