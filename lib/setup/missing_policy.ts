/**
 * `deno task policy` with credentials: the snippet for only the profiles
 * the live policy does not yet serve (those with a failing line of
 * `analysePolicy`), under a comment saying what was read. Pure: the caller
 * reads the policy.
 *
 * @module
 */
import type { Config } from "../config_schema.ts";
import { analysePolicy, policySnippet } from "../policy/mod.ts";

/** The text to print, and which profiles it covers. */
export type MissingPolicy = {
  text: string;
  /** Profiles the live policy does not serve yet: the snippet covers them. */
  missing: string[];
  /** Profiles the live policy already serves. */
  complete: string[];
};

/**
 * The snippet for the profiles of `config` whose policy lines fail against
 * `policyText` (the live policy), with a leading comment naming what was
 * read and what is already there; a policy that cannot be read gives the
 * whole snippet, saying why.
 *
 * @example
 * ```ts
 * const { text } = missingPolicy(config, (await tailscale.getPolicyFile()).text, "tailnet -");
 * console.log(text);
 * ```
 */
export function missingPolicy(
  config: Config,
  policyText: string,
  source: string,
): MissingPolicy {
  const lines = analysePolicy(policyText, config);
  const unreadable = lines.find((l) => l.subject === "policy file");
  if (unreadable) {
    return {
      text: comment([
        `Read the live policy (${source}), but ${unreadable.text}.`,
        "Below is the whole snippet for config.ts.",
      ]) + policySnippet(config),
      missing: config.profiles.map((p) => p.description),
      complete: [],
    };
  }
  const failing = new Set(
    lines.filter((l) => l.status === "fail").map((l) => l.subject),
  );
  const missing = config.profiles.filter((p) => failing.has(p.description));
  const complete = config.profiles.filter((p) => !failing.has(p.description))
    .map((p) => p.description);
  const head = [
    `Read the live policy (${source}): only what it is missing is below.`,
    ...(complete.length ? [`Already in it: ${complete.join(", ")}.`] : []),
  ];
  if (!missing.length) {
    return {
      text: comment([...head, "Nothing is missing."]) + "{}\n",
      missing: [],
      complete,
    };
  }
  return {
    text: comment([
      ...head,
      `Missing for: ${missing.map((p) => p.description).join(", ")}.`,
    ]) + policySnippet({ ...config, profiles: missing }),
    missing: missing.map((p) => p.description),
    complete,
  };
}

/** `//` comment lines, then a blank comment line. */
function comment(lines: string[]): string {
  return [...lines, ""].map((l) => `// ${l}`.trimEnd()).join("\n") + "\n";
}
