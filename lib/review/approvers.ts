/**
 * Who may approve a request for a profile, as offered in the form and as
 * checked when the form is submitted.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import type { SlackClient } from "../context.ts";
import {
  accountApproveProblem,
  barredAccountText,
  lookupPerson,
  type SlackPerson,
  toPerson,
  usergroupMembers,
} from "../people/mod.ts";
import { everyApproverField } from "./every_approver.ts";

/** Radio buttons can show at most this many approvers. */
export const MAX_RADIO_APPROVERS = 10;

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
  | { kind: "nobody"; reason: string }
  /** `required` approvals needed: every one of `approvers` is asked. */
  | {
    kind: "all";
    approvers: SlackPerson[];
    required: number;
    notFound: string[];
  };

/** Works out the approver field of the form for `profile` and `requesterId`. */
export async function approverField(
  client: SlackClient,
  profile: Profile,
  requesterId: string,
): Promise<ApproverField> {
  if (profile.approvalsRequired > 1) {
    return await everyApproverField(client, profile, requesterId);
  }
  const emails = profile.approverEmails ?? [];
  const groups = profile.approverGroups ?? [];
  // A guest who may request never approves, not even their own request.
  const requester = await lookupPerson(client, requesterId);
  const canSelfApprove = profile.canSelfApprove &&
    !(requester && accountApproveProblem(requester, profile));
  if (emails.length === 0 && groups.length === 0) {
    return canSelfApprove
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
  const { people, barred } = offered([...found, ...fromGroups], profile);
  const notFound = emails.filter((_, i) => found[i] === null);
  const approvers = people.filter((p) =>
    canSelfApprove || p.id !== requesterId
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
  if (barred.length > 0) {
    return {
      kind: "nobody",
      reason:
        `None of the approvers configured for ${profile.description} may approve: ${
          barred.map(barredAccountText).join("; ")
        }, and only full members of the workspace approve. ` +
        "Ask a tailnet admin to fix `approverEmails` or `approverGroups` in config.ts.",
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
 * The people found, once each, split into those who may approve and those
 * whose account bars them (guests and app users: never offered).
 */
function offered(
  found: readonly (SlackPerson | null)[],
  profile: Profile,
): { people: SlackPerson[]; barred: SlackPerson[] } {
  const people: SlackPerson[] = [];
  const barred: SlackPerson[] = [];
  for (const p of found) {
    if (!p || [...people, ...barred].some((q) => q.id === p.id)) continue;
    (accountApproveProblem(p, profile) ? barred : people).push(p);
  }
  return { people, barred };
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
  const account = accountApproveProblem(approver, profile);
  if (account) return account;
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
export function approverGroupMembers(
  client: SlackClient,
  profile: Profile,
): Promise<Set<string>> {
  return usergroupMembers(client, profile.approverGroups ?? []);
}
