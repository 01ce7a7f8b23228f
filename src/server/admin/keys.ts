/**
 * Virtual key routes, LiteLLM's `/key/*` admin API: `POST /key/generate`,
 * `GET /key/info`, `POST /key/update`, `POST /key/delete`, `GET /key/list`,
 * `POST /key/regenerate` (and `/key/{key}/regenerate`), `POST /key/block`,
 * `POST /key/unblock`.
 *
 * A key is shown once, in the response that makes it; the store keeps only
 * its SHA-256 (`token`), which is the key's id in every other call. Wherever
 * a route takes a `key`, it accepts the `sk-…` key or its hash.
 *
 * @module
 */

import type { Context, Hono } from "hono";
import { z } from "zod";
import { BadRequestError, NotFoundError } from "../../errors.ts";
import type { KeyPatch, NewKey, VirtualKey } from "../../store/types.ts";
import { type AdminContext, type AdminEnv, queryOf, readBody, requireAdmin } from "./_context.ts";
import { hashApiKey, keyDisplayName, toKeyHash } from "./_keygen.ts";
import { toAdminKey } from "./_shapes.ts";
import { budgetResetAt, expiresAt } from "./_time.ts";
import {
  boolField,
  countField,
  durationField,
  lifetimeField,
  metadataField,
  missingField,
  modelsField,
  moneyField,
  pageField,
  parseWith,
  stringListField,
  textField,
} from "./_validate.ts";
import type { AdminKey, GenerateKeyResponse, KeyInfoResponse, KeyListResponse } from "./types.ts";

/**
 * LiteLLM fields llmux accepts and ignores, because ignoring them never lets
 * a key do more than LiteLLM would (`permissions` only grants extras).
 */
const IGNORED_FIELDS = ["send_invite_email", "config", "permissions"] as const;

/** LiteLLM fields that, as in LiteLLM, are kept inside `metadata`. */
const METADATA_FIELDS = ["tags", "guardrails", "model_rpm_limit", "model_tpm_limit"] as const;

const ignored = Object.fromEntries(IGNORED_FIELDS.map((f) => [f, z.unknown().optional()]));

/**
 * LiteLLM fields that restrict a key, which llmux does not implement: only
 * their "no restriction" values are accepted, so a key never silently gets
 * more than asked for.
 */
const UNRESTRICTED_ONLY = {
  key_type: z.enum(["default", "llm_api"], {
    error: "'default' or 'llm_api' (llmux has no read_only or management keys; use admin: true)",
  }).nullable().optional(),
  aliases: z.record(z.string(), z.unknown()).refine((o) => Object.keys(o).length === 0, {
    error: "{} (per-key model aliases are not supported by llmux)",
  }).nullable().optional(),
  allowed_cache_controls: z.array(z.unknown()).max(0, {
    error: "[] (per-key cache controls are not supported by llmux)",
  }).nullable().optional(),
};

const limitMap = z.record(z.string(), z.number().int().min(0), {
  error: "an object of model name → whole number",
}).nullable().optional();

/** Fields shared by generate, update and regenerate. */
const KEY_FIELDS = {
  key_alias: textField(),
  models: modelsField(),
  max_budget: moneyField(),
  soft_budget: moneyField(),
  budget_duration: durationField(),
  rpm_limit: countField(),
  tpm_limit: countField(),
  max_parallel_requests: countField(),
  metadata: metadataField(),
  team_id: textField(),
  user_id: textField(),
  blocked: boolField(),
  admin: boolField(),
  spend: moneyField(),
  tags: stringListField("tags").nullable().optional(),
  guardrails: stringListField("guardrail names").nullable().optional(),
  model_rpm_limit: limitMap,
  model_tpm_limit: limitMap,
  ...ignored,
  ...UNRESTRICTED_ONLY,
};

const GENERATE_SCHEMA = z.strictObject({
  ...KEY_FIELDS,
  duration: lifetimeField(),
  key: z.string({ error: "an 'sk-…' key" }).optional(),
});

const UPDATE_SCHEMA = z.strictObject({
  ...KEY_FIELDS,
  duration: lifetimeField(),
  key: z.string({ error: "the key or its hash" }).min(1, { error: "the key or its hash" })
    .optional(),
});

const REGENERATE_SCHEMA = UPDATE_SCHEMA.extend({
  new_key: z.string({ error: "an 'sk-…' key" }).optional(),
  grace_period: z.null({
    error: "null (llmux has no grace period: the old key stops working at once)",
  }).optional(),
});

