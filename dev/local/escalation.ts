/**
 * The escalation story of `deno task local --escalation`: the chosen
 * approver does not decide; when the emulators' clock passes the
 * profile's `escalateAfterSeconds`, the request is offered to the other
 * approvers and posted to the notify channel, and one of them approves.
 *
 * @module
 */
import { formatDuration } from "../../lib/durations.ts";
import type { RequestRecord } from "../../lib/requests/mod.ts";
import type { Casting } from "./cast.ts";
import { showTailscale } from "./outcome.ts";
import { introducePolicy } from "./policies.ts";
import { approveFrom, fillInTheForm, openTheForm, promptTo } from "./scenes.ts";
import {
  attribute,
  moveClock,
  newestRecord,
  problemsOf,
  showNewMessages,
  type Stage,
  Stopped,
  type Transcript,
  verdictOf,
} from "./stage.ts";

const MINUTE = 60_000;

/** What the escalation story saw, for its verdict. */
export type Escalated = {
  asked: string;
  /** Others with a prompt before the escalation time. */
  promptedEarly: string[];
  /** Others with a prompt after it. */
  offered: string[];
  channel: string;
  decided: RequestRecord;
  attribute: { value: unknown; expiry?: string };
  /** The comment the grant left in Tailscale. */
  comment: string;
  device: string;
  workflow: string;
};

/** Plays the escalation story on `s`. */
export async function playEscalation(
  s: Stage,
  cast: Casting,
): Promise<Transcript> {
  introducePolicy(s, cast, "escalateAfterSeconds");
  const after = s.profile.escalateAfterSeconds!;
  const { run, form } = await openTheForm(s);
  const sentAt = s.app.slack.now();
  const request = await fillInTheForm(s, form);
  const asked = request.approverId;
  const everyone = s.users.map((u) => u.id).concat(
    s.profile.notifyChannel ?? [],
  );
  showNewMessages(s, everyone, "After the request");
  const others = s.users.map((u) => u.id).filter((id) =>
    id !== asked && id !== s.requester.id
  );
  const promptedEarly = others.filter((id) => promptTo(s, id));
  await moveClock(
    s,
    sentAt + after * 1000 + MINUTE,
    `${formatDuration(after)} and a minute without a decision`,
  );
  showNewMessages(s, everyone, "After the escalation time");
  const offered = others.filter((id) => promptTo(s, id));
  if (!offered.length) {
    throw new Stopped("the request was offered to nobody else");
  }
  await approveFrom(s, offered[0]);
  showNewMessages(s, everyone, "After the decision");
  showTailscale(s, run, request.device);
  const device = request.device.value as string;
  return judgeEscalation(s, {
    asked,
    promptedEarly,
    offered,
    channel: JSON.stringify(
      s.app.slack.messagesIn(s.profile.notifyChannel ?? "").map((m) => m.text),
    ),
    decided: newestRecord(s),
    attribute: attribute(s, device),
    comment: lastComment(s),
    device,
    workflow: run.status,
  });
}

/** The comment of the last attribute write (who approved, in Tailscale). */
function lastComment(s: Stage): string {
  const write = s.app.tailscale.calls.findLast((c) =>
    c.method === "POST" && c.path.includes("/attributes/")
  );
  return String((write?.body as { comment?: unknown })?.comment ?? "");
}

/** A demo person's email, for Tailscale's comment. */
function emailOf(s: Stage, id: string): string {
  return s.users.find((u) => u.id === id)?.email ?? id;
}

/** What went wrong in `e`, one phrase each; empty when all held. */
export function escalationProblems(s: Stage, e: Escalated): string[] {
  return problemsOf([
    [
      e.promptedEarly.length === 0,
      `offered to ${e.promptedEarly.map(s.nameOf).join(", ")} too early`,
    ],
    [
      !s.profile.notifyChannel || e.channel.includes("No decision after"),
      "the notify channel was not told",
    ],
    [
      e.decided.state === "granted" && e.decided.decided_by === e.offered[0],
      `not granted by ${s.nameOf(e.offered[0])} (${e.decided.state})`,
    ],
    [e.attribute.value === true, "the attribute is not set"],
    [
      e.comment.includes(`approved by ${emailOf(s, e.offered[0])}`),
      `Tailscale's comment does not name ${
        s.nameOf(e.offered[0])
      }: ${e.comment}`,
    ],
    [e.workflow === "completed", `the request's workflow ${e.workflow}`],
  ]);
}

/** The verdict: offered to the others at the escalation, granted by one. */
export function judgeEscalation(s: Stage, e: Escalated): Transcript {
  const problems = escalationProblems(s, e);
  return verdictOf(
    s,
    problems,
    `${s.nameOf(e.asked)} did not decide; after ${
      formatDuration(s.profile.escalateAfterSeconds!)
    } it was offered to ${e.offered.map(s.nameOf).join(", ")}, and ${
      s.nameOf(e.offered[0])
    }'s approval granted ${s.profile.key} = true on ${e.device}`,
    "the escalation did not hold",
    {
      story: "escalation",
      profile: s.profile.key,
      requester: s.requester.id,
      device: e.device,
      asked: e.asked,
      offered: e.offered,
      decided: e.decided,
      attribute: e.attribute,
      messages: s.app.slack.messages,
      tailscaleCalls: s.app.tailscale.calls,
    },
  );
}
