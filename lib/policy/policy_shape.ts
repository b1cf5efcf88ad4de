/**
 * Reading a tailnet policy file (HuJSON) into the few sections the setup
 * checks look at, validated with zod: the text comes from Tailscale or an
 * admin's paste, so it is checked before anything trusts its shape. Field
 * names follow Tailscale's Go client (`ACL`, `Grant`, `ACLEntry`, `ACLSSH`,
 * `ACLAttrConfig` in `policyfile.go`).
 *
 * @module
 */
import { parse, type ParseError, printParseErrorCode } from "jsonc-parser";
import { z } from "zod";

const Names = z.array(z.string());

/** A grant, ACL or SSH rule: only who it is for and which postures it needs. */
const Rule = z.object({
  src: Names.optional(),
  srcPosture: Names.optional(),
});

/** One `attrConfig` entry: how Tailscale treats a custom attribute. */
const AttrConfig = z.object({
  type: z.string().optional(),
  allowSetByNode: z.boolean().optional(),
});

/** The sections of a policy file the checks read; the rest is ignored. */
const PolicySchema = z.object({
  groups: z.record(z.string(), Names).optional(),
  postures: z.record(z.string(), Names).optional(),
  defaultSrcPosture: Names.optional(),
  grants: z.array(Rule).optional(),
  acls: z.array(Rule).optional(),
  ssh: z.array(Rule).optional(),
  attrConfig: z.record(z.string(), AttrConfig).optional(),
});

/** The parts of a policy file the setup checks read. */
export type PolicySections = z.output<typeof PolicySchema>;

/** What reading the policy file gave: its sections, or why it could not. */
export type PolicyRead =
  | { ok: true; policy: PolicySections }
  | { ok: false; problem: string };

// Tailscale reads the file with Go's encoding/json, which matches field
// names case-insensitively, so older files with "ACLs" or "Groups" count.
const TOP_FIELDS = Object.keys(PolicySchema.shape);
const RULE_FIELDS = Object.keys(Rule.shape);
const ATTR_FIELDS = Object.keys(AttrConfig.shape);

/**
 * `value`'s keys renamed to the matching name in `fields`, case aside, as
 * Go's encoding/json matches them.
 *
 * @example
 * ```ts
 * canonicalKeys({ SrcPosture: ["posture:x"] }, ["srcPosture"]);
 * // { srcPosture: ["posture:x"] }
 * ```
 */
export function canonicalKeys(value: unknown, fields: string[]): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    return value;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      fields.find((f) => f.toLowerCase() === key.toLowerCase()) ?? key,
      v,
    ]),
  );
}

function canonicalPolicy(value: unknown): unknown {
  const top = canonicalKeys(value, TOP_FIELDS) as Record<string, unknown>;
  if (!top || typeof top !== "object" || Array.isArray(top)) return top;
  const out = { ...top };
  for (const section of ["grants", "acls", "ssh"]) {
    if (Array.isArray(out[section])) {
      out[section] = (out[section] as unknown[]).map((rule) =>
        canonicalKeys(rule, RULE_FIELDS)
      );
    }
  }
  const attrs = out.attrConfig;
  if (attrs && typeof attrs === "object" && !Array.isArray(attrs)) {
    out.attrConfig = Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => [k, canonicalKeys(v, ATTR_FIELDS)]),
    );
  }
  return out;
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(
  text: string,
  offset: number,
): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}

/**
 * Parses `text` as HuJSON (comments and trailing commas allowed) and
 * validates the sections the checks read. A problem is one sentence naming
 * where the file goes wrong.
 *
 * @example
 * ```ts
 * const read = readPolicySections('{"groups": {"group:prod": [],},}');
 * if (read.ok) read.policy.groups; // { "group:prod": [] }
 *
 * readPolicySections('{"groups": }');
 * // { ok: false, problem: "the policy file is not valid HuJSON: ValueExpected at line 1, column 12 (offset 11)" }
 * ```
 */
export function readPolicySections(text: string): PolicyRead {
  const errors: ParseError[] = [];
  const value = parse(text, errors, {
    allowTrailingComma: true,
    disallowComments: false,
  });
  if (errors.length) {
    const { error, offset } = errors[0];
    const { line, column } = lineAndColumn(text, offset);
    return {
      ok: false,
      problem: `the policy file is not valid HuJSON: ${
        printParseErrorCode(error)
      } at line ${line}, column ${column} (offset ${offset})`,
    };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    return {
      ok: false,
      problem: "the policy file is not a HuJSON object ({ … })",
    };
  }
  const result = PolicySchema.safeParse(canonicalPolicy(value));
  if (result.success) return { ok: true, policy: result.data };
  const issue = result.error.issues[0];
  return {
    ok: false,
    problem: `the policy file's "${
      issue.path.join(".")
    }" is not what Tailscale expects: ${issue.message}`,
  };
}
