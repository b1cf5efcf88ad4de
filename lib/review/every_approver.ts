/**
 * Everyone who may decide a request, for the profiles that ask them all:
 * two-person approval (`approvalsRequired` above 1) asks every eligible
 * approver at once, and an escalation offers an undecided request to the
 * ones not asked yet.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import type { SlackClient } from "../context.ts";
import { lookupPerson, type SlackPerson, toPerson } from "../people/mod.ts";
import { approverGroupMembers, approverProblem } from "./approvers.ts";

/** The profile's eligible approvers, and the listed emails not in Slack. */
export type EligibleApprovers = {
  approvers: SlackPerson[];
  notFound: string[];
};

/**
 * The profile's approvers who may decide for `requesterId` now: its
 * `approverEmails` found in Slack and its `approverGroups`' members, minus
 * the requester (who never counts, even with `canSelfApprove`) and anyone
 * the approver rules refuse.
 *
 * @example
 * ```ts
 * const { approvers } = await eligibleApprovers(client, profile, requesterId);
 * // post the prompt to each of approvers
 * ```
 */
export async function eligibleApprovers(
  client: SlackClient,
  profile: Profile,
  requesterId: string,
): Promise<EligibleApprovers> {
  const emails = profile.approverEmails ?? [];
  const members = await approverGroupMembers(client, profile);
  const [found, fromGroups] = await Promise.all([
    Promise.all(emails.map(async (email) => {
      try {
        const res = await client.users.lookupByEmail({ email });
        return res.ok ? toPerson(res.user) : null;
      } catch {
        return null;
      }
    })),
    Promise.all([...members].map((id) => lookupPerson(client, id))),
  ]);
  const approvers: SlackPerson[] = [];
  for (const p of [...found, ...fromGroups]) {
    if (!p || p.id === requesterId || approvers.some((q) => q.id === p.id)) {
      continue;
    }
    if (approverProblem(profile, requesterId, p, members) === null) {
      approvers.push(p);
    }
  }
  return { approvers, notFound: emails.filter((_, i) => found[i] === null) };
}

/**
 * The form's approver field for a profile that needs `approvalsRequired`
 * approvals: who will be asked (all of them), or why nobody can approve.
 */
export async function everyApproverField(
  client: SlackClient,
  profile: Profile,
  requesterId: string,
): Promise<
  | {
    kind: "all";
    approvers: SlackPerson[];
    required: number;
    notFound: string[];
  }
  | { kind: "nobody"; reason: string }
> {
  const { approvers, notFound } = await eligibleApprovers(
    client,
    profile,
    requesterId,
  );
  const required = profile.approvalsRequired;
  if (approvers.length >= required) {
    return { kind: "all", approvers, required, notFound };
  }
  return {
    kind: "nobody",
    reason:
      `${profile.description} needs ${required} approvals from people other than you, but only ${approvers.length} of its approvers can be found in Slack. ` +
      "Ask a tailnet admin to add approvers to `approverEmails` or `approverGroups` in config.ts.",
  };
}
