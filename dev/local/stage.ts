/**
 * What the scenes of `deno task local` share: the stage (the app, who is
 * who, the transcript so far), the transcript itself, and how a scene stops
 * the story early.
 *
 * @module
 */
import type { TestApp } from "../app.ts";
import type { FakeSlackUser } from "../emulator/slack.ts";
import type { Style } from "../render.ts";
import type { DeviceProfile } from "./cast.ts";
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
  profile: DeviceProfile;
  requester: FakeSlackUser;
  sections: Section[];
  nameOf: (id: string) => string;
  who: (id: string) => string;
};

/** What the requester sent. */
export type Request = {
  /** The device option chosen in the picker. */
  device: Json;
  duration: number;
  approverId: string;
};

/** Ends the play early: the story could not go on, for this reason. */
export class Stopped extends Error {}

/** The input block labelled `label` in a view, if there is one. */
export function inputBlock(view: Json, label: string): Json | undefined {
  return view.blocks.find((b: Json) =>
    b.type === "input" && b.label.text === label
  );
}
