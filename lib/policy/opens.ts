/**
 * What approving a profile opens, read from the tailnet policy file alone
 * (no Tailscale call): for an attribute profile, the grants and ACLs whose
 * `srcPosture` (or the file's `defaultSrcPosture`) needs a posture that
 * requires the attribute to be true; for a group profile, the grants, ACLs
 * and SSH rules whose `src` names the group. The result is small and
 * serialisable, so it can be cached with the device index and shown in the
 * approver's message without asking Tailscale at click time.
 *
 * @module
 */
import { getNodeValue, type Node, parseTree } from "jsonc-parser";
import { z } from "zod";
import type { Profile } from "../config_schema.ts";
import { needsPosture, posturesRequiring } from "./analysis.ts";
import {
  canonicalKeys,
  lineAndColumn,
  type PolicySections,
  readPolicySections,
} from "./policy_shape.ts";

/** How many rules a summary keeps; the rest are only counted. */
export const MAX_RULES_SHOWN = 3;
/** Longest description of one rule's destinations, in characters. */
const MAX_TARGETS_LENGTH = 150;

const OpenedRuleSchema = z.object({
  /** The rule's destinations, e.g. "tag:prod on tcp:22, tcp:443". */
  targets: z.string().max(MAX_TARGETS_LENGTH),
  /** 1-based line of the policy file where the rule's object starts. */
  line: z.number().int().positive(),
});

/**
 * What a profile opens: at most {@linkcode MAX_RULES_SHOWN} rules in the
 * file's order (grants, then ACLs, then SSH rules) and how many more there
 * are. Validated with zod when read back from a cache.
 */
export const OpensSchema = z.object({
  rules: z.array(OpenedRuleSchema).max(MAX_RULES_SHOWN),
  more: z.number().int().nonnegative(),
});

/** What a profile opens; see {@linkcode OpensSchema}. */
export type Opens = z.output<typeof OpensSchema>;

/** One rule a profile opens, as a summary shows it. */
export type OpenedRule = z.output<typeof OpenedRuleSchema>;

type Section = "grants" | "acls" | "ssh";

/** A rule object of the file, with where it starts. */
type RuleAt = { section: Section; offset: number; value: unknown };

const Names = z.array(z.string()).optional().catch(undefined);

/** The fields of a rule a summary reads; a malformed one is left out. */
const RuleFields = z.object({
  src: Names,
  srcPosture: Names,
  dst: Names,
  ip: Names,
  users: Names,
  proto: z.string().optional().catch(undefined),
  app: z.record(z.string(), z.unknown()).optional().catch(undefined),
});
type RuleFields = z.output<typeof RuleFields>;

/**
 * What approving `profile` opens in `policyText` (HuJSON), or null when
 * the file cannot be read.
 *
 * Line numbers are counted from the text itself (the line of the rule's
 * opening `{`, as `acl/preview` reports a rule's `lineNumber`), so no
 * Tailscale call is needed per request.
 *
 * @example
 * ```ts
 * const opens = opensOf(policyText, profile);
 * // { rules: [{ targets: "tag:prod on tcp:22, tcp:443", line: 41 }], more: 0 }
 * opensText(opens); // "Opens tag:prod on tcp:22, tcp:443 (policy line 41)"
 * ```
 */
export function opensOf(
  policyText: string,
  profile: Pick<Profile, "attribute" | "group">,
): Opens | null {
  const read = readPolicySections(policyText);
  if (!read.ok) return null;
  const opens = profile.attribute !== undefined
    ? postureGate(read.policy, profile.attribute)
    : (rule: RuleFields) => rule.src?.includes(profile.group ?? "") ?? false;
  const fieldNames = Object.keys(RuleFields.shape);
  const sections: Section[] = profile.attribute !== undefined
    ? ["grants", "acls"]
    : ["grants", "acls", "ssh"];
  const root = parseTree(policyText, [], {
    allowTrailingComma: true,
    disallowComments: false,
  });
  const matched = sections.flatMap((section) =>
    rulesIn(root, section).flatMap((rule) => {
      const fields = RuleFields.safeParse(
        canonicalKeys(rule.value, fieldNames),
      );
      return fields.success && opens(fields.data)
        ? [{ rule, fields: fields.data }]
        : [];
    })
  );
  return {
    rules: matched.slice(0, MAX_RULES_SHOWN).map(({ rule, fields }) => ({
      targets: shorten(targetsOf(rule.section, fields)),
      line: lineAndColumn(policyText, rule.offset).line,
    })),
    more: Math.max(0, matched.length - MAX_RULES_SHOWN),
  };
}

