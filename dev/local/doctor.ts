/**
 * The doctor story of `deno task local --doctor`: the setup checks of
 * `deno task doctor` run against the emulators, set up as a demo tailnet
 * with one deliberate mistake of each kind (`doctor_setup.ts`), so an admin
 * sees what each ✗ and ! looks like. It succeeds only when every mistake
 * shows up as its line.
 *
 * @module
 */
import { parseConfig } from "../../lib/config_schema.ts";
import { slackPeople } from "../emulator/slack_people.ts";
import {
  DOCTOR_CONFIG,
  DOCTOR_POLICY,
  FULL_SCOPES,
  MISTAKES,
} from "./doctor_setup.ts";
import type { Stage, Transcript } from "./stage.ts";
import type { StorySetup } from "./stories.ts";

/** The app the doctor story runs on: the demo profiles and tailnet. */
export function doctorApp(): StorySetup {
  const users = slackPeople();
  const { profiles } = parseConfig(DOCTOR_CONFIG);
  return {
    users,
    cast: { profiles, profile: profiles[0], demoGroup: false },
    app: {
      slack: { users },
      profiles: DOCTOR_CONFIG.profiles,
      admins: DOCTOR_CONFIG.admins,
      tailscale: { policy: DOCTOR_POLICY, scopes: FULL_SCOPES },
    },
  };
}

/** Plays the doctor story on `s`. */
export function playDoctor(s: Stage): Promise<Transcript> {
  s.sections.push({
    title: "The demo tailnet has one deliberate mistake of each kind",
    lines: MISTAKES.map((m) => `  • ${m.what}`),
  });
  return Promise.resolve({
    sections: s.sections,
    ok: false,
    verdict: "the setup checks are not available in this build",
    data: { story: "doctor" },
  });
}
