/**
 * Who may request a profile, and who is a person at all: full members of
 * the workspace (guests too where a profile sets `allowGuests`), listed in
 * the profile's `requesterEmails` or a `requesterGroups` group when it has
 * either. Checked when the form lists profiles, at submission, for an
 * extension and again at decision time; the sentences say why plainly.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import type { SlackClient } from "../context.ts";
import { errorText } from "../text.ts";
import {
  type AccountKind,
  lookupAccount,
  type SlackAccount,
  type SlackPerson,
} from "./slack_people.ts";

/** The kinds of account that are not a full member, as a sentence starts. */
const NOT_MEMBERS: Record<Exclude<AccountKind, "member">, string> = {
  guest: "Guest accounts",
  bot: "Bots",
  deactivated: "Deactivated accounts",
};

/** Said when users.info could not tell who the requester is. */
export const UNKNOWN_REQUESTER_TEXT =
  "Slack could not tell the app who you are, so it cannot check what you may request. Try again in a moment.";

/** Whether a profile says who may request it (emails or user groups). */
export function hasRequesterList(profile: Profile): boolean {
  return (profile.requesterEmails?.length ?? 0) > 0 ||
    (profile.requesterGroups?.length ?? 0) > 0;
}

/**
 * Why `account` may not request anything of `profile` for what kind of
 * account it is, or null: only full members, and guests where the profile
 * sets `allowGuests`.
 *
 * @example
 * ```ts
 * accountRequestProblem({ id: "U1", name: "Gus", kind: "guest" }, prod);
 * // "Guest accounts cannot request Production access."
 * ```
 */
export function accountRequestProblem(
  account: SlackAccount | null,
  profile: Profile,
): string | null {
  if (!account) return UNKNOWN_REQUESTER_TEXT;
  if (account.kind === "member") return null;
  if (account.kind === "guest" && profile.allowGuests) return null;
  return `${
    NOT_MEMBERS[account.kind]
  } cannot request ${profile.description} access.`;
}

/**
 * What kind of account bars `account` from approving, as a clause ("Gus
 * Guest is a guest account"), or null for a full member.
 */
export function barredAccountText(account: SlackPerson): string | null {
  if (!account.kind || account.kind === "member") return null;
  const what = {
    guest: "is a guest account",
    bot: "is a bot",
    deactivated: "has a deactivated Slack account",
  }[account.kind];
  return `${account.name} ${what}`;
}

/**
 * Why `account` may not approve for `profile` for what kind of account it
 * is, or null: guests, app users, bots and deactivated accounts never
 * approve (`allowGuests` is for requesters only).
 *
 * @example
 * ```ts
 * accountApproveProblem({ id: "U1", name: "Gus", kind: "guest" }, prod);
 * // "Gus is a guest account, and only full members … can approve Production access. …"
 * ```
 */
export function accountApproveProblem(
  account: SlackPerson,
  profile: Profile,
): string | null {
  const barred = barredAccountText(account);
  return barred
    ? `${barred}, and only full members of the workspace can approve ${profile.description} access. Choose someone else.`
    : null;
}

/**
 * Why `account` may not request `profile` (see
 * {@linkcode accountRequestProblem}), or because the profile lists its
 * requesters and they are not among them (`groupMembers`: the current
 * members of its `requesterGroups`); null when they may.
 */
export function requesterProblem(
  profile: Profile,
  account: SlackAccount | null,
  groupMembers: ReadonlySet<string>,
): string | null {
  const problem = accountRequestProblem(account, profile);
  if (problem || !account || !hasRequesterList(profile)) return problem;
  const listed = !!account.email &&
    (profile.requesterEmails ?? []).includes(account.email);
  if (listed || groupMembers.has(account.id)) return null;
  return `Only the people listed for ${profile.description} may request it, and ${account.name} is not one of them (in \`requesterEmails\` or a \`requesterGroups\` group). Ask a tailnet admin if you need it.`;
}

/**
 * Current members of the given Slack user groups, read now: membership
 * counts when it is checked, not when a request was made. A group Slack
 * cannot list contributes nobody.
 */
export async function usergroupMembers(
  client: SlackClient,
  usergroups: readonly string[],
): Promise<Set<string>> {
  const members = new Set<string>();
  const lists = await Promise.all(usergroups.map(async (usergroup) => {
    try {
      const res = await client.usergroups.users.list({ usergroup });
      if (res.ok) return (res.users ?? []) as string[];
      console.error(`usergroups.users.list ${usergroup}: ${res.error}`);
    } catch (e) {
      console.error(`usergroups.users.list ${usergroup}: ${errorText(e)}`);
    }
    return [];
  }));
  for (const id of lists.flat()) members.add(id);
  return members;
}

/**
 * Why `requesterId` may not request `profile` now (their account, and the
 * profile's requester list read from Slack now), or null. When Slack
 * cannot say who they are, `ifUnknown` is the answer ("try again" unless
 * the caller says otherwise).
 *
 * @example
 * ```ts
 * const problem = await checkRequester(client, profile, "U123");
 * if (problem) return { ok: false, errors: { profile: problem } };
 * ```
 */
export async function checkRequester(
  client: SlackClient,
  profile: Profile,
  requesterId: string,
  ifUnknown: string | null = UNKNOWN_REQUESTER_TEXT,
): Promise<string | null> {
  const [account, members] = await Promise.all([
    lookupAccount(client, requesterId),
    usergroupMembers(client, profile.requesterGroups ?? []),
  ]);
  return account ? requesterProblem(profile, account, members) : ifUnknown;
}

/** The profiles someone may request, and why none when there are none. */
export type EligibleProfiles = { profiles: Profile[]; refusal?: string };

/**
 * The profiles of `all` that `requesterId` may request now, for the form's
 * list: one users.info and one read of each requester group however many
 * profiles name it.
 *
 * @example
 * ```ts
 * const { profiles, refusal } = await eligibleProfiles(client, config.profiles, "U123");
 * ```
 */
export async function eligibleProfiles(
  client: SlackClient,
  all: readonly Profile[],
  requesterId: string,
): Promise<EligibleProfiles> {
  const groups = [...new Set(all.flatMap((p) => p.requesterGroups ?? []))];
  const [account, members] = await Promise.all([
    lookupAccount(client, requesterId),
    usergroupMembers(client, groups),
  ]);
  const profiles = all.filter((p) => !requesterProblem(p, account, members));
  if (profiles.length) return { profiles };
  if (!account) return { profiles, refusal: UNKNOWN_REQUESTER_TEXT };
  const guestsWelcome = account.kind === "guest" &&
    all.some((p) => p.allowGuests);
  if (account.kind !== "member" && !guestsWelcome) {
    return {
      profiles,
      refusal: `${
        NOT_MEMBERS[account.kind]
      } cannot request access with this app.`,
    };
  }
  return {
    profiles,
    refusal:
      "No access profile is open to you: each one lists who may request it. Ask a tailnet admin if you need access.",
  };
}

/** The profiles anyone who is a full member may request (no requester list). */
export function openProfiles(all: readonly Profile[]): Profile[] {
  return all.filter((p) => !hasRequesterList(p));
}
