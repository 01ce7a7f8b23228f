/**
 * Team routes, LiteLLM's `/team/*` admin API: `POST /team/new`,
 * `POST /team/update`, `POST /team/delete`, `GET /team/info`,
 * `GET /team/list`, `POST /team/member_add`, `POST /team/member_delete`,
 * `POST /team/block`, `POST /team/unblock`.
 *
 * Members are users: adding a member by `user_id` or `user_email` creates
 * the user when absent (as LiteLLM does), and every member's `teams` lists
 * the team. Deleting a team deletes its keys.
 *
 * @module
 */

import type { Hono } from "hono";
import { z } from "zod";
import { BadRequestError, NotFoundError } from "../../errors.ts";
import type { NewTeam, Team, TeamMember, TeamPatch } from "../../store/types.ts";
import { type AdminContext, type AdminEnv, queryOf, readBody, requireAdmin } from "./_context.ts";
import { joinTeam, leaveTeam, memberEmails, type MemberInput, resolveMember } from "./_members.ts";
import { toAdminKey, toAdminTeam, toAdminUser } from "./_shapes.ts";
import { budgetResetAt } from "./_time.ts";
import {
  boolField,
  countField,
  durationField,
  metadataField,
  missingField,
  modelsField,
  moneyField,
  parseWith,
  stringListField,
  textField,
} from "./_validate.ts";
import type { AdminTeam, AdminUser, TeamAddMemberResponse, TeamInfoResponse } from "./types.ts";

/** A member: `role` and one of `user_id` / `user_email` (LiteLLM's `Member`). */
const MEMBER_SCHEMA: z.ZodType<MemberInput> = z.object({
  user_id: z.string({ error: "a user id" }).min(1, { error: "a user id" }).optional(),
  user_email: z.string({ error: "an email address" }).min(3, { error: "an email address" })
    .optional(),
  role: z.enum(["admin", "user"], { error: "'admin' or 'user'" }),
}).refine((m) => m.user_id !== undefined || m.user_email !== undefined, {
  error: "a member with a user_id or a user_email",
}) as z.ZodType<MemberInput>;

/** LiteLLM team fields kept inside `metadata`, as LiteLLM does. */
const METADATA_FIELDS = ["tags", "guardrails"] as const;

const TEAM_FIELDS = {
  team_alias: textField(),
  models: modelsField(),
  max_budget: moneyField(),
  soft_budget: moneyField(),
  budget_duration: durationField(),
  rpm_limit: countField(),
  tpm_limit: countField(),
  max_parallel_requests: countField(),
  metadata: metadataField(),
  blocked: boolField(),
  tags: stringListField("tags").nullable().optional(),
  guardrails: stringListField("guardrail names").nullable().optional(),
};

const NEW_SCHEMA = z.strictObject({
  ...TEAM_FIELDS,
  team_id: z.string({ error: "a team id" }).min(1, { error: "a team id" }).max(256, {
    error: "a team id of at most 256 characters",
  }).optional(),
  members_with_roles: z.array(MEMBER_SCHEMA, { error: "a list of members" }).optional(),
  // Deprecated LiteLLM member lists: accepted when empty.
  admins: z.array(z.unknown()).max(0, { error: "empty: use members_with_roles" }).optional(),
  members: z.array(z.unknown()).max(0, { error: "empty: use members_with_roles" }).optional(),
});

const UPDATE_SCHEMA = z.strictObject({
  ...TEAM_FIELDS,
  team_id: z.string({ error: "a team id" }).optional(),
});

const TEAM_ID_SCHEMA = z.strictObject({ team_id: z.string({ error: "a team id" }).optional() });

const DELETE_SCHEMA = z.strictObject({
  team_ids: stringListField("team ids").optional(),
});

const MEMBER_ADD_SCHEMA = z.strictObject({
  team_id: z.string({ error: "a team id" }).optional(),
  member: z.union([MEMBER_SCHEMA, z.array(MEMBER_SCHEMA).min(1)], {
    error: "a member ({ role, user_id | user_email }) or a list of members",
  }).optional(),
  max_budget_in_team: z.null({ error: "null: per-member team budgets are not supported by llmux" })
    .optional(),
});

const MEMBER_DELETE_SCHEMA = z.strictObject({
  team_id: z.string({ error: "a team id" }).optional(),
  user_id: z.string({ error: "a user id" }).optional(),
  user_email: z.string({ error: "an email address" }).optional(),
});

type TeamFieldsInput = z.infer<typeof UPDATE_SCHEMA>;

