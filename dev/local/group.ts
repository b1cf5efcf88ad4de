/**
 * The group story of `deno task local --group`: a group profile's request
 * and approval, the policy file's group before and after (only the changed
 * lines), and again after the grant's end, with the emulators' clock moved
 * past it: the login is gone and the file is as it was.
 *
 * @module
 */
import { formatDuration } from "../../lib/durations.ts";
import { groupMembers } from "../../lib/policy/group_members.ts";
import type { RequestRecord } from "../../lib/requests/mod.ts";
import { changedLines } from "./diff.ts";
import { decide, fillInTheForm, openTheForm } from "./scenes.ts";
import {
  newestRecord,
  showNewMessages,
  type Stage,
  Stopped,
  type Transcript,
} from "./stage.ts";

/** The OAuth scopes a group profile needs (besides the device ones). */
export const GROUP_SCOPES = [
  "devices:core:read",
  "devices:posture_attributes",
  "policy_file",
  "users:read",
];

/** Plays the group story on `s`; `demoGroup`: the profile was swapped in. */
export async function playGroup(
  s: Stage,
  demoGroup: boolean,
): Promise<Transcript> {
  const { tailscale, platform, slack } = s.app;
  introduce(s, demoGroup);
  const before = tailscale.policyText();
  const { run, form } = await openTheForm(s);
  const request = await fillInTheForm(s, form);
  await decide(s, request.approverId);
  const granted = tailscale.policyText();
  showChange(s, "after the approval", before, granted);
  const talkers = [s.requester.id, request.approverId].concat(
    s.profile.notifyChannel ?? [],
  );
  showNewMessages(s, talkers, "After the approval");
  const grant = newestRecord(s);
  if (grant.state !== "granted" || !grant.expires_at) {
    throw new Stopped(
      `the grant did not go through (${grant.state}${
        grant.error ? `: ${grant.error}` : ""
      })`,
    );
  }
  const waitMs = Date.parse(grant.expires_at) - slack.now() + 60_000;
  await platform.advanceClock(waitMs);
  s.sections.push({
    title: `The clock moves forward ${
      formatDuration(Math.round(waitMs / 1000))
    }, a minute past the grant's end`,
    lines: [],
  });
  const ended = tailscale.policyText();
  showChange(s, "after the end", granted, ended);
  showNewMessages(s, talkers, "After the end");
  return judgeGroup(s, {
    texts: { before, granted, ended },
    grant,
    end: newestRecord(s),
    workflow: run.status,
  });
}

/** The profile being played, and where it came from. */
function introduce(s: Stage, demoGroup: boolean): void {
  const p = s.profile;
  const members = groupMembers(s.app.tailscale.policyText(), p.key);
  s.sections.push({
    title: demoGroup
      ? `config.ts has no group profile: this run adds a demo one, ${
        s.style.bold(p.description)
      } (config.ts is not changed)`
      : `The group profile ${s.style.bold(p.description)} from config.ts`,
    lines: [
      `  group:     ${p.key}`,
      `  approvers: ${(p.approverEmails ?? []).join(", ") || "(any)"}`,
      `  members in the policy file now: ${
        members === null ? "(no such group)" : members.join(", ") || "(none)"
      }`,
    ],
  });
}

/** The policy file's changed lines, as `-` / `+`. */
function showChange(s: Stage, when: string, from: string, to: string): void {
  const lines = changedLines(from, to);
  s.sections.push({
    title: `The policy file ${when} (changed lines only)`,
    lines: lines.length
      ? lines.map((l) =>
        `  ${l.startsWith("+") ? s.style.green(l) : s.style.red(l)}`
      )
      : ["  (no change)"],
  });
}

/**
 * The verdict: the login was added for the grant, removed at its end, and
 * the file is byte for byte what it was before.
 */
export function judgeGroup(
  s: Stage,
  played: {
    texts: { before: string; granted: string; ended: string };
    grant: RequestRecord;
    end: RequestRecord;
    workflow: string;
  },
): Transcript {
  const { texts, grant, end } = played;
  const group = s.profile.key;
  const login = grant.login ?? "";
  const inGroup = (text: string) =>
    groupMembers(text, group)?.includes(login) ?? false;
  const problems = [
    ...(login ? [] : ["the grant names no login"]),
    ...(inGroup(texts.before) ? [`${login} was in ${group} before`] : []),
    ...(inGroup(texts.granted) ? [] : [`${login} was not added to ${group}`]),
    ...(inGroup(texts.ended) ? [`${login} is still in ${group}`] : []),
    ...(texts.ended === texts.before
      ? []
      : ["the policy file is not as it was before"]),
    ...(end.state === "expired" ? [] : [`the grant ended ${end.state}`]),
    ...(played.workflow === "completed"
      ? []
      : [`the request's workflow ${played.workflow}`]),
  ];
  const ok = problems.length === 0;
  return {
    sections: s.sections,
    ok,
    verdict: ok
      ? `${login} was in ${group} from ${grant.decided_at} until ${end.expires_at}, then removed; the policy file is as it was`
      : `the group grant did not hold: ${problems.join("; ")}`,
    data: {
      story: "group",
      profile: group,
      login,
      policyBefore: texts.before,
      policyGranted: texts.granted,
      policyEnded: texts.ended,
      grant,
      end,
      messages: s.app.slack.messages,
      tailscaleCalls: s.app.tailscale.calls,
    },
  };
}
