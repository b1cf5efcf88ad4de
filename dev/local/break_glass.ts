/**
 * The break-glass story of `deno task local --break-glass`: the requester
 * chooses "Emergency: grant now"; the grant is made at once, without an
 * approver; the channel is told (mentioning the approvers) and each
 * approver gets Acknowledge and Revoke; one acknowledges, and "My
 * Tailscale access" shows it.
 *
 * @module
 */
import { formatDuration } from "../../lib/durations.ts";
import type { RequestRecord } from "../../lib/requests/mod.ts";
import type { Casting } from "./cast.ts";
import { showTailscale } from "./outcome.ts";
import { introducePolicy } from "./policies.ts";
import { fillInTheForm, openMyAccess, openTheForm } from "./scenes.ts";
import {
  type Json,
  newestRecord,
  problemsOf,
  showNewMessages,
  type Stage,
  Stopped,
  type Transcript,
  verdictOf,
} from "./stage.ts";

/** What the break-glass story saw, for its verdict. */
export type Emergency = {
  /** The emulators' clock when the form was sent (ms). */
  sentAt: number;
  duration: number;
  device: string;
  granted: RequestRecord;
  acknowledged: RequestRecord;
  acknowledger: string;
  attribute: { value: unknown; expiry?: string };
  /** Every message anyone got, as JSON text. */
  everything: string;
  channel: string;
  myAccess: string;
  workflow: string;
};

/** Plays the break-glass story on `s`. */
export async function playBreakGlass(
  s: Stage,
  cast: Casting,
): Promise<Transcript> {
  const { slack, platform } = s.app;
  introducePolicy(s, cast, "breakGlass");
  const { run, form } = await openTheForm(s);
  const sentAt = slack.now();
  const request = await fillInTheForm(s, form, { emergency: true });
  const attrs = showTailscale(s, run, request.device);
  const everyone = s.users.map((u) => u.id).concat(s.profile.notifyChannel!);
  showNewMessages(s, everyone, "After the emergency request");
  const granted = newestRecord(s);
  const [acknowledger, dm] = firstWithButton(s, "Acknowledge");
  await platform.clickWorkflowButton(acknowledger, dm, "Acknowledge");
  s.sections.push({
    title: `${s.who(acknowledger)} clicks ${s.style.green("Acknowledge")}`,
    lines: [],
  });
  showNewMessages(s, everyone, "After the acknowledgement");
  const myAccess = await openMyAccess(
    s,
    `${s.who(s.requester.id)} opens “My Tailscale access”`,
  );
  await platform.closeView(s.requester.id);
  return judgeBreakGlass(s, {
    sentAt,
    duration: request.duration,
    device: request.device.value,
    granted,
    acknowledged: newestRecord(s),
    acknowledger,
    attribute: {
      value: attrs.attributes[s.profile.key],
      expiry: attrs.expiries[s.profile.key],
    },
    everything: JSON.stringify(slack.messages),
    channel: JSON.stringify(slack.messagesIn(s.profile.notifyChannel!)),
    myAccess: JSON.stringify(myAccess.blocks),
    workflow: run.status,
  });
}

/** The first person whose DMs have a message with the button `text`. */
function firstWithButton(s: Stage, text: string): [string, Json] {
  for (const u of s.users) {
    const m = s.app.slack.messagesIn(u.id).findLast((m) =>
      JSON.stringify(m.blocks ?? []).includes(`"text":"${text}"`)
    );
    if (m) return [u.id, m];
  }
  throw new Stopped(`no approver got a message with “${text}”`);
}

/** What went wrong in `e`, one phrase each; empty when all held. */
export function breakGlassProblems(s: Stage, e: Emergency): string[] {
  const max = s.profile.breakGlass?.maxSeconds ?? 0;
  const ends = Date.parse(e.attribute.expiry ?? "") - e.sentAt;
  return problemsOf([
    [e.granted.break_glass === true, "the record is not marked break-glass"],
    [e.granted.state === "granted", `the request ended ${e.granted.state}`],
    [e.attribute.value === true, "the attribute is not set"],
    [
      Math.abs(ends - e.duration * 1000) < 15_000 && e.duration <= max,
      `the grant does not end ${formatDuration(e.duration)} after the request`,
    ],
    [
      !e.everything.includes('"action_id":"decide_approve"'),
      "an approver was asked to approve",
    ],
    [
      e.channel.includes(`<@${e.acknowledger}>`) ||
      e.channel.includes("<!subteam^"),
      "the channel announcement mentions no approver",
    ],
    [
      e.acknowledged.acknowledged_by === e.acknowledger &&
      e.acknowledged.history.some((h) =>
        h.event === "acknowledged" && h.actor === e.acknowledger
      ),
      "the acknowledgement is not on the record",
    ],
    [e.myAccess.includes("acknowledged by"), "My access does not show it"],
    [e.workflow === "completed", `the request's workflow ${e.workflow}`],
  ]);
}

/** The verdict: granted at once without an approver, and acknowledged. */
export function judgeBreakGlass(s: Stage, e: Emergency): Transcript {
  const problems = breakGlassProblems(s, e);
  return verdictOf(
    s,
    problems,
    `granted ${s.profile.key} = true on ${e.device} at once, without an approver, until ${e.attribute.expiry}; acknowledged by ${
      s.nameOf(e.acknowledger)
    } on the record`,
    "break-glass did not hold",
    {
      story: "break-glass",
      profile: s.profile.key,
      requester: s.requester.id,
      device: e.device,
      durationSeconds: e.duration,
      acknowledger: e.acknowledger,
      granted: e.granted,
      acknowledged: e.acknowledged,
      attribute: e.attribute,
      messages: s.app.slack.messages,
      tailscaleCalls: s.app.tailscale.calls,
    },
  );
}
