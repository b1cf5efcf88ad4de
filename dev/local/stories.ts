/**
 * The stories of `deno task local` side by side: the app each one needs
 * (profiles swapped in, the emulators' state) and how it is played.
 *
 * @module
 */
import { config, rawConfig } from "../../config.ts";
import type { AppOptions, TestApp } from "../app.ts";
import type { FakeSlackUser } from "../emulator/slack.ts";
import type { Style } from "../render.ts";
import {
  castGroupProfile,
  type Casting,
  pickProfile,
  workspaceFor,
} from "./cast.ts";
import { playBreakGlass } from "./break_glass.ts";
import { doctorApp, playDoctor } from "./doctor.ts";
import { GROUP_SCOPES, playGroup } from "./group.ts";
import { playLater } from "./later.ts";
import { playLifecycle } from "./lifecycle.ts";
import type { LocalOptions, Story } from "./options.ts";
import { castBreakGlass, castEscalation, castTwoPerson } from "./policies.ts";
import { playEscalation } from "./escalation.ts";
import { playTwoPerson } from "./two_person.ts";
import { playRequest } from "./request.ts";
import { setStage, Stopped, type Transcript } from "./stage.ts";

/** What a story needs started: the app's options and the workspace. */
export type StorySetup = {
  app: AppOptions;
  users: FakeSlackUser[];
  cast: Casting;
};

/**
 * The app `story` runs on: config.ts as it is, or (for a group profile
 * config.ts does not have, or the doctor's demo tailnet) profiles swapped
 * in through the app's config.ts override.
 */
export function storySetup(
  story: Story = "request",
  profile?: string,
): StorySetup {
  if (story === "doctor") return doctorApp();
  if (story === "group") {
    return castSetup(castGroupProfile(), { scopes: GROUP_SCOPES });
  }
  if (story === "break-glass") return castSetup(castBreakGlass());
  if (story === "two-person") return castSetup(castTwoPerson());
  if (story === "escalation") return castSetup(castEscalation());
  // A bad --profile is the user's mistake: said before anything starts.
  const chosen = pickProfile(profile);
  const users = workspaceFor(config.profiles);
  return {
    cast: { profiles: config.profiles, profile: chosen, demo: false },
    users,
    app: { slack: { users } },
  };
}

/** The app for `cast`: its profiles swapped in when it has its own. */
function castSetup(
  cast: Casting,
  tailscale?: AppOptions["tailscale"],
): StorySetup {
  const users = workspaceFor(cast.profiles);
  return {
    cast,
    users,
    app: {
      slack: { users },
      ...(cast.swapIn
        ? {
          profiles: cast.swapIn,
          admins: rawConfig.admins,
          tailscaleLogins: rawConfig.tailscaleLogins,
        }
        : {}),
      ...(tailscale ? { tailscale } : {}),
    },
  };
}

/**
 * Plays `opts.story` (the request when absent) on a started app and
 * returns the transcript; a story that cannot go on ends not ok, with why.
 *
 * @example
 * ```ts
 * const setup = storySetup("group");
 * const app = await startApp({ ...setup.app, slack: { users: setup.users } });
 * const t = await playStory(app, setup, { ...opts, story: "group" }, style);
 * t.ok; // the login was added for the grant and removed at its end
 * ```
 */
export async function playStory(
  app: TestApp,
  setup: StorySetup,
  opts: LocalOptions,
  style: Style,
): Promise<Transcript> {
  const s = setStage(app, setup.users, opts, style, setup.cast);
  try {
    switch (opts.story ?? "request") {
      case "request":
        return await playRequest(s);
      case "group":
        return await playGroup(s, setup.cast.demo);
      case "lifecycle":
        return await playLifecycle(s);
      case "doctor":
        return await playDoctor(s);
      case "break-glass":
        return await playBreakGlass(s, setup.cast);
      case "later":
        return await playLater(s);
      case "two-person":
        return await playTwoPerson(s, setup.cast);
      case "escalation":
        return await playEscalation(s, setup.cast);
    }
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
    return { sections: s.sections, data: {}, ok: false, verdict: e.message };
  }
}
