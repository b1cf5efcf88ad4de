/**
 * `deno task doctor`: checks the setup before `slack deploy` — config.ts;
 * with TAILSCALE_CLIENT_ID and TAILSCALE_CLIENT_SECRET (environment or
 * `.env`), the OAuth client's scopes and the tailnet policy file; with
 * SLACK_BOT_TOKEN, the approvers, user groups, notify channels and admins.
 * Read-only: it never writes to Tailscale or Slack. Exits 1 on any ✗.
 *
 * @example
 * ```sh
 * deno task doctor
 * deno task doctor --json | jq '.checks[] | select(.status == "fail")'
 * ```
 *
 * @module
 */
import { SlackAPI } from "deno-slack-sdk/mod.ts";
import {
  environmentWithDotEnv,
  formatReport,
  hasFailure,
  invalidConfigReport,
  reportJson,
  runSetupChecks,
  type SetupCheck,
} from "../lib/setup/mod.ts";

const HELP = `deno task doctor [--json] [--help]

Checks that config.ts, the Tailscale OAuth client, the tailnet policy file
and Slack are set up so that each access profile grants what it says. Only
reads: nothing is written to Tailscale or Slack.

Reads the environment and, when present, .env in the current directory:
  TAILSCALE_CLIENT_ID, TAILSCALE_CLIENT_SECRET   the app's OAuth client
  TAILSCALE_API_URL, TAILSCALE_TAILNET           optional, as for the app
  SLACK_BOT_TOKEN                                the app's bot token (xoxb-…),
                                                 for the Slack checks
  SLACK_API_URL                                  optional Slack API base URL
Without the Tailscale or Slack variables, those checks are skipped (–).

Each line is ✓ (passed), ✗ (failed, with the fix), ! (warning) or – (skipped,
and why). Exit status 1 when any line is ✗.

  --json   the report as JSON: {"ok": boolean, "checks": [{status, section,
           subject, text}]}
  --help   this text`;

/** The report's lines: config.ts's import fails on an invalid config. */
async function checks(
  env: Record<string, string | undefined>,
): Promise<SetupCheck[]> {
  let rawConfig: unknown;
  try {
    ({ rawConfig } = await import("../config.ts"));
  } catch (e) {
    return invalidConfigReport(e);
  }
  const token = env.SLACK_BOT_TOKEN?.trim();
  const slackApiUrl = env.SLACK_API_URL?.trim();
  const slack = token
    ? SlackAPI(token, slackApiUrl ? { slackApiUrl } : {})
    : undefined;
  return await runSetupChecks({ rawConfig, env, slack });
}

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((a) => a !== "--json" && a !== "--help");
  if (args.includes("--help")) {
    console.log(HELP);
    return 0;
  }
  if (unknown.length) {
    console.error(`Unknown option ${unknown[0]}.\n\n${HELP}`);
    return 2;
  }
  const report = await checks(await environmentWithDotEnv());
  console.log(
    args.includes("--json")
      ? JSON.stringify(reportJson(report), null, 2)
      : formatReport(report),
  );
  return hasFailure(report) ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
