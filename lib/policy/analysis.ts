/**
 * Whether the tailnet policy file makes each profile in `config.ts` matter,
 * read from the file alone (no Tailscale call): an attribute profile's
 * attribute must be required by a posture that some rule uses, devices must
 * not be able to set it themselves, and a group profile's group must exist
 * and be used by a rule. `deno task doctor` and the "Check setup" shortcut
 * print these lines; the checks that ask Tailscale itself come on top.
 *
 * @module
 */
import type { Config, Profile } from "../config_schema.ts";
import { type PolicySections, readPolicySections } from "./policy_shape.ts";

/**
 * One line of a setup report: ✓ (`ok`), ✗ (`fail`), ! (`warn`) or –
 * (`skip`), about `subject`, with the fix in words when it fails.
 */
export type PolicyCheck = {
  status: "ok" | "fail" | "warn" | "skip";
  /** What the line is about: a profile's description, or "policy file". */
  subject: string;
  /** One line; for a failure, what to change. */
  text: string;
};

/** The rule sections whose `srcPosture` can require a posture. */
type Rules = NonNullable<PolicySections["grants"]>;

/**
 * Checks the policy file `policyText` (HuJSON) against every profile in
 * `config`: one or more lines per profile, in the profiles' order, or a
 * single failure when the file cannot be read.
 *
 * @example
 * ```ts
 * const lines = analysePolicy(policyText, config);
 * for (const { status, subject, text } of lines) {
 *   console.log(`${status} ${subject}: ${text}`);
 * }
 * // fail Production: approving Production changes no access: no posture requires custom:prodAccess == true (…)
 * ```
 */
export function analysePolicy(
  policyText: string,
  config: Config,
): PolicyCheck[] {
  const read = readPolicySections(policyText);
  if (!read.ok) {
    return [{ status: "fail", subject: "policy file", text: read.problem }];
  }
  return config.profiles.flatMap((profile) =>
    profile.attribute !== undefined
      ? [
        postureCheck(read.policy, profile, profile.attribute),
        ...attrConfigChecks(read.policy, profile, profile.attribute),
      ]
      : [groupCheck(read.policy, profile, profile.key)]
  );
}

/**
 * Whether `condition` requires `attribute` to be true: `attr == true`, with
 * `true` bare or quoted. Attribute keys compare case-insensitively, as
 * Tailscale compares them.
 */
export function requiresTrue(condition: string, attribute: string): boolean {
  const match = /^\s*(\S+)\s*==\s*(true|'true'|"true")\s*$/.exec(condition);
  return match !== null && match[1].toLowerCase() === attribute.toLowerCase();
}

/**
 * The postures of `policy` with a condition requiring `attribute` to be
 * true, in the file's order.
 *
 * @example
 * ```ts
 * posturesRequiring(policy, "custom:prodAccess"); // ["posture:prodAccess"]
 * ```
 */
export function posturesRequiring(
  policy: PolicySections,
  attribute: string,
): string[] {
  return Object.entries(policy.postures ?? {})
    .filter(([, conditions]) =>
      conditions.some((c) => requiresTrue(c, attribute))
    )
    .map(([name]) => name);
}

/**
 * Whether a rule needs one of `postures`: its own `srcPosture`, or without
 * one the file's `defaultSrcPosture`, names one.
 *
 * @example
 * ```ts
 * const gated = rules.filter((r) => needsPosture(r, policy, postures));
 * ```
 */
export function needsPosture(
  rule: { srcPosture?: string[] },
  policy: PolicySections,
  postures: readonly string[],
): boolean {
  return (rule.srcPosture ?? policy.defaultSrcPosture ?? []).some((p) =>
    postures.includes(p)
  );
}

/** The rules (grants, then ACLs) whose `srcPosture` names `posture`. */
function rulesUsing(policy: PolicySections, posture: string): Rules {
  return [...policy.grants ?? [], ...policy.acls ?? []].filter((rule) =>
    rule.srcPosture?.includes(posture)
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function postureCheck(
  policy: PolicySections,
  profile: Profile,
  attribute: string,
): PolicyCheck {
  const subject = profile.description;
  const nothing = `approving ${profile.description} changes no access`;
  const postures = posturesRequiring(policy, attribute);
  if (!postures.length) {
    const name = `posture:${attribute.slice("custom:".length)}`;
    return {
      status: "fail",
      subject,
      text: `${nothing}: no posture requires ${attribute} == true ` +
        `(add "${name}": ["${attribute} == true"] to "postures" and ` +
        `"${name}" to the srcPosture of the rules it should open)`,
    };
  }
  for (const name of postures) {
    const rules = rulesUsing(policy, name);
    if (rules.length) {
      return {
        status: "ok",
        subject,
        text: `${name} requires ${attribute} == true and is in the ` +
          `srcPosture of ${plural(rules.length, "rule")}`,
      };
    }
    if (policy.defaultSrcPosture?.includes(name)) {
      return {
        status: "ok",
        subject,
        text: `${name} requires ${attribute} == true and is in ` +
          `defaultSrcPosture`,
      };
    }
  }
  return {
    status: "fail",
    subject,
    text: `${nothing}: ${postures.join(", ")} ${
      postures.length === 1 ? "is" : "are"
    } in no rule's srcPosture (add "${
      postures[0]
    }" to the srcPosture of the grants it should open)`,
  };
}

function attrConfigChecks(
  policy: PolicySections,
  profile: Profile,
  attribute: string,
): PolicyCheck[] {
  const subject = profile.description;
  const entry = Object.entries(policy.attrConfig ?? {})
    .find(([key]) => key.toLowerCase() === attribute.toLowerCase())?.[1];
  const checks: PolicyCheck[] = [];
  if (entry?.allowSetByNode === true) {
    checks.push({
      status: "fail",
      subject,
      text: `any device can give itself ${profile.description} access: ` +
        `set allowSetByNode to false for ${attribute} in "attrConfig"`,
    });
  }
  if (entry?.type !== undefined && entry.type !== "bool") {
    checks.push({
      status: "fail",
      subject,
      text: `"attrConfig" declares ${attribute} as type "${entry.type}", ` +
        `but the app writes true: set its type to "bool"`,
    });
  }
  if (!checks.length) {
    checks.push({
      status: "ok",
      subject,
      text: `only the app (not a device itself) can set ${attribute}`,
    });
  }
  return checks;
}

function groupCheck(
  policy: PolicySections,
  profile: Profile,
  group: string,
): PolicyCheck {
  const subject = profile.description;
  if (!Object.hasOwn(policy.groups ?? {}, group)) {
    return {
      status: "fail",
      subject,
      text: `the policy file has no ${group}, so approving ` +
        `${profile.description} cannot add anyone: add "${group}": [] ` +
        `to "groups"`,
    };
  }
  const rules = [
    ...policy.grants ?? [],
    ...policy.acls ?? [],
    ...policy.ssh ?? [],
  ]
    .filter((rule) => rule.src?.includes(group));
  if (!rules.length) {
    return {
      status: "warn",
      subject,
      text: `approving ${profile.description} gives membership in a ` +
        `group no rule uses: add ${group} to the src of the grants it ` +
        `should open`,
    };
  }
  return {
    status: "ok",
    subject,
    text: `${group} exists and is in the src of ${
      plural(rules.length, "rule")
    }`,
  };
}
