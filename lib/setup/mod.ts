/**
 * Setup checks: whether config.ts, the Tailscale OAuth client, the tailnet
 * policy file and Slack are set up so that each profile grants what it
 * says. One set of checks (`runSetupChecks`), printed by `deno task doctor`
 * and sent as a DM by the "Check Tailscale access setup" shortcut; and the
 * part of `deno task policy`'s snippet the live policy still lacks.
 *
 * @example
 * ```ts
 * import { formatReport, hasFailure, runSetupChecks } from "../lib/setup/mod.ts";
 *
 * const checks = await runSetupChecks({ rawConfig, env: Deno.env.toObject() });
 * console.log(formatReport(checks));
 * ```
 *
 * @module
 */
export * from "./config_checks.ts";
export * from "./env_file.ts";
export * from "./group_checks.ts";
export * from "./missing_policy.ts";
export * from "./policy_checks.ts";
export * from "./report.ts";
export * from "./rule_targets.ts";
export * from "./run.ts";
export * from "./slack_checks.ts";
export * from "./tailscale_checks.ts";
