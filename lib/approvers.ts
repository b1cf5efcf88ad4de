/**
 * Who may approve a request for a profile, as offered in the form and as
 * checked when the form is submitted.
 *
 * @module
 */
import type { SlackAPI } from "deno-slack-sdk/mod.ts";
import { z } from "zod";
import type { Profile } from "./config_schema.ts";

type SlackClient = ReturnType<typeof SlackAPI>;

/** Radio buttons can show at most this many approvers. */
export const MAX_RADIO_APPROVERS = 10;

/** A Slack user as the app needs to know them. */
export type SlackPerson = {
  id: string;
  name: string;
  email?: string;
  tz?: string;
  tzOffset?: number;
};

/** The approver field of the form, by case. */
export type ApproverField =
  /** Still looking approvers up; shown while the modal opens. */
  | { kind: "loading" }
  /** The requester may approve and nobody else is configured. */
  | { kind: "self" }
  /** Up to ten configured approvers, found in Slack. */
  | { kind: "choices"; approvers: SlackPerson[]; notFound: string[] }
  /** A user picker: no list configured, or more than ten. */
  | { kind: "picker"; restricted: boolean }
  /** Nobody can approve this for the requester; `reason` says why. */
  | { kind: "nobody"; reason: string };

const SlackUserSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  real_name: z.string().optional(),
  deleted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
  tz: z.string().optional(),
  tz_offset: z.number().optional(),
  profile: z.object({
    email: z.string().optional(),
    real_name: z.string().optional(),
    display_name: z.string().optional(),
  }).optional(),
});

/** Turns a `users.info` / `users.lookupByEmail` user into a person, or null for deleted users and bots. */
export function toPerson(user: unknown): SlackPerson | null {
  const parsed = SlackUserSchema.safeParse(user);
  if (!parsed.success || parsed.data.deleted || parsed.data.is_bot) {
    return null;
  }
  const u = parsed.data;
  return {
    id: u.id,
    name: u.profile?.real_name || u.real_name || u.profile?.display_name ||
      u.name || u.id,
    email: u.profile?.email?.toLowerCase(),
    tz: u.tz,
    tzOffset: u.tz_offset,
  };
}

/** Looks a user up by ID; null when Slack does not know them (or fails). */
export function lookupPerson(
  client: SlackClient,
  userId: string,
): Promise<SlackPerson | null> {
  // One event asks about the same people several times (the approver's
  // check, the grant's comment, the messages): one users.info each.
  let known = lookups.get(client);
  if (!known) lookups.set(client, known = new Map());
  let found = known.get(userId);
  if (!found) known.set(userId, found = fetchPerson(client, userId));
  return found;
}

/** People already looked up, per client (that is, per event). */
const lookups = new WeakMap<
  SlackClient,
  Map<string, Promise<SlackPerson | null>>
>();

async function fetchPerson(
  client: SlackClient,
  userId: string,
): Promise<SlackPerson | null> {
  try {
    const res = await client.users.info({ user: userId });
    return res.ok ? toPerson(res.user) : null;
  } catch (e) {
    console.warn(`users.info failed: ${e instanceof Error ? e.message : e}`);
    return null;
  }
}

/** Works out the approver field of the form for `profile` and `requesterId`. */
export async function approverField(
  client: SlackClient,
  profile: Profile,
  requesterId: string,
): Promise<ApproverField> {
  const emails = profile.approverEmails ?? [];
  const groups = profile.approverGroups ?? [];
  if (emails.length === 0 && groups.length === 0) {
    return profile.canSelfApprove
      ? { kind: "self" }
      : { kind: "picker", restricted: false };
  }
  const members = [...await approverGroupMembers(client, profile)];
  if (emails.length + members.length > MAX_RADIO_APPROVERS) {
    return { kind: "picker", restricted: true };
  }
  const found = await Promise.all(emails.map(async (email) => {
    try {
      const res = await client.users.lookupByEmail({ email });
      return res.ok ? toPerson(res.user) : null;
    } catch {
      return null;
    }
  }));
  const fromGroups = await Promise.all(
    members.map((id) => lookupPerson(client, id)),
  );
  const people: SlackPerson[] = [];
  for (const p of [...found, ...fromGroups]) {
    if (p && !people.some((q) => q.id === p.id)) people.push(p);
  }
  const notFound = emails.filter((_, i) => found[i] === null);
  const approvers = people.filter((p) =>
    profile.canSelfApprove || p.id !== requesterId
  );
  if (approvers.length > 0) {
    return { kind: "choices", approvers, notFound };
  }
  if (people.length > 0) {
    return {
      kind: "nobody",
      reason:
        `You are the only approver configured for ${profile.description}, and this profile does not allow self-approval. ` +
        "Ask a tailnet admin to add another approver to `approverEmails` in config.ts.",
    };
  }
  return {
    kind: "nobody",
    reason:
      `None of the approvers configured for ${profile.description} could be found in Slack (${
        [...emails, ...groups.map((g) => `group ${g}`)].join(", ")
      }). ` +
      "Ask a tailnet admin to fix `approverEmails` or `approverGroups` in config.ts.",
  };
}

/**
 * Checks a chosen approver against the profile, as the form's submission
 * handler must (the form only helps). Returns an error sentence, or null.
 */
export function approverProblem(
  profile: Profile,
  requesterId: string,
  approver: SlackPerson | null,
  groupMembers: ReadonlySet<string> = new Set(),
): string | null {
  if (!approver) return "That approver could not be found in Slack.";
  if (approver.id === requesterId && !profile.canSelfApprove) {
    return `You cannot approve your own access to ${profile.description}. Choose someone else.`;
  }
  const emails = profile.approverEmails ?? [];
  const groups = profile.approverGroups ?? [];
  if (emails.length || groups.length) {
    const byEmail = !!approver.email && emails.includes(approver.email);
    if (!byEmail && !groupMembers.has(approver.id)) {
      return `${approver.name} cannot approve access to ${profile.description}${
        groups.length ? " (not a listed approver or in an approver group)" : ""
      }. Choose one of its approvers.`;
    }
  }
  return null;
}

/**
 * Current members of the profile's approver groups (`approverGroups`), read
 * from Slack now: membership counts when someone decides, not when the
 * request was made. A group Slack cannot list contributes nobody.
 */
export async function approverGroupMembers(
  client: SlackClient,
  profile: Profile,
): Promise<Set<string>> {
  const members = new Set<string>();
  for (const usergroup of profile.approverGroups ?? []) {
    try {
      const res = await client.usergroups.users.list({ usergroup });
      if (!res.ok) {
        console.error(`usergroups.users.list ${usergroup}: ${res.error}`);
        continue;
      }
      for (const id of (res.users ?? []) as string[]) members.add(id);
    } catch (e) {
      console.error(
        `usergroups.users.list ${usergroup}: ${
          e instanceof Error ? e.message : e
        }`,
      );
    }
  }
  return members;
}

/** "3:04 PM" in the person's own time zone, for choosing an approver. */
export function localTime(person: SlackPerson, now: Date): string {
  if (person.tz) {
    try {
      return new Intl.DateTimeFormat("en-US", {
        timeZone: person.tz,
        hour: "numeric",
        minute: "2-digit",
      }).format(now);
    } catch {
      // Unknown zone name: fall back to the offset below.
    }
  }
  const shifted = new Date(now.getTime() + (person.tzOffset ?? 0) * 1000);
  return new Intl.DateTimeFormat("en-US", {
    timeZone: "UTC",
    hour: "numeric",
    minute: "2-digit",
  }).format(shifted);
}
