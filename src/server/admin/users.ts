/**
 * User routes, LiteLLM's internal-user admin API: `POST /user/new`,
 * `GET /user/info`, `POST /user/update`, `GET /user/list`.
 *
 * As in LiteLLM, `/user/new` also makes a key for the user (shown once in
 * the response) unless `auto_create_key: false`, and adds the user to the
 * `teams` given.
 *
 * @module
 */

import type { Hono } from "hono";
import { z } from "zod";
import { BadRequestError, NotFoundError } from "../../errors.ts";
import type { NewKey, Team, User, UserPatch, VirtualKey } from "../../store/types.ts";
import { type AdminContext, type AdminEnv, queryOf, readBody, requireAdmin } from "./_context.ts";
import { hashApiKey, keyDisplayName } from "./_keygen.ts";
import { blankUser, findUserByEmail, joinTeam, memberEmails } from "./_members.ts";
import { toAdminKey, toAdminTeam, toAdminUser } from "./_shapes.ts";
import { budgetResetAt, expiresAt } from "./_time.ts";
import {
  countField,
  durationField,
  lifetimeField,
  metadataField,
  missingField,
  modelsField,
  moneyField,
  pageField,
  parseWith,
  textField,
} from "./_validate.ts";
import type { AdminUser, NewUserResponse, UserInfoResponse } from "./types.ts";

/** Roles `/user/new` accepts (LiteLLM's `NewUserRequest.user_role`). */
export const USER_ROLES = [
  "proxy_admin",
  "proxy_admin_viewer",
  "internal_user",
  "internal_user_viewer",
] as const;

const TEAM_REF_SCHEMA = z.union([
  z.string().min(1),
  z.strictObject({
    team_id: z.string().min(1),
    user_role: z.enum(["admin", "user"]).optional(),
    max_budget_in_team: z.null().optional(),
  }),
], { error: "a team id or { team_id, user_role }" });

const USER_FIELDS = {
  user_email: z.string({ error: "an email address" }).min(3, { error: "an email address" })
    .max(320, { error: "an email address" }).nullable().optional(),
  user_alias: textField(),
  user_role: z.enum(USER_ROLES, { error: `one of ${USER_ROLES.join(", ")}` }).optional(),
  models: modelsField(),
  max_budget: moneyField(),
  soft_budget: moneyField(),
  budget_duration: durationField(),
  rpm_limit: countField(),
  tpm_limit: countField(),
  max_parallel_requests: countField(),
  metadata: metadataField(),
  spend: moneyField(),
  send_invite_email: z.unknown().optional(),
};

const NEW_SCHEMA = z.strictObject({
  ...USER_FIELDS,
  user_id: z.string({ error: "a user id" }).min(1, { error: "a user id" }).max(256, {
    error: "a user id of at most 256 characters",
  }).optional(),
  teams: z.array(TEAM_REF_SCHEMA, { error: "a list of team ids" }).nullable().optional(),
  team_id: textField(),
  auto_create_key: z.boolean({ error: "true or false" }).optional(),
  key_alias: textField(),
  duration: lifetimeField(),
});

const UPDATE_SCHEMA = z.strictObject({
  ...USER_FIELDS,
  user_id: z.string({ error: "a user id" }).optional(),
});

const LIST_QUERY_SCHEMA = z.object({
  page: pageField(Number.MAX_SAFE_INTEGER),
  page_size: pageField(100),
  role: z.string().optional(),
  team: z.string().optional(),
});

function withAlias(
  metadata: Record<string, unknown>,
  alias: string | null | undefined,
): Record<string, unknown> {
  if (alias === undefined) return metadata;
  const out = { ...metadata };
  if (alias === null) delete out.user_alias;
  else out.user_alias = alias;
  return out;
}

function userNotFound(userId: string): NotFoundError {
  return new NotFoundError(`User ${userId} not found`, {
    param: "user_id",
    code: "user_not_found",
  });
}

async function teamsOf(ctx: AdminContext, user: User): Promise<Team[]> {
  const teams = await ctx.store.listTeams();
  return teams.filter((t) =>
    user.teams.includes(t.team_id) || t.members_with_roles.some((m) => m.user_id === user.user_id)
  );
}

