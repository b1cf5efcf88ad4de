/**
 * The tailnet policy that makes each profile in `config.ts` grant something
 * (`deno task policy` prints it): an attribute the app sets does nothing
 * until a posture requires it and a rule names that posture in `srcPosture`,
 * and a group the app edits does nothing until a rule names the group. Pure:
 * the text is built from the configuration alone, without reading the live
 * policy.
 *
 * @module
 */
import type { Config, Profile } from "../config_schema.ts";
import { REQUIRED_SCOPES } from "../tailscale/mod.ts";

/**
 * The scopes group profiles add to {@linkcode REQUIRED_SCOPES}: the policy
 * file is read, validated and written to change a group (`policy_file`), and
 * the requester's Tailscale user is found in the users list (`users:read`).
 */
const GROUP_SCOPES = ["policy_file", "users:read"] as const;

/** What each scope is for, as the README's setup steps say it. */
const SCOPE_USES: Record<string, string> = {
  "devices:core:read": "list and read devices",
  "devices:posture_attributes": "write, read and delete the attribute",
  "policy_file": "read, validate and write the policy file (group profiles)",
  "users:read":
    "find the Tailscale user whose login is the requester's Slack email (group profiles)",
};

/** The tag that owns the app's OAuth client (README, setup step 4). */
const APP_TAG = "tag:accessbot";

/**
 * A destination that cannot be mistaken for a real one: pasted unedited it
 * opens nothing (or fails validation), rather than, say, opening production
 * to a self-service profile.
 */
const PLACEHOLDER_DST = "tag:edit-me";

/** One line of HuJSON: indentation and text. */
type Line = [indent: number, text: string];

/**
 * The HuJSON to merge into the tailnet policy file for `config`: the app's
 * `tagOwners` entry; for each attribute profile a posture requiring the
 * attribute, its `attrConfig` (a bool no device may set on itself) and an
 * example grant using the posture in `srcPosture`; for each group profile
 * its `groups` entry (empty: the app adds and removes logins) and an example
 * grant from the group; and, as a comment, the OAuth client's scopes. The
 * grants' `dst` and `ip` are placeholders the comments say to edit.
 *
 * @example
 * ```ts
 * import { config } from "../../config.ts";
 *
 * console.log(policySnippet(config));
 * // {
 * //   "postures": {
 * //     // Production
 * //     "posture:prodAccess": ["custom:prodAccess == true"],
 * // …
 * ```
 */
export function policySnippet(config: Config): string {
  const attributes = config.profiles.filter((p) => p.attribute !== undefined);
  const groups = config.profiles.filter((p) => p.group !== undefined);
  const postures = postureNames(attributes);
  const lines: Line[] = [
    ...scopeComment(groups.length > 0),
    [0, "{"],
    [1, "// The tag that owns the app's OAuth client."],
    ...section("tagOwners", "{", [[2, `${q(APP_TAG)}: ["autogroup:admin"],`]]),
  ];
  if (attributes.length > 0) {
    lines.push(
      [1, "// A device has the posture while the app has set its attribute."],
      ...section(
        "postures",
        "{",
        attributes.flatMap((p) => [
          [2, `// ${oneLine(p.description)}`],
          [2, `${q(postures.get(p)!)}: [${q(`${p.attribute} == true`)}],`],
        ]),
      ),
      [1, "// Only the app sets these: no device can give itself access."],
      ...section(
        "attrConfig",
        "{",
        attributes.map((p) => [
          2,
          `${q(p.attribute!)}: { "type": "bool", "allowSetByNode": false },`,
        ]),
      ),
    );
  }
  if (groups.length > 0) {
    lines.push(
      [1, "// The app adds and removes logins: leave the lists to it (an"],
      [1, "// existing group stays as it is)."],
      ...section(
        "groups",
        "{",
        groups.flatMap((p) => [
          [2, `// ${oneLine(p.description)}`],
          [2, `${q(p.group!)}: [],`],
        ]),
      ),
    );
  }
  lines.push(
    [1, "// Examples: edit dst and ip (placeholders) to what each opens."],
    ...section(
      "grants",
      "[",
      config.profiles.flatMap((p) => exampleGrant(p, postures.get(p))),
    ),
    [0, "}"],
  );
  return lines.map(([indent, text]) => "  ".repeat(indent) + text).join("\n") +
    "\n";
}

/** The scopes the OAuth client needs, as comment lines. */
function scopeComment(withGroups: boolean): Line[] {
  const scopes = [...REQUIRED_SCOPES, ...(withGroups ? GROUP_SCOPES : [])];
  const width = Math.max(...scopes.map((s) => s.length));
  return [
    [0, "// For the access profiles in config.ts: merge each section into"],
    [0, "// your tailnet policy file, next to the entries it already has."],
    [0, "//"],
    [0, `// The app's OAuth client (Settings → OAuth clients), owned by`],
    [0, `// ${APP_TAG}, needs the scopes:`],
    ...scopes.map((s): Line => [
      0,
      `//   ${s.padEnd(width)}  ${SCOPE_USES[s] ?? ""}`.trimEnd(),
    ]),
  ];
}

/** A top-level section: `"name": {` or `[`, its lines, and the closing. */
function section(name: string, open: "{" | "[", body: Line[]): Line[] {
  return [
    [1, `${q(name)}: ${open}`],
    ...body,
    [1, `${open === "{" ? "}" : "]"},`],
  ];
}

/** One profile's example grant, with a comment naming what it is for. */
function exampleGrant(profile: Profile, posture: string | undefined): Line[] {
  const from = profile.group !== undefined
    ? `members of ${profile.group}`
    : `devices with ${profile.attribute}`;
  return [
    [2, `// ${oneLine(profile.description)}: what ${from} reach.`],
    [2, "{"],
    [3, `"src": [${q(profile.group ?? "autogroup:member")}],`],
    [3, `"dst": [${q(PLACEHOLDER_DST)}], // edit: the devices it opens`],
    [3, `"ip": ["*"], // edit: the ports, e.g. "tcp:22", "tcp:443"`],
    ...(posture === undefined
      ? []
      : [[3, `"srcPosture": [${q(posture)}],`] as Line]),
    [2, "},"],
  ];
}

/**
 * Posture names from the attributes: `custom:prodAccess` gives
 * `posture:prodAccess`. Colons become underscores, and a name already taken
 * (Tailscale compares them case-insensitively) gets a number, so that every
 * profile has a posture of its own.
 */
function postureNames(profiles: Profile[]): Map<Profile, string> {
  const names = new Map<Profile, string>();
  const taken = new Set<string>();
  for (const profile of profiles) {
    const base = `posture:${
      profile.attribute!.slice("custom:".length).replaceAll(":", "_")
    }`;
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
    taken.add(name.toLowerCase());
    names.set(profile, name);
  }
  return names;
}

/** A JSON string literal. */
function q(text: string): string {
  return JSON.stringify(text);
}

/** Text for a `//` comment: a line break would end the comment early. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}
