/**
 * Team membership shared by `/team/*` and `/user/new`: finding or creating
 * the user behind a member (by `user_id` or `user_email`, as LiteLLM's
 * `add_new_member` does) and keeping `User.teams` in step with
 * `Team.members_with_roles`. Private to `src/server/admin`.
 *
 * @module
 */

import type { NewUser, Team, User } from "../../store/types.ts";
import type { AdminContext } from "./_context.ts";

/** A member as requests give it. */
export interface MemberInput {
  /** The user's id. */
  user_id?: string | undefined;
  /** The user's email (used when no id is given). */
  user_email?: string | undefined;
  /** Role in the team. */
  role: "admin" | "user";
}

/** A user row with no limits, for members created on the fly. */
export function blankUser(userId: string, email: string | null, role = "internal_user"): NewUser {
  return {
    user_id: userId,
    user_email: email,
    user_role: role,
    models: [],
    teams: [],
    metadata: {},
    max_budget: null,
    soft_budget: null,
    budget_duration: null,
    budget_reset_at: null,
    rpm_limit: null,
    tpm_limit: null,
    max_parallel_requests: null,
  };
}

/** A user by email, case-insensitively. */
export async function findUserByEmail(
  ctx: AdminContext,
  email: string,
): Promise<User | undefined> {
  const wanted = email.trim().toLowerCase();
  return (await ctx.store.listUsers()).find((u) => u.user_email?.toLowerCase() === wanted);
}

/**
 * The user behind a member: by id (created when absent, with the email if
 * given), else by email (created with a new id when absent).
 */
export async function resolveMember(ctx: AdminContext, member: MemberInput): Promise<User> {
  if (member.user_id !== undefined) {
    const found = await ctx.store.getUser(member.user_id);
    if (found) return found;
    return await ctx.store.createUser(blankUser(member.user_id, member.user_email ?? null));
  }
  const email = member.user_email ?? "";
  const found = await findUserByEmail(ctx, email);
  if (found) return found;
  return await ctx.store.createUser(blankUser(ctx.generateId(), email));
}

/** Add `teamId` to a user's `teams` (no-op when present); returns the user. */
export async function joinTeam(ctx: AdminContext, user: User, teamId: string): Promise<User> {
  if (user.teams.includes(teamId)) return user;
  return (await ctx.store.updateUser(user.user_id, { teams: [...user.teams, teamId] })) ?? user;
}

/** Remove `teamId` from a user's `teams`, when the user exists. */
export async function leaveTeam(ctx: AdminContext, userId: string, teamId: string): Promise<void> {
  const user = await ctx.store.getUser(userId);
  if (user && user.teams.includes(teamId)) {
    await ctx.store.updateUser(userId, { teams: user.teams.filter((t) => t !== teamId) });
  }
}

/** Member id → email, for showing `members_with_roles`. */
export async function memberEmails(
  ctx: AdminContext,
  teams: readonly Team[],
): Promise<Map<string, string | null>> {
  const ids = new Set(teams.flatMap((t) => t.members_with_roles.map((m) => m.user_id)));
  const emails = new Map<string, string | null>();
  if (ids.size === 0) return emails;
  for (const u of await ctx.store.listUsers()) {
    if (ids.has(u.user_id)) emails.set(u.user_id, u.user_email);
  }
  return emails;
}
