/**
 * Which ACL test shows what an attribute profile opens: one rule that
 * requires the profile's posture, one concrete `host:port` it opens, and a
 * real member of its `src`. Tailscale's tests take no `*` wildcards, so a
 * rule that opens only `*` or autogroups cannot be tested. Pure: read from
 * the policy text.
 *
 * @module
 */
import { parse } from "jsonc-parser";
import {
  needsPosture,
  type PolicySections,
  posturesRequiring,
  readPolicySections,
} from "../policy/mod.ts";

/** A test's parts: who, to where, and which rule they come from. */
export type RuleTest = {
  /**
   * Members of the rule's `src`, best first (at most
   * {@linkcode MAX_SOURCES}): someone may reach the destination through
   * another rule of their own, so more than one is tried.
   */
  sources: string[];
  destination: string;
  /** "grant 2" or "ACL 1", counted in the file's order. */
  rule: string;
};

/** One test to run, or why none can be. */
export type RuleTestChoice =
  | { ok: true; test: RuleTest }
  | { ok: false; reason: string };

/** The most members of a rule's `src` tried. */
export const MAX_SOURCES = 5;

/** The port a test uses for `*`: any one port stands for all of them. */
const ANY_PORT = "22";

type Rule = {
  kind: "grant" | "ACL";
  index: number;
  src: string[];
  /** Concrete `host:port` destinations. */
  destinations: string[];
  srcPosture?: string[];
};

/** A field of a policy object, its name compared case-insensitively (as Go's JSON does). */
function field(value: unknown, name: string): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    return undefined;
  }
  const key = Object.keys(value).find((k) =>
    k.toLowerCase() === name.toLowerCase()
  );
  return key === undefined
    ? undefined
    : (value as Record<string, unknown>)[key];
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === "string")
    : [];
}

/** One concrete port of a port spec (`22`, `tcp:22`, `80-90`, `*`, `tcp:80,443`); null for none (`icmp`). */
function concretePort(spec: string): string | null {
  const ports = spec.includes(":")
    ? spec.slice(spec.lastIndexOf(":") + 1)
    : spec;
  const first = ports.split(",")[0].split("-")[0].trim();
  if (first === "*") return ANY_PORT;
  return /^\d+$/.test(first) ? first : null;
}

/** Whether a destination host can be named in a test. */
function testableHost(host: string): boolean {
  return host !== "*" && !host.startsWith("autogroup:") &&
    !host.startsWith("group:") && !host.includes("/");
}

/** A grant's destinations: each `dst` with one port of its `ip`. */
function grantDestinations(grant: unknown): string[] {
  const ips = strings(field(grant, "ip"));
  const port = ips.length ? ips.map(concretePort).find((p) => p) : ANY_PORT;
  if (!port) return [];
  return strings(field(grant, "dst")).filter(testableHost)
    .map((host) => `${host}:${port}`);
}

/** An ACL's destinations: each `host:ports` with one of its ports. */
function aclDestinations(acl: unknown): string[] {
  return strings(field(acl, "dst")).flatMap((entry) => {
    const at = entry.lastIndexOf(":");
    if (at <= 0) return [];
    const host = entry.slice(0, at);
    const port = concretePort(entry.slice(at + 1));
    return port && testableHost(host) ? [`${host}:${port}`] : [];
  });
}

function readRules(policy: unknown): Rule[] {
  const rules = (kind: Rule["kind"], list: unknown): Rule[] =>
    (Array.isArray(list) ? list : []).map((rule, i) => ({
      kind,
      index: i + 1,
      src: strings(field(rule, "src")),
      destinations: kind === "grant"
        ? grantDestinations(rule)
        : aclDestinations(rule),
      ...(field(rule, "srcPosture") === undefined
        ? {}
        : { srcPosture: strings(field(rule, "srcPosture")) }),
    }));
  return [
    ...rules("grant", field(policy, "grants")),
    ...rules("ACL", field(policy, "acls")),
  ];
}

/** Logins that can stand for `entry` of a rule's `src`, best first. */
function membersOf(
  policy: PolicySections,
  entry: string,
  everyone: readonly string[],
): string[] {
  if (entry === "*" || entry === "autogroup:member") return [...everyone];
  if (entry.startsWith("group:")) {
    const key = Object.keys(policy.groups ?? {}).find((k) =>
      k.toLowerCase() === entry.toLowerCase()
    );
    return key === undefined
      ? []
      : policy.groups![key].filter((m) => m.includes("@") && !m.includes(":"));
  }
  if (entry.startsWith("tag:")) return [entry];
  return entry.includes("@") && !entry.includes(":") ? [entry] : [];
}

/**
 * The test that shows what approving `attribute` opens: from the rules
 * whose `srcPosture` (or, without one, the `defaultSrcPosture`) names a
 * posture requiring `attribute == true`, the first with a concrete
 * destination and a real source. `everyone` stands for `autogroup:member`
 * and `*` (active tailnet users, or approvers' logins).
 *
 * @example
 * ```ts
 * const choice = chooseRuleTest(policyText, "custom:prodAccess", ["bob@example.com"]);
 * if (choice.ok) choice.test; // { sources: ["bob@example.com"], destination: "tag:prod:22", rule: "grant 1" }
 * ```
 */
export function chooseRuleTest(
  policyText: string,
  attribute: string,
  everyone: readonly string[],
): RuleTestChoice {
  const read = readPolicySections(policyText);
  if (!read.ok) return { ok: false, reason: read.problem };
  const { policy } = read;
  const postures = posturesRequiring(policy, attribute);
  // The sections' rules carry no destinations: read those from the text.
  const rules = readRules(parse(policyText, [], { allowTrailingComma: true }))
    .filter((rule) => needsPosture(rule, policy, postures));
  if (!rules.length) {
    return { ok: false, reason: `no rule requires ${attribute}` };
  }
  for (const rule of rules) {
    const sources = [
      ...new Set(rule.src.flatMap((e) => membersOf(policy, e, everyone))),
    ].slice(0, MAX_SOURCES);
    if (sources.length && rule.destinations.length) {
      return {
        ok: true,
        test: {
          sources,
          destination: rule.destinations[0],
          rule: `${rule.kind} ${rule.index}`,
        },
      };
    }
  }
  return {
    ok: false,
    reason: `no rule requiring ${attribute} has both a concrete ` +
      `destination (Tailscale's tests take no * or autogroup) and a known ` +
      `member of its src`,
  };
}
