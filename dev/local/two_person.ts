/**
 * The two-person story of `deno task local --two-person`: a profile that
 * needs two approvals asks every listed approver in their own DM; after
 * the first approval every prompt says "1 of 2" and nothing is granted;
 * the second approval grants once, with both approvers on the record.
 *
 * @module
 */
import { APPROVAL_EVENT, type RequestRecord } from "../../lib/requests/mod.ts";
import type { Casting } from "./cast.ts";
import { showTailscale } from "./outcome.ts";
import { introducePolicy } from "./policies.ts";
import { approveFrom, fillInTheForm, openTheForm, promptTo } from "./scenes.ts";
import {
  attribute,
  attributeWrites,
  newestRecord,
  problemsOf,
  showNewMessages,
  type Stage,
  Stopped,
  type Transcript,
  verdictOf,
} from "./stage.ts";

/** What the two-person story saw, for its verdict. */
export type TwoApprovals = {
  approvers: string[];
  afterFirst: RequestRecord;
  /** Each prompt's text after the first approval. */
  promptsAfterFirst: string[];
  writesAfterFirst: number;
  granted: RequestRecord;
  writes: number;
  attribute: { value: unknown; expiry?: string };
  device: string;
  workflow: string;
};

/** Plays the two-person story on `s`. */
export async function playTwoPerson(
  s: Stage,
  cast: Casting,
): Promise<Transcript> {
  introducePolicy(s, cast, "approvalsRequired: 2");
  const { run, form } = await openTheForm(s);
  const request = await fillInTheForm(s, form);
  const device = request.device.value as string;
  const approvers = s.users.map((u) => u.id).filter((id) => promptTo(s, id));
  if (approvers.length < 2) {
    throw new Stopped(
      `${approvers.length} approver(s) were asked; two approvals need two`,
    );
  }
  const talkers = [s.requester.id, ...approvers].concat(
    s.profile.notifyChannel ?? [],
  );
  showNewMessages(s, talkers, "After the request");
  const [first, second] = approvers;
  await approveFrom(s, first);
  showNewMessages(s, talkers, "After the first approval");
  const afterFirst = newestRecord(s);
  const promptsAfterFirst = approvers.map((id) =>
    JSON.stringify(promptTo(s, id)?.blocks ?? [])
  );
  const writesAfterFirst = attributeWrites(s);
  await approveFrom(s, second);
  showNewMessages(s, talkers, "After the second approval");
  showTailscale(s, run, request.device);
  return judgeTwoPerson(s, {
    approvers: [first, second],
    afterFirst,
    promptsAfterFirst,
    writesAfterFirst,
    granted: newestRecord(s),
    writes: attributeWrites(s),
    attribute: attribute(s, device),
    device,
    workflow: run.status,
  });
}

/** What went wrong in `t`, one phrase each; empty when all held. */
export function twoPersonProblems(t: TwoApprovals): string[] {
  const [first, second] = t.approvers;
  const approvedBy = t.granted.history
    .filter((h) => h.event === APPROVAL_EVENT).map((h) => h.actor);
  return problemsOf([
    [
      t.afterFirst.state === "pending" && t.writesAfterFirst === 0,
      `one approval was enough (${t.afterFirst.state})`,
    ],
    [
      t.promptsAfterFirst.every((p) =>
        p.includes(`1 of 2 approvals: <@${first}>`)
      ),
      "not every prompt said “1 of 2” after the first approval",
    ],
    [t.granted.state === "granted", `it ended ${t.granted.state}`],
    [t.writes === 1, `${t.writes} attribute writes, not one`],
    [t.attribute.value === true, "the attribute is not set"],
    [
      approvedBy.join() === [first, second].join(),
      `the record's approvals are ${approvedBy.join(", ") || "none"}`,
    ],
    [t.workflow === "completed", `the request's workflow ${t.workflow}`],
  ]);
}

/** The verdict: nothing at one approval, one grant at the second. */
export function judgeTwoPerson(s: Stage, t: TwoApprovals): Transcript {
  const problems = twoPersonProblems(t);
  const names = t.approvers.map(s.nameOf).join(" and ");
  return verdictOf(
    s,
    problems,
    `nothing granted after one approval; granted ${s.profile.key} = true on ${t.device} once, until ${t.attribute.expiry}, approved by ${names} (both on the record)`,
    "two-person approval did not hold",
    {
      story: "two-person",
      profile: s.profile.key,
      requester: s.requester.id,
      device: t.device,
      approvers: t.approvers,
      afterFirst: t.afterFirst,
      granted: t.granted,
      attribute: t.attribute,
      messages: s.app.slack.messages,
      tailscaleCalls: s.app.tailscale.calls,
    },
  );
}