const DELETE_SCHEMA = z.strictObject({
  keys: stringListField("keys or key hashes").optional(),
  key_aliases: stringListField("key aliases").optional(),
});

const BLOCK_SCHEMA = z.strictObject({
  key: z.string({ error: "the key or its hash" }).min(1, { error: "the key or its hash" }),
});

const SORT_COLUMNS = [
  "spend",
  "max_budget",
  "created_at",
  "updated_at",
  "token",
  "key_alias",
] as const;

const LIST_QUERY_SCHEMA = z.object({
  page: pageField(Number.MAX_SAFE_INTEGER),
  size: pageField(100),
  user_id: z.string().optional(),
  team_id: z.string().optional(),
  key_alias: z.string().optional(),
  key_hash: z.string().optional(),
  return_full_object: z.enum(["true", "false"], { error: "true or false" }).optional(),
  sort_by: z.enum(SORT_COLUMNS, { error: `one of ${SORT_COLUMNS.join(", ")}` }).optional(),
  sort_order: z.enum(["asc", "desc"], { error: "asc or desc" }).optional(),
});

type KeyFieldsInput = z.infer<typeof UPDATE_SCHEMA>;

/** A custom key must look like a generated one: `sk-` and no whitespace. */
function checkCustomKey(key: string, field: string, route: string): void {
  if (!key.startsWith("sk-") || key.length < 4 || key.length > 256 || /\s/.test(key)) {
    const masked = key.length > 8 ? `${key.slice(0, 4)}****${key.slice(-4)}` : "****";
    throw new BadRequestError(
      `Invalid value for '${field}' in ${route}: a virtual key must start with 'sk-' and have no whitespace (got ${masked})`,
      { param: field, code: "invalid_value" },
    );
  }
}

/** `metadata` with LiteLLM's metadata-kept fields folded in. */
function foldMetadata(
  data: KeyFieldsInput,
  base: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const folded = METADATA_FIELDS.filter((f) => data[f] !== undefined);
  if (data.metadata === undefined && folded.length === 0) return undefined;
  const metadata = { ...(data.metadata ?? base) };
  for (const f of folded) {
    const value = data[f];
    if (value === null) delete metadata[f];
    else metadata[f] = value;
  }
  return metadata;
}

async function checkTeam(ctx: AdminContext, teamId: string, route: string): Promise<void> {
  if (!(await ctx.store.getTeam(teamId))) {
    throw new BadRequestError(
      `Invalid value for 'team_id' in ${route}: team '${teamId}' does not exist. Create it with /team/new`,
      { param: "team_id", code: "team_not_found" },
    );
  }
}

async function checkAlias(ctx: AdminContext, alias: string, ownToken?: string): Promise<void> {
  const existing = await ctx.store.getKeyByAlias(alias);
  if (existing && existing.token !== ownToken) {
    throw new BadRequestError(
      `Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`,
      { param: "key_alias", code: "duplicate_key_alias" },
    );
  }
}

/** The patch a body asks for (fields present only), validating references. */
async function toKeyPatch(
  ctx: AdminContext,
  data: KeyFieldsInput,
  existing: VirtualKey,
  route: string,
): Promise<KeyPatch> {
  const patch: KeyPatch = {};
  const now = ctx.now();
  if (data.key_alias !== undefined) {
    if (data.key_alias !== null) await checkAlias(ctx, data.key_alias, existing.token);
    patch.key_alias = data.key_alias;
  }
  if (data.team_id !== undefined) {
    if (data.team_id !== null) await checkTeam(ctx, data.team_id, route);
    patch.team_id = data.team_id;
  }
  if (data.user_id !== undefined) patch.user_id = data.user_id;
  if (data.models !== undefined) patch.models = data.models;
  if (data.max_budget !== undefined) patch.max_budget = data.max_budget;
  if (data.soft_budget !== undefined) patch.soft_budget = data.soft_budget;
  if (data.rpm_limit !== undefined) patch.rpm_limit = data.rpm_limit;
  if (data.tpm_limit !== undefined) patch.tpm_limit = data.tpm_limit;
  if (data.max_parallel_requests !== undefined) {
    patch.max_parallel_requests = data.max_parallel_requests;
  }
  if (data.blocked !== undefined) patch.blocked = data.blocked;
  if (data.admin !== undefined) patch.admin = data.admin;
  if (data.spend !== undefined && data.spend !== null) patch.spend = data.spend;
  if (data.budget_duration !== undefined) {
    patch.budget_duration = data.budget_duration;
    patch.budget_reset_at = data.budget_duration === null
      ? null
      : budgetResetAt(data.budget_duration, now);
  }
  if (data.duration !== undefined) {
    patch.expires = data.duration === null ? null : expiresAt(data.duration, now);
  }
  const metadata = foldMetadata(data, existing.metadata);
  if (metadata !== undefined) patch.metadata = metadata;
  return patch;
}

