/**
 * `deno task policy` (lib/policy/snippet.ts): the snippet is HuJSON that
 * gives every profile something to grant (a posture used by a grant's
 * srcPosture, or a group used by a grant's src), lets no device set the
 * attributes itself, and names the OAuth scopes the profiles need.
 */
import { parse, type ParseError } from "jsonc-parser";
import { config } from "../config.ts";
import { type Config, parseConfig } from "../lib/config_schema.ts";
import { analysePolicy, policySnippet } from "../lib/policy/mod.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";

type Policy = {
  tagOwners?: Record<string, string[]>;
  postures?: Record<string, string[]>;
  attrConfig?: Record<string, { type?: string; allowSetByNode?: boolean }>;
  groups?: Record<string, string[]>;
  grants?: {
    src: string[];
    dst: string[];
    ip: string[];
    srcPosture?: string[];
  }[];
};

/** The snippet for `config`, parsed as Tailscale reads HuJSON. */
function snippetOf(config: Config): { text: string; policy: Policy } {
  const text = policySnippet(config);
  const errors: ParseError[] = [];
  const policy = parse(text, errors, { allowTrailingComma: true }) as Policy;
  assertEquals(errors, [], `the snippet is not HuJSON:\n${text}`);
  return { text, policy };
}

/** The comment lines before the opening brace, where the scopes are. */
function scopeLines(text: string): string[] {
  return text.slice(0, text.indexOf("{")).split("\n")
    .filter((line) => line.startsWith("//   "))
    .map((line) => line.slice(5).split(/\s+/)[0]);
}

const mixed = parseConfig({
  profiles: [
    { description: "Production", attribute: "custom:prodAccess" },
    { description: "Staging", attribute: "custom:stagingAccess" },
    // Colons allowed in keys: "custom:db:admin" and "custom:db_admin"
    // would both be posture:db_admin without a number.
    { description: "DB\nadmin", attribute: "custom:db:admin" },
    { description: "DB admin 2", attribute: "custom:db_admin" },
    { description: "Production (group)", group: "group:prod" },
    { description: "Ops", group: "group:ops" },
  ],
});
const attributesOnly = parseConfig({
  profiles: [{ description: "Production", attribute: "custom:prodAccess" }],
});

Deno.test("one posture per attribute profile, each requiring its attribute", () => {
  const { policy } = snippetOf(mixed);
  const postures = Object.entries(policy.postures ?? {});
  assertEquals(postures.length, 4);
  assertEquals(postures[0], ["posture:prodAccess", [
    "custom:prodAccess == true",
  ]]);
  assertEquals(
    postures.map(([, conditions]) => conditions),
    mixed.profiles.filter((p) => p.attribute)
      .map((p) => [`${p.attribute} == true`]),
  );
  assertEquals(
    new Set(postures.map(([name]) => name.toLowerCase())).size,
    4,
    "posture names are distinct",
  );
});

Deno.test("every posture is used by a grant's srcPosture, from any member", () => {
  const { policy } = snippetOf(mixed);
  for (const name of Object.keys(policy.postures ?? {})) {
    const grants = (policy.grants ?? []).filter((g) =>
      g.srcPosture?.includes(name)
    );
    assertEquals(grants.length, 1, `grants using ${name}`);
    assertEquals(grants[0].src, ["autogroup:member"]);
    assertEquals(grants[0].ip, ["*"]);
  }
});

Deno.test("one group entry per group profile, empty, and a grant from it", () => {
  const { text, policy } = snippetOf(mixed);
  assertEquals(policy.groups, { "group:prod": [], "group:ops": [] });
  for (const group of ["group:prod", "group:ops"]) {
    const grants = (policy.grants ?? []).filter((g) => g.src.includes(group));
    assertEquals(grants.length, 1, `grants from ${group}`);
    assertEquals(grants[0].srcPosture, undefined);
  }
  assertIncludes(text, "The app adds and removes logins");
  assertEquals(policy.grants?.length, mixed.profiles.length);
});

Deno.test("attrConfig: each attribute a bool no device may set on itself", () => {
  const { policy } = snippetOf(mixed);
  assertEquals(
    policy.attrConfig,
    Object.fromEntries(
      mixed.profiles.filter((p) => p.attribute).map((p) => [
        p.attribute,
        { type: "bool", allowSetByNode: false },
      ]),
    ),
  );
});

Deno.test("the grants' destinations are placeholders the comments say to edit", () => {
  const { text, policy } = snippetOf(mixed);
  for (const grant of policy.grants ?? []) {
    assertEquals(grant.dst, ["tag:edit-me"]);
  }
  assertIncludes(text, "// edit: the devices it opens");
  assertIncludes(text, "tag:accessbot");
  assertEquals(policy.tagOwners, { "tag:accessbot": ["autogroup:admin"] });
});

Deno.test("the scopes: policy_file and users:read only with a group profile", () => {
  assertEquals(scopeLines(snippetOf(attributesOnly).text), [
    "devices:core:read",
    "devices:posture_attributes",
  ]);
  assertEquals(scopeLines(snippetOf(mixed).text), [
    "devices:core:read",
    "devices:posture_attributes",
    "policy_file",
    "users:read",
  ]);
});

Deno.test("sections a configuration does not need are left out", () => {
  const { policy } = snippetOf(attributesOnly);
  assertEquals(policy.groups, undefined);
  const groupsOnly = snippetOf(
    parseConfig({ profiles: [{ description: "Ops", group: "group:ops" }] }),
  ).policy;
  assertEquals(groupsOnly.postures, undefined);
  assertEquals(groupsOnly.attrConfig, undefined);
  assertEquals(groupsOnly.grants?.length, 1);
});

Deno.test("the repository's config.ts gives a snippet that parses", () => {
  const { policy } = snippetOf(config);
  assert(policy.grants !== undefined && policy.grants.length > 0);
  assertEquals(policy.grants.length, config.profiles.length);
});

Deno.test("the snippet, as printed, passes every policy check of its profiles", () => {
  for (const cfg of [mixed, attributesOnly, config]) {
    const checks = analysePolicy(policySnippet(cfg), cfg);
    assert(checks.length >= cfg.profiles.length, "a check per profile");
    const notOk = checks.filter((c) => c.status !== "ok");
    // A group the example grant uses is used: no "unused group" warning.
    assertEquals(notOk, []);
  }
});