/**
 * Register the `/user/*` routes on an admin app.
 *
 * @param app The admin Hono app.
 * @param ctx Resolved admin options.
 */
export function registerUserRoutes(app: Hono<AdminEnv>, ctx: AdminContext): void {
  app.post("/user/new", async (c) => {
    const route = "/user/new";
    requireAdmin(c, ctx, route);
    const data = parseWith(NEW_SCHEMA, await readBody(c, ctx), route);
    if (data.user_id !== undefined && (await ctx.store.getUser(data.user_id))) {
      throw new BadRequestError(`User with id ${data.user_id} already exists`, {
        status: 409,
        param: "user_id",
        code: "duplicate_user_id",
      });
    }
    if (data.user_email && (await findUserByEmail(ctx, data.user_email))) {
      throw new BadRequestError(`User with email ${data.user_email.trim()} already exists`, {
        status: 409,
        param: "user_email",
        code: "duplicate_user_email",
      });
    }
    // Every referenced team must exist before anything is written.
    const teamRefs = (data.teams ?? []).map((t) =>
      typeof t === "string" ? { team_id: t, role: "user" as const } : {
        team_id: t.team_id,
        role: t.user_role ?? ("user" as const),
      }
    );
    if (data.team_id) teamRefs.push({ team_id: data.team_id, role: "user" });
    const teams = new Map<string, Team>();
    for (const ref of teamRefs) {
      const team = await ctx.store.getTeam(ref.team_id);
      if (!team) {
        throw new BadRequestError(
          `Invalid value for 'teams' in ${route}: team '${ref.team_id}' does not exist`,
          { param: data.team_id === ref.team_id ? "team_id" : "teams", code: "team_not_found" },
        );
      }
      teams.set(ref.team_id, team);
    }
    const makeKey = data.auto_create_key ?? true;
    if (makeKey && data.key_alias && (await ctx.store.getKeyByAlias(data.key_alias))) {
      throw new BadRequestError(
        `Key with alias '${data.key_alias}' already exists. Unique key aliases across all keys are required.`,
        { param: "key_alias", code: "duplicate_key_alias" },
      );
    }

    const now = ctx.now();
    const userId = data.user_id ?? ctx.generateId();
    const budgetDuration = data.budget_duration ?? null;
    let user = await ctx.store.createUser({
      ...blankUser(userId, data.user_email ?? null, data.user_role ?? "internal_user"),
      models: data.models ?? [],
      metadata: withAlias(data.metadata ?? {}, data.user_alias),
      max_budget: data.max_budget ?? null,
      soft_budget: data.soft_budget ?? null,
      budget_duration: budgetDuration,
      budget_reset_at: budgetDuration === null ? null : budgetResetAt(budgetDuration, now),
      rpm_limit: data.rpm_limit ?? null,
      tpm_limit: data.tpm_limit ?? null,
      max_parallel_requests: data.max_parallel_requests ?? null,
      spend: data.spend ?? 0,
    });
    for (const ref of teamRefs) {
      const team = (await ctx.store.getTeam(ref.team_id)) ?? teams.get(ref.team_id)!;
      if (!team.members_with_roles.some((m) => m.user_id === userId)) {
        await ctx.store.updateTeam(team.team_id, {
          members_with_roles: [...team.members_with_roles, { user_id: userId, role: ref.role }],
        });
      }
      user = await joinTeam(ctx, user, team.team_id);
    }

    let raw = "";
    let key: VirtualKey | undefined;
    if (makeKey) {
      raw = ctx.generateKey();
      const newKey: NewKey = {
        token: await hashApiKey(raw),
        key_name: keyDisplayName(raw),
        key_alias: data.key_alias ?? null,
        models: data.models ?? [],
        expires: data.duration ? expiresAt(data.duration, now) : null,
        metadata: {},
        team_id: data.team_id ?? null,
        user_id: userId,
        blocked: false,
        admin: false,
        max_budget: null,
        soft_budget: null,
        budget_duration: null,
        budget_reset_at: null,
        rpm_limit: null,
        tpm_limit: null,
        max_parallel_requests: null,
      };
      key = await ctx.store.createKey(newKey);
    }
    const body: NewUserResponse = {
      ...toAdminUser(user, ctx.currency),
      key: raw,
      token: key?.token ?? null,
      key_name: key?.key_name ?? null,
      key_alias: key?.key_alias ?? null,
      expires: key?.expires ?? null,
    };
    return c.json(body);
  });

  app.get("/user/info", async (c) => {
    const route = "/user/info";
    requireAdmin(c, ctx, route);
    const userId = queryOf(c).user_id;
    if (!userId) throw missingField("user_id", route);
    const user = await ctx.store.getUser(userId);
    if (!user) throw userNotFound(userId);
    const teams = await teamsOf(ctx, user);
    const emails = await memberEmails(ctx, teams);
    const keys = await ctx.store.listKeys({ user_id: userId });
    const body: UserInfoResponse = {
      user_id: userId,
      user_info: toAdminUser(user, ctx.currency),
      keys: keys.map((k) => toAdminKey(k, ctx.currency)),
      teams: teams.map((t) => toAdminTeam(t, ctx.currency, emails)),
    };
    return c.json(body);
  });

  app.post("/user/update", async (c) => {
    const route = "/user/update";
    requireAdmin(c, ctx, route);
    const data = parseWith(UPDATE_SCHEMA, await readBody(c, ctx), route);
    let user: User | undefined;
    if (data.user_id !== undefined) user = await ctx.store.getUser(data.user_id);
    else if (data.user_email) user = await findUserByEmail(ctx, data.user_email);
    else throw missingField("user_id", route);
    if (!user) throw userNotFound(data.user_id ?? data.user_email ?? "");
    const patch: UserPatch = {};
    if (data.user_id !== undefined && data.user_email !== undefined) {
      const other = data.user_email ? await findUserByEmail(ctx, data.user_email) : undefined;
      if (other && other.user_id !== user.user_id) {
        throw new BadRequestError(`User with email ${data.user_email} already exists`, {
          status: 409,
          param: "user_email",
          code: "duplicate_user_email",
        });
      }
      patch.user_email = data.user_email;
    }
    if (data.user_role !== undefined) patch.user_role = data.user_role;
    if (data.models !== undefined) patch.models = data.models;
    if (data.max_budget !== undefined) patch.max_budget = data.max_budget;
    if (data.soft_budget !== undefined) patch.soft_budget = data.soft_budget;
    if (data.rpm_limit !== undefined) patch.rpm_limit = data.rpm_limit;
    if (data.tpm_limit !== undefined) patch.tpm_limit = data.tpm_limit;
    if (data.max_parallel_requests !== undefined) {
      patch.max_parallel_requests = data.max_parallel_requests;
    }
    if (data.spend !== undefined && data.spend !== null) patch.spend = data.spend;
    if (data.budget_duration !== undefined) {
      patch.budget_duration = data.budget_duration;
      patch.budget_reset_at = data.budget_duration === null
        ? null
        : budgetResetAt(data.budget_duration, ctx.now());
    }
    if (data.metadata !== undefined || data.user_alias !== undefined) {
      patch.metadata = withAlias(data.metadata ?? user.metadata, data.user_alias);
    }
    const updated = Object.keys(patch).length === 0
      ? user
      : await ctx.store.updateUser(user.user_id, patch);
    if (!updated) throw userNotFound(user.user_id);
    return c.json({ user_id: updated.user_id, data: toAdminUser(updated, ctx.currency) });
  });

  app.get("/user/list", async (c) => {
    const route = "/user/list";
    requireAdmin(c, ctx, route);
    const q = parseWith(LIST_QUERY_SCHEMA, queryOf(c), route);
    const page = q.page ?? 1;
    const pageSize = q.page_size ?? 25;
    let users = await ctx.store.listUsers();
    if (q.role) users = users.filter((u) => u.user_role === q.role);
    if (q.team) users = users.filter((u) => u.teams.includes(q.team!));
    users.sort((a, b) =>
      b.created_at.localeCompare(a.created_at) || a.user_id.localeCompare(b.user_id)
    );
    const slice: AdminUser[] = users.slice((page - 1) * pageSize, page * pageSize)
      .map((u) => toAdminUser(u, ctx.currency));
    return c.json({
      users: slice,
      total: users.length,
      page,
      page_size: pageSize,
      total_pages: Math.ceil(users.length / pageSize),
    });
  });
}
