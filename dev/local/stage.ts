/**
 * What the scenes of `deno task local` share: the stage (the app, who is
 * who, the transcript so far), the transcript itself, and how a scene stops
 * the story early.
 *
 * @module
 */
import type { Profile } from "../../lib/config_schema.ts";
import type { RequestRecord } from "../../lib/requests/mod.ts";
import type { TestApp } from "../app.ts";
import type { FakeSlackUser } from "../emulator/slack.ts";
import { formatDuration } from "../../lib/durations.ts";
import { renderBlocks, type Style } from "../render.ts";
import { pickRequester } from "./cast.ts";
import type { LocalOptions } from "./options.ts";

/** Slack's views and blocks, read as loosely as the app renders them. */
// deno-lint-ignore no-explicit-any
export type Json = any;

/** One part of the transcript. */
export type Section = { title: string; lines: string[] };

/** What happened, for people (sections) and for --json (data). */
export type Transcript = {
  sections: Section[];
  data: Record<string, unknown>;
  ok: boolean;
  verdict: string;
};

/** What every scene shares: the app, who is who, the transcript so far. */
export type Stage = {
  app: TestApp;
  users: FakeSlackUser[];
  opts: LocalOptions;
  style: Style;
  /** The profiles the app runs with (config.ts's, or those swapped in). */
  profiles: readonly Profile[];
  profile: Profile;
  requester: FakeSlackUser;
  sections: Section[];
  nameOf: (id: string) => string;
  who: (id: string) => string;
  /** Each message the transcript has shown ("channel ts"), as it was then. */
  shown: Map<string, string>;
};

/** A stage for `profile`, with nothing shown yet. */
export function setStage(
  app: TestApp,
  users: FakeSlackUser[],
  opts: LocalOptions,
  style: Style,
  cast: { profiles: readonly Profile[]; profile: Profile },
): Stage {
  const nameOf = (id: string) =>
    users.find((u) => u.id === id)?.real_name ?? id;
  return {
    app,
    users,
    opts,
    style,
    ...cast,
    requester: pickRequester(users, opts.requester),
    sections: [],
    nameOf,
    who: (id) => style.cyan(nameOf(id)),
    shown: new Map(),
  };
}

/**
 * The messages in each conversation (a person's DMs or a channel) that are
 * new or changed since the transcript last showed it, one section each,
 * under `when`; returns them (as JSON text, for the verdict).
 */
export function showNewMessages(
  s: Stage,
  conversations: string[],
  when: string,
): string[] {
  const shown: string[] = [];
  for (const id of new Set(conversations)) {
    const fresh = s.app.slack.messagesIn(id).filter((m) => {
      const text = JSON.stringify([m.text, m.blocks]);
      if (s.shown.get(`${id} ${m.ts}`) === text) return false;
      s.shown.set(`${id} ${m.ts}`, text);
      return true;
    });
    if (!fresh.length) continue;
    shown.push(...fresh.map((m) => JSON.stringify([m.text, m.blocks])));
    const where = id.startsWith("C") ? `the channel ${id}` : s.nameOf(id);
    s.sections.push({
      title: `${when}: messages to ${where} (new or changed)`,
      lines: fresh.flatMap((m, i) => [
        ...(i ? [s.style.dim("  ·")] : []),
        ...renderBlocks(m.blocks ?? [], s.nameOf, s.style),
      ]),
    });
  }
  return shown;
}

/** What the requester sent. */
export type Request = {
  /** The device option chosen in the picker. */
  device: Json;
  duration: number;
  /** Who was asked; empty for an emergency (nobody is). */
  approverId: string;
  /** The start chosen in the form (ms), if the access starts later. */
  startAt?: number;
};

/** Ends the play early: the story could not go on, for this reason. */
export class Stopped extends Error {}

/** The input block labelled `label` in a view, if there is one. */
export function inputBlock(view: Json, label: string): Json | undefined {
  return view.blocks.find((b: Json) =>
    b.type === "input" && b.label.text === label
  );
}

/** The requester's request records in the emulator, oldest first. */
export function requesterRecords(s: Stage): RequestRecord[] {
  const rows = [
    ...s.app.slack.datastore("requests").values(),
  ] as RequestRecord[];
  return rows.filter((r) => r.requester === s.requester.id)
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** The requester's newest record; the story stops without one. */
export function newestRecord(s: Stage): RequestRecord {
  const found = requesterRecords(s).at(-1);
  if (!found) throw new Stopped("the request left no record");
  return found;
}

/** The record `id` as stored now; the story stops without it. */
export function recordById(s: Stage, id: string): RequestRecord {
  const found = s.app.slack.datastore("requests").get(id);
  if (!found) throw new Stopped(`the record ${id} is gone`);
  return found as unknown as RequestRecord;
}

/** The profile's attribute on `device`: its value and expiry, if any. */
export function attribute(s: Stage, device: string) {
  const attrs = s.app.tailscale.customAttributes(device);
  return {
    value: attrs.attributes[s.profile.key],
    expiry: attrs.expiries[s.profile.key],
  };
}

/** Moves the emulators' clock to `at` (ms), so what is due there fires. */
export async function moveClock(
  s: Stage,
  at: number,
  what: string,
): Promise<void> {
  const by = at - s.app.slack.now();
  await s.app.platform.advanceClock(by);
  s.sections.push({
    title: `The clock moves forward ${
      formatDuration(Math.round(by / 1000))
    }, to ${what} (${new Date(at).toISOString()})`,
    lines: [],
  });
}

/** How many attribute writes Tailscale has had. */
export function attributeWrites(s: Stage): number {
  return s.app.tailscale.calls.filter((c) =>
    c.method === "POST" && c.path.includes("/attributes/")
  ).length;
}

/** A check of a story's outcome: whether it held, and the problem if not. */
export type Check = [held: boolean, problem: string];

/** The problems of the checks that did not hold. */
export function problemsOf(checks: Check[]): string[] {
  return checks.filter(([held]) => !held).map(([, problem]) => problem);
}

/**
 * The transcript with its verdict: `good` when nothing went wrong, else
 * `bad` and every problem.
 */
export function verdictOf(
  s: Stage,
  problems: string[],
  good: string,
  bad: string,
  data: Record<string, unknown>,
): Transcript {
  const ok = problems.length === 0;
  return {
    sections: s.sections,
    ok,
    verdict: ok ? good : `${bad}: ${problems.join("; ")}`,
    data,
  };
}