/**
 * Whether a rule needs the attribute: its `srcPosture` (or, without one,
 * the file's `defaultSrcPosture`) names a posture requiring it to be true.
 */
function postureGate(
  policy: PolicySections,
  attribute: string,
): (rule: RuleFields) => boolean {
  const postures = posturesRequiring(policy, attribute);
  return (rule) => needsPosture(rule, policy, postures);
}

/** The rule objects of one section, wherever its key's case differs. */
function rulesIn(root: Node | undefined, section: Section): RuleAt[] {
  // Go's encoding/json takes the last of keys that match case-insensitively.
  const property = root?.children?.findLast((p) =>
    String(p.children?.[0]?.value).toLowerCase() === section
  );
  const array = property?.children?.[1];
  if (array?.type !== "array") return [];
  return (array.children ?? [])
    .filter((node: Node) => node.type === "object")
    .map((node: Node) => ({
      section,
      offset: node.offset,
      value: getNodeValue(node),
    }));
}

/** "all ports" for `*`, else the ports as the file writes them. */
function portsText(ports: readonly string[]): string {
  return ports.length === 1 && ports[0] === "*" ? "all ports" : ports.join(
    ", ",
  );
}

/** The rule's destinations in a few words. */
function targetsOf(section: Section, rule: RuleFields): string {
  const dst = rule.dst ?? [];
  if (section === "ssh") {
    return `SSH to ${dst.join(", ")} as ${(rule.users ?? []).join(", ")}`;
  }
  if (section === "acls") {
    // ACL destinations are host:ports; the host may contain colons itself.
    return dst.map((entry) => {
      const colon = entry.lastIndexOf(":");
      if (colon <= 0) return entry;
      const ports = entry.slice(colon + 1).split(",");
      const proto = rule.proto ? `${rule.proto} ` : "";
      return `${entry.slice(0, colon)} on ${proto}${portsText(ports)}`;
    }).join(" and ");
  }
  const to = dst.join(", ");
  if (rule.ip?.length) return `${to} on ${portsText(rule.ip)}`;
  if (rule.app) return `${to} (app capabilities)`;
  return to;
}

function shorten(text: string): string {
  return text.length <= MAX_TARGETS_LENGTH
    ? text
    : `${text.slice(0, MAX_TARGETS_LENGTH - 1)}…`;
}

/** What the message says when the policy could not be read. */
export const OPENS_UNKNOWN_TEXT = "What this opens: see the tailnet policy";

/**
 * The summary as one short line for the approver's and requester's
 * messages (plain text: escape it for mrkdwn). Null, from a policy that
 * could not be read or a cache that has nothing, sends the reader to the
 * policy file.
 *
 * @example
 * ```ts
 * opensText({ rules: [{ targets: "tag:prod on tcp:22", line: 41 }], more: 2 });
 * // "Opens tag:prod on tcp:22 (policy line 41); and 2 more rules"
 * opensText({ rules: [], more: 0 }); // "Opens nothing in the current policy"
 * opensText(null); // "What this opens: see the tailnet policy"
 * ```
 */
export function opensText(opens: Opens | null): string {
  if (!opens) return OPENS_UNKNOWN_TEXT;
  if (!opens.rules.length) return "Opens nothing in the current policy";
  const rules = opens.rules.map((r) => `${r.targets} (policy line ${r.line})`);
  const more = opens.more
    ? `; and ${opens.more} more rule${opens.more === 1 ? "" : "s"}`
    : "";
  return `Opens ${rules.join("; ")}${more}`;
}
