/**
 * The scheduled-start story of `deno task local --later`: a request that
 * starts in an hour, approved now; "My Tailscale access" says when it
 * starts; nothing is in Tailscale until the emulators' clock reaches the
 * start, when the app's start trigger grants it until start + duration.
 *
 * @module
 */
import { formatDuration } from "../../lib/durations.ts";
import type { RequestRecord } from "../../lib/requests/mod.ts";
import { showTailscale } from "./outcome.ts";
import { decide, fillInTheForm, openMyAccess, openTheForm } from "./scenes.ts";
import {
  attribute,
  attributeWrites,
  moveClock,
  newestRecord,
  problemsOf,
  recordById,
  showNewMessages,
  type Stage,
  Stopped,
  type Transcript,
  verdictOf,
} from "./stage.ts";

/** How far ahead the request starts. */
export const START_IN_SECONDS = 3600;
const MINUTE = 60_000;

/** What the story saw before and after the start, for its verdict. */
export type Waited = {
  startAt: number;
  duration: number;
  device: string;
  approved: RequestRecord;
  /** Attribute writes Tailscale got before the start. */
  writesBefore: number;
  before: { value: unknown; expiry?: string };
  started: RequestRecord;
  after: { value: unknown; expiry?: string };
  myAccess: string;
  workflow: string;
};

/** Plays the scheduled-start story on `s`. */
export async function playLater(s: Stage): Promise<Transcript> {
  const { run, form } = await openTheForm(s);
  const request = await fillInTheForm(s, form, {
    startInSeconds: START_IN_SECONDS,
  });
  const startAt = request.startAt!;
  const device = request.device.value as string;
  await decide(s, request.approverId);
  const talkers = [s.requester.id, request.approverId].concat(
    s.profile.notifyChannel ?? [],
  );
  showNewMessages(s, talkers, "After the approval");
  const approved = newestRecord(s);
  if (approved.state !== "scheduled") {
    throw new Stopped(
      `the approved request is ${approved.state}, not scheduled`,
    );
  }
  const myAccess = await openMyAccess(
    s,
    `${s.who(s.requester.id)} opens “My Tailscale access”`,
  );
  await s.app.platform.closeView(s.requester.id);
  await moveClock(s, startAt - 5 * MINUTE, "five minutes before the start");
  const before = attribute(s, device);
  s.sections.push({
    title: `${s.profile.key} on the device five minutes before the start`,
    lines: [`  ${before.value === undefined ? "(not set)" : before.value}`],
  });
  const writesBefore = attributeWrites(s);
  await moveClock(s, startAt + MINUTE, "a minute after the start");
  showNewMessages(s, talkers, "At the start");
  showTailscale(s, run, request.device);
  return judgeLater(s, {
    startAt,
    duration: request.duration,
    device,
    approved,
    writesBefore,
    before,
    started: recordById(s, approved.id),
    after: attribute(s, device),
    myAccess: JSON.stringify(myAccess.blocks),
    workflow: run.status,
  });
}

/** What went wrong in `w`, one phrase each; empty when all held. */
export function laterProblems(w: Waited): string[] {
  const end = w.startAt + w.duration * 1000;
  return problemsOf([
    [
      Date.parse(w.approved.starts_at ?? "") === w.startAt,
      "the record does not start at the chosen time",
    ],
    [
      w.myAccess.includes(`Starts <!date^${w.startAt / 1000}^`),
      "My access does not say when it starts",
    ],
    [
      w.writesBefore === 0 && w.before.value === undefined,
      "Tailscale was written before the start",
    ],
    [w.started.state === "granted", `at the start it is ${w.started.state}`],
    [w.after.value === true, "the attribute is not set after the start"],
    [
      Math.abs(Date.parse(w.after.expiry ?? "") - end) < 2000,
      `the grant does not end at start + ${formatDuration(w.duration)}`,
    ],
    [w.workflow === "completed", `the request's workflow ${w.workflow}`],
  ]);
}

/** The verdict: nothing before the start, then granted until start + duration. */
export function judgeLater(s: Stage, w: Waited): Transcript {
  const problems = laterProblems(w);
  const iso = (ms: number) => new Date(ms).toISOString();
  return verdictOf(
    s,
    problems,
    `nothing in Tailscale before ${
      iso(w.startAt)
    }; then ${s.profile.key} = true on ${w.device} until ${
      iso(w.startAt + w.duration * 1000)
    } (${formatDuration(w.duration)} from the start)`,
    "the later start did not hold",
    {
      story: "later",
      profile: s.profile.key,
      requester: s.requester.id,
      device: w.device,
      startsAt: iso(w.startAt),
      durationSeconds: w.duration,
      approved: w.approved,
      started: w.started,
      attributeBefore: w.before,
      attributeAfter: w.after,
      messages: s.app.slack.messages,
      tailscaleCalls: s.app.tailscale.calls,
    },
  );
}