function generated(key: string, stored: VirtualKey, currency: string): GenerateKeyResponse {
  return { key, ...toAdminKey(stored, currency), token_id: stored.token };
}

/** Find a key by `sk-…` key or hash, or throw 404. */
async function findKey(ctx: AdminContext, keyOrHash: string): Promise<VirtualKey> {
  const key = await ctx.store.getKey(await toKeyHash(keyOrHash));
  if (!key) {
    throw new NotFoundError("Key not found in database", { param: "key", code: "key_not_found" });
  }
  return key;
}

function compareKeys(
  by: (typeof SORT_COLUMNS)[number],
  order: "asc" | "desc",
): (a: VirtualKey, b: VirtualKey) => number {
  const sign = order === "asc" ? 1 : -1;
  return (a, b) => {
    const x = a[by];
    const y = b[by];
    let c = 0;
    if (x === null && y !== null) c = -1;
    else if (x !== null && y === null) c = 1;
    else if (x !== null && y !== null) c = x < y ? -1 : x > y ? 1 : 0;
    if (c === 0) c = a.token < b.token ? -1 : a.token > b.token ? 1 : 0;
    return sign * c;
  };
}

/**
 * Register the `/key/*` routes on an admin app.
 *
 * @param app The admin Hono app.
 * @param ctx Resolved admin options.
 */
