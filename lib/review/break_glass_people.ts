/**
 * Who hears of an emergency (break-glass) grant and who may review it: the
 * profile's approvers (listed emails found in Slack, and its approver
 * groups' members), never the requester; config.ts's admins when the
 * profile lists nobody. Admins may always review.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import type { SlackClient } from "../context.ts";
import { isAdmin } from "../grants/mod.ts";
import { lookupPerson, toPerson } from "../people/mod.ts";
import { approverMentions } from "../blocks/mod.ts";
import type { DecisionContext } from "./context.ts";
import { approverGroupMembers } from "./approvers.ts";

/** Who is told of an emergency grant: DM recipients and channel mentions. */
export type BreakGlassReviewers = { ids: string[]; mentions: string[] };

/** The Slack user IDs of `emails`, those Slack knows. */
async function idsOf(
  client: SlackClient,
  emails: readonly string[],
): Promise<string[]> {
  const found = await Promise.all(emails.map(async (email) => {
    try {
      const res = await client.users.lookupByEmail({ email });
      return res.ok ? toPerson(res.user)?.id ?? null : null;
    } catch {
      return null;
    }
  }));
  return found.filter((id): id is string => id !== null);
}

/**
 * The people to tell of `requesterId`'s emergency grant on `profile`, and
 * how the channel mentions them (groups as groups).
 *
 * @example
 * ```ts
 * const { ids, mentions } = await breakGlassReviewers(ctx, profile, "U_ALICE");
 * ```
 */
export async function breakGlassReviewers(
  ctx: Pick<DecisionContext, "client" | "config">,
  profile: Profile,
  requesterId: string,
): Promise<BreakGlassReviewers> {
  const groups = profile.approverGroups ?? [];
  const [listed, members] = await Promise.all([
    idsOf(ctx.client, profile.approverEmails ?? []),
    approverGroupMembers(ctx.client, profile),
  ]);
  const others = (ids: Iterable<string>) =>
    [...new Set(ids)].filter((id) => id !== requesterId);
  const ids = others([...listed, ...members]);
  if (ids.length || groups.length) {
    return { ids, mentions: approverMentions(others(listed), groups) };
  }
  const admins = others(await idsOf(ctx.client, ctx.config.admins));
  return { ids: admins, mentions: approverMentions(admins, []) };
}

/**
 * Whether `actor` may acknowledge or revoke `requesterId`'s emergency grant
 * on `profile`: a config admin, or one of its approvers (looked up now),
 * never the requester. A profile that lists no approvers: admins only.
 */
export async function mayReviewBreakGlass(
  ctx: Pick<DecisionContext, "client" | "config">,
  profile: Profile,
  requesterId: string,
  actor: string,
): Promise<boolean> {
  const person = await lookupPerson(ctx.client, actor);
  if (isAdmin(ctx.config, person?.email)) return true;
  if (actor === requesterId || !person) return false;
  const email = person.email?.toLowerCase();
  if (email && (profile.approverEmails ?? []).includes(email)) return true;
  if (!profile.approverGroups?.length) return false;
  return (await approverGroupMembers(ctx.client, profile)).has(actor);
}
