/**
 * The doctor story of `deno task local --doctor`: the setup checks of
 * `deno task doctor` run against the emulators, set up as a demo tailnet
 * with one deliberate mistake of each kind (`doctor_setup.ts`), so an admin
 * sees what each ✗ and ! looks like. A second run, with an OAuth client
 * that lacks a scope, shows the scope's line. The story succeeds only when
 * every mistake shows up as its line.
 *
 * @module
 */
import { SlackAPI } from "deno-slack-sdk/mod.ts";
import { parseConfig } from "../../lib/config_schema.ts";
import {
  formatReport,
  runSetupChecks,
  type SetupCheck,
} from "../../lib/setup/mod.ts";
import type { TestApp } from "../app.ts";
import { slackPeople } from "../emulator/slack_people.ts";
import {
  DOCTOR_CONFIG,
  DOCTOR_POLICY,
  FULL_SCOPES,
  MISSING_SCOPE,
  type Mistake,
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
    cast: { profiles, profile: profiles[0], demo: false },
    app: {
      slack: { users },
      profiles: DOCTOR_CONFIG.profiles,
      admins: DOCTOR_CONFIG.admins,
      tailscale: { policy: DOCTOR_POLICY, scopes: FULL_SCOPES },
    },
  };
}

/** The checks as `deno task doctor` runs them, against the emulators. */
function checksOn(app: TestApp): Promise<SetupCheck[]> {
  return runSetupChecks({
    rawConfig: DOCTOR_CONFIG,
    env: {
      TAILSCALE_CLIENT_ID: app.env.TAILSCALE_CLIENT_ID,
      TAILSCALE_CLIENT_SECRET: app.env.TAILSCALE_CLIENT_SECRET,
      TAILSCALE_API_URL: app.tailscale.url,
    },
    slack: SlackAPI(app.slack.botToken, { slackApiUrl: app.slack.apiUrl }),
  });
}

/** Plays the doctor story on `s`. */
export async function playDoctor(s: Stage): Promise<Transcript> {
  const { tailscale } = s.app;
  tailscale.setTailnetSettings({ aclsExternallyManagedOn: true });
  s.sections.push({
    title: "The demo tailnet has one deliberate mistake of each kind",
    lines: MISTAKES.map((m) => `  • ${m.what}`),
  });
  const full = await checksOn(s.app);
  s.sections.push({
    title: "What deno task doctor reports for it",
    lines: indent(formatReport(full)),
  });
  tailscale.setScopes(FULL_SCOPES.filter((x) => x !== MISSING_SCOPE));
  const poor = await checksOn(s.app);
  tailscale.setScopes(FULL_SCOPES);
  s.sections.push({
    title:
      `The same checks with an OAuth client that lacks ${MISSING_SCOPE} (its section)`,
    lines: indent(formatReport(poor.filter((c) => c.section === "tailscale"))),
  });
  return judgeDoctor(s, full, poor);
}

const indent = (text: string) => text.split("\n").map((l) => `  ${l}`);

/** The line that shows `m` in `checks`, if any. */
export function lineFor(
  m: Mistake,
  checks: readonly SetupCheck[],
): SetupCheck | undefined {
  const needle = m.mentions.toLowerCase();
  return checks.find((c) =>
    c.status === m.status && c.section === m.section &&
    `${c.subject} ${c.text}`.toLowerCase().includes(needle)
  );
}

/**
 * The verdict: every mistake shows as its ✗ or !, in the run it belongs
 * to (the scope-poor client's, or the full one's), and no other line of
 * the full run is a ✗ (the demo has no mistake it does not mean).
 */
export function judgeDoctor(
  s: Stage,
  full: SetupCheck[],
  poor: SetupCheck[],
): Transcript {
  const missed = MISTAKES.filter((m) =>
    !lineFor(m, m.poorClient ? poor : full)
  );
  const meant = new Set(MISTAKES.map((m) => lineFor(m, full)));
  const stray = full.filter((c) => c.status === "fail" && !meant.has(c));
  const problems = [
    ...missed.map((m) => `not reported: ${m.what}`),
    ...stray.map((c) => `a ✗ no mistake was meant to cause: ${c.subject}`),
  ];
  const ok = problems.length === 0;
  return {
    sections: s.sections,
    ok,
    verdict: ok
      ? `every one of the ${MISTAKES.length} deliberate mistakes shows as its ✗ or !, and nothing else fails`
      : problems.join("; "),
    data: { story: "doctor", checks: full, scopePoorChecks: poor },
  };
}