export function registerKeyRoutes(app: Hono<AdminEnv>, ctx: AdminContext): void {
  app.post("/key/generate", async (c) => {
    const route = "/key/generate";
    requireAdmin(c, ctx, route);
    const data = parseWith(GENERATE_SCHEMA, await readBody(c, ctx), route);
    if (data.key !== undefined) checkCustomKey(data.key, "key", route);
    if (data.team_id) await checkTeam(ctx, data.team_id, route);
    if (data.key_alias) await checkAlias(ctx, data.key_alias);
    const raw = data.key ?? ctx.generateKey();
    const token = await hashApiKey(raw);
    if (await ctx.store.getKey(token)) {
      throw new BadRequestError(`Invalid value for 'key' in ${route}: this key already exists`, {
        param: "key",
        code: "duplicate_key",
      });
    }
    const now = ctx.now();
    const budgetDuration = data.budget_duration ?? null;
    const newKey: NewKey = {
      token,
      key_name: keyDisplayName(raw),
      key_alias: data.key_alias ?? null,
      models: data.models ?? [],
      expires: data.duration ? expiresAt(data.duration, now) : null,
      metadata: foldMetadata(data, {}) ?? {},
      team_id: data.team_id ?? null,
      user_id: data.user_id ?? null,
      blocked: data.blocked ?? false,
      admin: data.admin ?? false,
      max_budget: data.max_budget ?? null,
      soft_budget: data.soft_budget ?? null,
      budget_duration: budgetDuration,
      budget_reset_at: budgetDuration === null ? null : budgetResetAt(budgetDuration, now),
      rpm_limit: data.rpm_limit ?? null,
      tpm_limit: data.tpm_limit ?? null,
      max_parallel_requests: data.max_parallel_requests ?? null,
      spend: data.spend ?? 0,
    };
    const stored = await ctx.store.createKey(newKey);
    return c.json(generated(raw, stored, ctx.currency));
  });

  app.get("/key/info", async (c) => {
    const route = "/key/info";
    requireAdmin(c, ctx, route);
    const given = queryOf(c).key;
    if (!given) throw missingField("key", route);
    const { token, ...info } = toAdminKey(await findKey(ctx, given), ctx.currency);
    const body: KeyInfoResponse = { key: token, info };
    return c.json(body);
  });

  app.post("/key/update", async (c) => {
    const route = "/key/update";
    requireAdmin(c, ctx, route);
    const data = parseWith(UPDATE_SCHEMA, await readBody(c, ctx), route);
    if (data.key === undefined) throw missingField("key", route);
    const existing = await findKey(ctx, data.key);
    const patch = await toKeyPatch(ctx, data, existing, route);
    const updated = Object.keys(patch).length === 0
      ? existing
      : await ctx.store.updateKey(existing.token, patch);
    if (!updated) throw new NotFoundError("Key not found in database", { param: "key" });
    return c.json({ key: updated.token, ...toAdminKey(updated, ctx.currency) });
  });

  app.post("/key/delete", async (c) => {
    const route = "/key/delete";
    requireAdmin(c, ctx, route);
    const data = parseWith(DELETE_SCHEMA, await readBody(c, ctx), route);
    const given: { id: string; token: string | undefined }[] = [];
    if (data.keys && data.keys.length > 0) {
      for (const id of data.keys) given.push({ id, token: await toKeyHash(id) });
    } else if (data.key_aliases && data.key_aliases.length > 0) {
      for (const id of data.key_aliases) {
        given.push({ id, token: (await ctx.store.getKeyByAlias(id))?.token });
      }
    } else {
      throw new BadRequestError(
        `Invalid request to ${route}: at least one of 'keys' or 'key_aliases' must be provided`,
        { param: "keys", code: "missing_field" },
      );
    }
    const tokens = [...new Set(given.flatMap((g) => (g.token ? [g.token] : [])))];
    const deleted = new Set(tokens.length > 0 ? await ctx.store.deleteKeys(tokens) : []);
    if (deleted.size === 0) {
      throw new NotFoundError("No keys found", { param: data.keys ? "keys" : "key_aliases" });
    }
    return c.json({
      deleted_keys: given.filter((g) => g.token && deleted.has(g.token)).map((g) => g.id),
    });
  });

  app.get("/key/list", async (c) => {
    const route = "/key/list";
    requireAdmin(c, ctx, route);
    const q = parseWith(LIST_QUERY_SCHEMA, queryOf(c), route);
    const page = q.page ?? 1;
    const size = q.size ?? 10;
    let keys = await ctx.store.listKeys({
      ...(q.team_id !== undefined ? { team_id: q.team_id } : {}),
      ...(q.user_id !== undefined ? { user_id: q.user_id } : {}),
      ...(q.key_alias !== undefined ? { key_alias: q.key_alias } : {}),
    });
    if (q.key_hash !== undefined) {
      const hash = await toKeyHash(q.key_hash);
      keys = keys.filter((k) => k.token === hash);
    }
    keys.sort(compareKeys(q.sort_by ?? "created_at", q.sort_order ?? "desc"));
    const slice = keys.slice((page - 1) * size, page * size);
    const body: KeyListResponse = {
      keys: q.return_full_object === "true"
        ? slice.map((k): AdminKey => toAdminKey(k, ctx.currency))
        : slice.map((k) => k.token),
      total_count: keys.length,
      current_page: page,
      total_pages: Math.ceil(keys.length / size),
    };
    return c.json(body);
  });

  const regenerate = async (c: Context<AdminEnv>, pathKey: string | undefined) => {
    const route = pathKey === undefined ? "/key/regenerate" : "/key/{key}/regenerate";
    requireAdmin(c, ctx, route);
    const data = parseWith(REGENERATE_SCHEMA, await readBody(c, ctx, { optional: true }), route);
    const given = data.key ?? pathKey;
    if (!given) throw missingField("key", route);
    const existing = await findKey(ctx, given);
    if (data.new_key !== undefined) checkCustomKey(data.new_key, "new_key", route);
    const patch = await toKeyPatch(ctx, data, existing, route);
    const raw = data.new_key ?? ctx.generateKey();
    const token = await hashApiKey(raw);
    if (token !== existing.token && (await ctx.store.getKey(token))) {
      throw new BadRequestError(
        `Invalid value for 'new_key' in ${route}: this key already exists`,
        {
          param: "new_key",
          code: "duplicate_key",
        },
      );
    }
    let stored = await ctx.store.replaceKeyToken(existing.token, {
      token,
      key_name: keyDisplayName(raw),
    });
    if (stored && Object.keys(patch).length > 0) stored = await ctx.store.updateKey(token, patch);
    if (!stored) throw new NotFoundError("Key not found in database", { param: "key" });
    return c.json(generated(raw, stored, ctx.currency));
  };
  app.post("/key/regenerate", (c) => regenerate(c, undefined));
  app.post("/key/:key/regenerate", (c) => regenerate(c, c.req.param("key")));

  for (const [path, blocked] of [["/key/block", true], ["/key/unblock", false]] as const) {
    app.post(path, async (c) => {
      requireAdmin(c, ctx, path);
      const data = parseWith(BLOCK_SCHEMA, await readBody(c, ctx), path);
      const existing = await findKey(ctx, data.key);
      const updated = await ctx.store.updateKey(existing.token, { blocked });
      if (!updated) throw new NotFoundError("Key not found in database", { param: "key" });
      return c.json(toAdminKey(updated, ctx.currency));
    });
  }
}
