/**
 * The first check: `config.ts` parses. A mistake becomes one ✗ line per
 * problem, each naming the profile and field as `slack deploy` would.
 *
 * @module
 */
import { type Config, ConfigError, parseConfig } from "../config_schema.ts";
import { errorText } from "../text.ts";
import type { SetupCheck } from "./report.ts";

/** The validated configuration (when it is valid) and the lines about it. */
export type ConfigResult = { config: Config | null; checks: SetupCheck[] };

/**
 * Validates `rawConfig` (config.ts's `rawConfig`) with the app's schema.
 *
 * @example
 * ```ts
 * const { config, checks } = checkConfig(rawConfig);
 * if (!config) return checks; // every other check needs the profiles
 * ```
 */
export function checkConfig(rawConfig: unknown): ConfigResult {
  try {
    const config = parseConfig(rawConfig);
    const attributes = config.profiles.filter((p) => p.attribute).length;
    const groups = config.profiles.length - attributes;
    const kinds = [
      attributes ? `${attributes} attribute` : "",
      groups ? `${groups} group` : "",
    ].filter(Boolean).join(" and ");
    return {
      config,
      checks: [{
        status: "ok",
        section: "config",
        subject: "config.ts",
        text: `valid: ${kinds} profile${
          config.profiles.length === 1 ? "" : "s"
        }, ${config.admins.length} admin${
          config.admins.length === 1 ? "" : "s"
        }`,
      }],
    };
  } catch (e) {
    return { config: null, checks: configFailure(e) };
  }
}

/**
 * The report when config.ts cannot be used: a ✗ line per problem of a
 * `ConfigError` (any other error as one line), and each later section
 * skipped, saying why. `deno task doctor` gives this when importing
 * config.ts itself throws.
 *
 * @example
 * ```ts
 * try {
 *   ({ rawConfig } = await import("../config.ts"));
 * } catch (e) {
 *   return invalidConfigReport(e);
 * }
 * ```
 */
export function invalidConfigReport(e: unknown): SetupCheck[] {
  return [...configFailure(e), ...skippedForConfig()];
}

/** A skipped line for each section after config.ts, which is invalid. */
export function skippedForConfig(): SetupCheck[] {
  return (["tailscale", "policy", "slack"] as const).map((section) => ({
    status: "skip",
    section,
    subject: "not checked",
    text: "config.ts is invalid (see above)",
  }));
}

function configFailure(e: unknown): SetupCheck[] {
  const problems = e instanceof ConfigError ? e.problems : [errorText(e)];
  return problems.map((problem) => ({
    status: "fail",
    section: "config",
    subject: "config.ts",
    text: `${problem} (edit config.ts; the README's "config.ts ` +
      `reference" describes each field)`,
  }));
}
