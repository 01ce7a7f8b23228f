/**
 * The admin API of the proxy, in LiteLLM's shapes: virtual keys
 * (`/key/*`), teams (`/team/*`), users (`/user/*`) and spend
 * (`/spend/logs`, `/global/spend/report`), over a {@linkcode Store}.
 *
 * The routes expect an auth middleware to have set `c.get("principal")`;
 * every route needs an admin principal (the master key, or a key made with
 * `admin: true`) and answers 403 otherwise. Errors are OpenAI-shaped
 * (`{ error: { message, type, param, code } }`); a bad field is a 400 that
 * names it. Money fields are in the reporting `currency`.
 *
 * @example Mount behind a (test) auth middleware and make a key
 * ```ts
 * import { Hono } from "hono";
 * import { type AdminEnv, createAdminRoutes } from "./mod.ts";
 * import { openStore } from "../../store/mod.ts";
 *
 * const store = await openStore("sqlite::memory:");
 * const app = new Hono<AdminEnv>();
 * app.use("*", async (c, next) => {
 *   c.set("principal", { kind: "master", admin: true });
 *   await next();
 * });
 * app.route("/", createAdminRoutes({ store, currency: "ZAR" }));
 *
 * const res = await app.request("/key/generate", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ key_alias: "ci", max_budget: 50, budget_duration: "30d" }),
 * });
 * const made = await res.json();
 * console.assert(made.key.startsWith("sk-") && made.currency === "ZAR");
 * console.assert((await store.getKey(made.token))?.key_alias === "ci");
 * await store.close();
 * ```
 *
 * @module
 */

import { Hono } from "hono";
import type { Store } from "../../store/types.ts";
import type { Principal } from "../auth.ts";
import { type BodyLimits, DEFAULT_BODY_LIMITS } from "../body.ts";
import { errorResponse } from "../errors.ts";
import type { AdminContext, AdminEnv } from "./_context.ts";
import { generateApiKey } from "./_keygen.ts";
import { registerKeyRoutes } from "./keys.ts";
import { registerSpendRoutes } from "./spend.ts";
import { registerTeamRoutes } from "./teams.ts";
import { registerUserRoutes } from "./users.ts";

export type { AdminEnv } from "./_context.ts";
export { USER_ROLES } from "./users.ts";
export { SPEND_REPORT_GROUPS, type SpendReportGroupBy } from "./spend.ts";
export type * from "./types.ts";

/** Options of {@linkcode createAdminRoutes}. */
export interface AdminRoutesOptions {
  /** Gateway state. */
  store: Store;
  /** Reporting currency of every money field (ISO 4217; default `"USD"`). */
  currency?: string;
  /** Clock in ms (default `Date.now`), for `expires` and `budget_reset_at`. */
  now?: () => number;
  /** New `sk-…` keys (default: `sk-` + 32 base62 characters from the CSPRNG). */
  generateKey?: () => string;
  /** New team and user ids (default `crypto.randomUUID`). */
  generateId?: () => string;
  /** Body limits (default 10 MiB, depth 64). */
  bodyLimits?: BodyLimits;
  /** Whether a principal may call an admin route (default: `principal.admin`). */
  authorize?: (principal: Principal, route: string) => boolean;
  /** Most ledger rows one `/global/spend/report` reads (default 1,000,000). */
  reportRowLimit?: number;
}

/**
 * Create the admin routes as a Hono app, to mount with
 * `app.route("/", createAdminRoutes({ store }))` after the auth middleware.
 */
export function createAdminRoutes(options: AdminRoutesOptions): Hono<AdminEnv> {
  const ctx: AdminContext = {
    store: options.store,
    now: options.now ?? Date.now,
    currency: options.currency ?? "USD",
    generateKey: options.generateKey ?? generateApiKey,
    generateId: options.generateId ?? (() => crypto.randomUUID()),
    bodyLimits: options.bodyLimits ?? DEFAULT_BODY_LIMITS,
    authorize: options.authorize ?? ((principal) => principal.admin),
    reportRowLimit: options.reportRowLimit ?? 1_000_000,
  };
  const app = new Hono<AdminEnv>();
  app.onError((error) => errorResponse(error));
  registerKeyRoutes(app, ctx);
  registerTeamRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerSpendRoutes(app, ctx);
  return app;
}
