/**
 * The profiles the approval-policy stories play: config.ts's own profile
 * with the option when it has one, else config.ts's first device profile
 * with the option added for the run (config.ts is not changed), and how
 * the transcript introduces it.
 *
 * @module
 */
import { formatDuration } from "../../lib/durations.ts";
import {
  type Casting,
  castPolicy,
  DEMO_CHANNEL,
  type RawProfile,
} from "./cast.ts";
import type { Stage } from "./stage.ts";

/** Two approvers of the demo workspace, for a profile that lists fewer. */
const DEMO_APPROVERS = ["bob@example.com", "carol@example.com"];

/** `p`'s approvers when it lists at least `n` emails, else the demo's. */
function approvers(p: RawProfile, n: number): Partial<RawProfile> {
  return (p.approverEmails?.length ?? 0) >= n
    ? {}
    : { approverEmails: DEMO_APPROVERS };
}

/** A break-glass profile: at most 1 hour, announced in the channel. */
export function castBreakGlass(): Casting {
  return castPolicy((p) => p.breakGlass !== undefined, (p) => ({
    ...approvers(p, 1),
    notifyChannel: p.notifyChannel ?? DEMO_CHANNEL,
    breakGlass: { maxSeconds: 3600 },
  }));
}

/** Two approvals of two listed approvers. */
export function castTwoPerson(): Casting {
  return castPolicy(
    (p) => p.approvalsRequired > 1,
    (p) => ({ ...approvers(p, 2), approvalsRequired: 2 }),
  );
}

/** Offered to the other approvers (and the channel) after 30 minutes. */
export function castEscalation(): Casting {
  return castPolicy((p) => p.escalateAfterSeconds !== undefined, (p) => ({
    ...approvers(p, 2),
    notifyChannel: p.notifyChannel ?? DEMO_CHANNEL,
    escalateAfterSeconds: ESCALATE_AFTER_SECONDS,
  }));
}

/** When the demo escalation profile offers the request to others. */
export const ESCALATE_AFTER_SECONDS = 30 * 60;

/** Lines of config.ts's code for `added`, as a person would write them. */
function written(added: Partial<RawProfile>): string[] {
  return Object.entries(added).map(([k, v]) =>
    `    ${k}: ${JSON.stringify(v)},`
  );
}

/** Which profile the story plays, where it came from, and its settings. */
export function introducePolicy(s: Stage, cast: Casting, option: string) {
  const p = s.profile;
  const name = s.style.bold(p.description);
  s.sections.push({
    title: cast.demo
      ? `config.ts has no profile with ${option}: this run adds it to ${name} (config.ts is not changed)`
      : `The profile ${name} from config.ts, with ${option}`,
    lines: [
      ...(cast.demo
        ? ["  added for this run:", ...written(cast.added ?? {})]
        : []),
      `  attribute: ${p.key}, at most ${formatDuration(p.maxSeconds)}`,
      `  approvers: ${
        [...(p.approverEmails ?? []), ...(p.approverGroups ?? [])].join(", ") ||
        "(any)"
      }`,
      ...(p.approvalsRequired > 1
        ? [`  approvals required: ${p.approvalsRequired}`]
        : []),
      ...(p.escalateAfterSeconds
        ? [`  escalated after: ${formatDuration(p.escalateAfterSeconds)}`]
        : []),
      ...(p.notifyChannel ? [`  notify channel: ${p.notifyChannel}`] : []),
    ],
  });
}
