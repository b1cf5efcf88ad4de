/**
 * Every setup check in order: config.ts, the Tailscale OAuth client, the
 * policy file (read alone, then tested by Tailscale), group profiles, and
 * Slack. `deno task doctor` and the "Check Tailscale access setup" shortcut
 * both run this.
 *
 * @module
 */
import type { SlackClient } from "../context.ts";
import { checkConfig, skippedForConfig } from "./config_checks.ts";
import { checkGroups } from "./group_checks.ts";
import { checkPolicy } from "./policy_checks.ts";
import type { SetupCheck } from "./report.ts";
import { checkSlack } from "./slack_checks.ts";
import { checkTailscale } from "./tailscale_checks.ts";

/** What the checks run with. */
export type SetupInput = {
  /** config.ts's `rawConfig`, validated here. */
  rawConfig: unknown;
  /**
   * `TAILSCALE_CLIENT_ID`, `TAILSCALE_CLIENT_SECRET`, and optionally
   * `TAILSCALE_API_URL` and `TAILSCALE_TAILNET`.
   */
  env: Record<string, string | undefined>;
  /** Without a client, the Slack checks are skipped (and say why). */
  slack?: SlackClient;
  /** For the Tailscale calls. */
  fetch?: typeof fetch;
  /**
   * Whether missing Tailscale credentials are a failure (the deployed app,
   * which cannot grant without them) rather than a skipped section (an
   * admin's machine without a `.env`).
   */
  credentialsRequired?: boolean;
};

/**
 * Runs every check; never writes to Tailscale or Slack; never throws for a
 * failed check (each becomes a ✗ line with its fix). A check that depends
 * on one that failed is skipped, saying why.
 *
 * @example
 * ```ts
 * import { rawConfig } from "../../config.ts";
 *
 * const checks = await runSetupChecks({ rawConfig, env: Deno.env.toObject() });
 * console.log(formatReport(checks));
 * if (hasFailure(checks)) Deno.exit(1);
 * ```
 */
export async function runSetupChecks(input: SetupInput): Promise<SetupCheck[]> {
  const { config, checks } = checkConfig(input.rawConfig);
  if (!config) return [...checks, ...skippedForConfig()];
  const tailscale = await checkTailscale(
    config,
    input.env,
    input.fetch,
    input.credentialsRequired,
  );
  const policy = await checkPolicy(config, tailscale.access, tailscale.problem);
  const groups = await checkGroups(config, tailscale.access, input.slack);
  const slack = await checkSlack(config, input.slack);
  return [
    ...checks,
    ...tailscale.checks,
    ...policy,
    ...groups,
    ...slack,
  ];
}
