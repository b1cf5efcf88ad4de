/**
 * The verdict of the lifecycle story: the extension moved the end (on the
 * grant and in Tailscale), the reminder came before the end, the end
 * removed the attribute and said so, and the revoke did the same at once.
 *
 * @module
 */
import { formatDuration } from "../../lib/durations.ts";
import type { RequestRecord } from "../../lib/requests/mod.ts";
import type { Stage, Transcript } from "./stage.ts";

/** An attribute's value and expiry on the device, as Tailscale has it. */
export type AttributeState = { value: unknown; expiry?: string };

/** What the lifecycle story saw at each step. */
export type Lived = {
  first: RequestRecord;
  /** The seconds the extension asked for. */
  extendedBy: number;
  extended: RequestRecord;
  attrAfterExtension: AttributeState;
  /** The messages that came at reminder time (JSON text). */
  reminders: string[];
  endMessages: string[];
  expired: RequestRecord;
  attrAfterExpiry: AttributeState;
  revoked: RequestRecord;
  attrAfterRevoke: AttributeState;
  revokeMessages: string[];
};

/** Within two seconds: the app and the emulators share one clock. */
const near = (a: number, b: number) => Math.abs(a - b) < 2000;

/** What went wrong in `l`, one phrase each; empty when all held. */
export function lifecycleProblems(l: Lived): string[] {
  const end = Date.parse(l.extended.expires_at ?? "");
  const wanted = Date.parse(l.first.expires_at ?? "") + l.extendedBy * 1000;
  const checks: [boolean, string][] = [
    [near(end, wanted), `the grant's end did not move by ${l.extendedBy} s`],
    [
      l.attrAfterExtension.value === true &&
      near(Date.parse(l.attrAfterExtension.expiry ?? ""), end),
      "Tailscale's expiry did not move with the extension",
    ],
    [
      l.reminders.some((m) => m.includes("Extend…")),
      "no reminder with an Extend button came before the end",
    ],
    [l.expired.state === "expired", `the grant ended ${l.expired.state}`],
    [
      l.attrAfterExpiry.value === undefined,
      "the attribute is still set after the end",
    ],
    [l.endMessages.length > 0, "nobody was told of the end"],
    [l.revoked.state === "revoked", `the second grant is ${l.revoked.state}`],
    [
      l.attrAfterRevoke.value === undefined,
      "the attribute is still set after the revoke",
    ],
    [
      l.revokeMessages.some((m) => m.includes("revoked")),
      "nobody was told of the revoke",
    ],
  ];
  return checks.filter(([held]) => !held).map(([, why]) => why);
}

/** The lifecycle story's transcript and verdict. */
export function judgeLifecycle(s: Stage, l: Lived): Transcript {
  const problems = lifecycleProblems(l);
  const ok = problems.length === 0;
  return {
    sections: s.sections,
    ok,
    verdict: ok
      ? `extended by ${
        formatDuration(l.extendedBy)
      } to ${l.extended.expires_at}, reminded, expired with ${s.profile.key} removed; the second grant was revoked and removed at once`
      : `the lifecycle did not hold: ${problems.join("; ")}`,
    data: {
      story: "lifecycle",
      profile: s.profile.key,
      ...l,
      messages: s.app.slack.messages,
      tailscaleCalls: s.app.tailscale.calls,
    },
  };
}