function foldMetadata(
  data: TeamFieldsInput,
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

function teamNotFound(teamId: string): NotFoundError {
  return new NotFoundError(`Team not found, passed team_id=${teamId}`, {
    param: "team_id",
    code: "team_not_found",
  });
}

async function getTeamOr404(ctx: AdminContext, teamId: string): Promise<Team> {
  const team = await ctx.store.getTeam(teamId);
  if (!team) throw teamNotFound(teamId);
  return team;
}

async function showTeam(ctx: AdminContext, team: Team): Promise<AdminTeam> {
  return toAdminTeam(team, ctx.currency, await memberEmails(ctx, [team]));
}

/**
 * Add members to a team (creating their users when absent); a member
 * already in the team is a 400, as in LiteLLM.
 */
async function addMembers(
  ctx: AdminContext,
  team: Team,
  members: readonly MemberInput[],
): Promise<{ team: Team; users: AdminUser[] }> {
  const roles = new Map(team.members_with_roles.map((m) => [m.user_id, m.role]));
  const added: TeamMember[] = [];
  const users: AdminUser[] = [];
  for (const member of members) {
    const user = await resolveMember(ctx, member);
    if (roles.has(user.user_id)) {
      throw new BadRequestError(`User=${user.user_id} already in team=${team.team_id}`, {
        param: "member",
        code: "team_member_already_in_team",
      });
    }
    roles.set(user.user_id, member.role);
    added.push({ user_id: user.user_id, role: member.role });
    users.push(toAdminUser(await joinTeam(ctx, user, team.team_id), ctx.currency));
  }
  const updated = await ctx.store.updateTeam(team.team_id, {
    members_with_roles: [...team.members_with_roles, ...added],
  });
  if (!updated) throw teamNotFound(team.team_id);
  return { team: updated, users };
}

/**
 * Register the `/team/*` routes on an admin app.
 *
 * @param app The admin Hono app.
 * @param ctx Resolved admin options.
 */
export function registerTeamRoutes(app: Hono<AdminEnv>, ctx: AdminContext): void {
  app.post("/team/new", async (c) => {
    const route = "/team/new";
    requireAdmin(c, ctx, route);
    const data = parseWith(NEW_SCHEMA, await readBody(c, ctx), route);
    const teamId = data.team_id ?? ctx.generateId();
    if (await ctx.store.getTeam(teamId)) {
      throw new BadRequestError(
        `Team id = ${teamId} already exists. Please use a different team id.`,
        { param: "team_id", code: "duplicate_team_id" },
      );
    }
    const members = data.members_with_roles ?? [];
    const seen = new Set<string>();
    for (const [i, m] of members.entries()) {
      const id = m.user_id !== undefined
        ? `id:${m.user_id}`
        : `email:${m.user_email?.toLowerCase()}`;
      if (seen.has(id)) {
        throw new BadRequestError(
          `Invalid value for 'members_with_roles[${i}]' in ${route}: the same user is listed twice`,
          { param: `members_with_roles[${i}]`, code: "invalid_value" },
        );
      }
      seen.add(id);
    }
    const budgetDuration = data.budget_duration ?? null;
    const newTeam: NewTeam = {
      team_id: teamId,
      team_alias: data.team_alias ?? null,
      models: data.models ?? [],
      members_with_roles: [],
      metadata: foldMetadata(data, {}) ?? {},
      blocked: data.blocked ?? false,
      max_budget: data.max_budget ?? null,
      soft_budget: data.soft_budget ?? null,
      budget_duration: budgetDuration,
      budget_reset_at: budgetDuration === null ? null : budgetResetAt(budgetDuration, ctx.now()),
      rpm_limit: data.rpm_limit ?? null,
      tpm_limit: data.tpm_limit ?? null,
      max_parallel_requests: data.max_parallel_requests ?? null,
    };
    let team = await ctx.store.createTeam(newTeam);
    if (members.length > 0) team = (await addMembers(ctx, team, members)).team;
    return c.json(await showTeam(ctx, team));
  });

  app.post("/team/update", async (c) => {
    const route = "/team/update";
    requireAdmin(c, ctx, route);
    const data = parseWith(UPDATE_SCHEMA, await readBody(c, ctx), route);
    if (data.team_id === undefined) throw missingField("team_id", route);
    const existing = await getTeamOr404(ctx, data.team_id);
    const patch: TeamPatch = {};
    if (data.team_alias !== undefined) patch.team_alias = data.team_alias;
    if (data.models !== undefined) patch.models = data.models;
    if (data.max_budget !== undefined) patch.max_budget = data.max_budget;
    if (data.soft_budget !== undefined) patch.soft_budget = data.soft_budget;
    if (data.rpm_limit !== undefined) patch.rpm_limit = data.rpm_limit;
    if (data.tpm_limit !== undefined) patch.tpm_limit = data.tpm_limit;
    if (data.max_parallel_requests !== undefined) {
      patch.max_parallel_requests = data.max_parallel_requests;
    }
    if (data.blocked !== undefined) patch.blocked = data.blocked;
    if (data.budget_duration !== undefined) {
      patch.budget_duration = data.budget_duration;
      patch.budget_reset_at = data.budget_duration === null
        ? null
        : budgetResetAt(data.budget_duration, ctx.now());
    }
    const metadata = foldMetadata(data, existing.metadata);
    if (metadata !== undefined) patch.metadata = metadata;
    const updated = Object.keys(patch).length === 0
      ? existing
      : await ctx.store.updateTeam(existing.team_id, patch);
    if (!updated) throw teamNotFound(existing.team_id);
    return c.json({ team_id: updated.team_id, data: await showTeam(ctx, updated) });
  });

  app.post("/team/delete", async (c) => {
    const route = "/team/delete";
    requireAdmin(c, ctx, route);
    const data = parseWith(DELETE_SCHEMA, await readBody(c, ctx), route);
    if (!data.team_ids || data.team_ids.length === 0) throw missingField("team_ids", route);
    const teams: Team[] = [];
    for (const id of data.team_ids) teams.push(await getTeamOr404(ctx, id));
    for (const team of teams) {
      const keys = await ctx.store.listKeys({ team_id: team.team_id });
      if (keys.length > 0) await ctx.store.deleteKeys(keys.map((k) => k.token));
      for (const m of team.members_with_roles) await leaveTeam(ctx, m.user_id, team.team_id);
    }
    const deleted = await ctx.store.deleteTeams(teams.map((t) => t.team_id));
    return c.json({ deleted_teams: deleted });
  });

  app.get("/team/info", async (c) => {
    const route = "/team/info";
    requireAdmin(c, ctx, route);
    const teamId = queryOf(c).team_id;
    if (!teamId) throw missingField("team_id", route);
    const team = await getTeamOr404(ctx, teamId);
    const keys = await ctx.store.listKeys({ team_id: team.team_id });
    const body: TeamInfoResponse = {
      team_id: team.team_id,
      team_info: await showTeam(ctx, team),
      keys: keys.map((k) => toAdminKey(k, ctx.currency)),
      team_memberships: [],
    };
    return c.json(body);
  });

  app.get("/team/list", async (c) => {
    const route = "/team/list";
    requireAdmin(c, ctx, route);
    const userId = queryOf(c).user_id;
    let teams = await ctx.store.listTeams();
    if (userId) teams = teams.filter((t) => t.members_with_roles.some((m) => m.user_id === userId));
    teams.sort((a, b) =>
      (a.team_alias ?? "").localeCompare(b.team_alias ?? "") || a.team_id.localeCompare(b.team_id)
    );
    const emails = await memberEmails(ctx, teams);
    const keys = await ctx.store.listKeys();
    return c.json(teams.map((t) => ({
      ...toAdminTeam(t, ctx.currency, emails),
      keys: keys.filter((k) => k.team_id === t.team_id).map((k) => toAdminKey(k, ctx.currency)),
      team_memberships: [],
    })));
  });

  app.post("/team/member_add", async (c) => {
    const route = "/team/member_add";
    requireAdmin(c, ctx, route);
    const data = parseWith(MEMBER_ADD_SCHEMA, await readBody(c, ctx), route);
    if (data.team_id === undefined) throw missingField("team_id", route);
    if (data.member === undefined) throw missingField("member", route);
    const team = await getTeamOr404(ctx, data.team_id);
    const members = Array.isArray(data.member) ? data.member : [data.member];
    const result = await addMembers(ctx, team, members);
    const body: TeamAddMemberResponse = {
      ...(await showTeam(ctx, result.team)),
      updated_users: result.users,
      updated_team_memberships: [],
    };
    return c.json(body);
  });

  app.post("/team/member_delete", async (c) => {
    const route = "/team/member_delete";
    requireAdmin(c, ctx, route);
    const data = parseWith(MEMBER_DELETE_SCHEMA, await readBody(c, ctx), route);
    if (data.team_id === undefined) throw missingField("team_id", route);
    if (data.user_id === undefined && data.user_email === undefined) {
      throw new BadRequestError(
        `Invalid request to ${route}: either user_id or user_email must be provided`,
        { param: "user_id", code: "missing_field" },
      );
    }
    const team = await getTeamOr404(ctx, data.team_id);
    let userId = data.user_id;
    if (userId === undefined) {
      const email = data.user_email!.toLowerCase();
      const users = await ctx.store.listUsers();
      userId = users.find((u) =>
        u.user_email?.toLowerCase() === email &&
        team.members_with_roles.some((m) => m.user_id === u.user_id)
      )?.user_id;
    }
    if (userId === undefined || !team.members_with_roles.some((m) => m.user_id === userId)) {
      throw new BadRequestError("User not found in team", {
        param: data.user_id !== undefined ? "user_id" : "user_email",
        code: "team_member_not_found",
      });
    }
    const updated = await ctx.store.updateTeam(team.team_id, {
      members_with_roles: team.members_with_roles.filter((m) => m.user_id !== userId),
    });
    if (!updated) throw teamNotFound(team.team_id);
    await leaveTeam(ctx, userId, team.team_id);
    return c.json(await showTeam(ctx, updated));
  });

  for (const [path, blocked] of [["/team/block", true], ["/team/unblock", false]] as const) {
    app.post(path, async (c) => {
      requireAdmin(c, ctx, path);
      const data = parseWith(TEAM_ID_SCHEMA, await readBody(c, ctx), path);
      if (data.team_id === undefined) throw missingField("team_id", path);
      const team = await getTeamOr404(ctx, data.team_id);
      const updated = await ctx.store.updateTeam(team.team_id, { blocked });
      if (!updated) throw teamNotFound(team.team_id);
      return c.json(await showTeam(ctx, updated));
    });
  }
}
