/**
 * The policy checks read from the file alone (lib/policy/analysis.ts): each
 * attribute profile's posture and the rules using it, attrConfig, each group
 * profile's group and its use, and a file that is not HuJSON, on policies
 * written as admins write them (comments, trailing commas).
 */
import { parseConfig } from "../lib/config_schema.ts";
import {
  analysePolicy,
  type PolicyCheck,
  requiresTrue,
} from "../lib/policy/mod.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";

const prod = parseConfig({
  profiles: [{ description: "Production", attribute: "custom:prodAccess" }],
});
const ops = parseConfig({
  profiles: [{ description: "Ops", group: "group:prod" }],
});

/** The one line with `status`, failing when there is not exactly one. */
function only(checks: PolicyCheck[], status: PolicyCheck["status"]) {
  const found = checks.filter((c) => c.status === status);
  assertEquals(
    found.length,
    1,
    `one ${status} line in ${JSON.stringify(checks)}`,
  );
  return found[0];
}

const WORKING = `{
  // Production access while a grant lasts.
  "postures": {
    "posture:prodAccess": ["custom:prodAccess == true",],
  },
  "grants": [
    {
      "src": ["autogroup:member"],
      "dst": ["tag:prod"],
      "ip": ["tcp:22"],
      "srcPosture": ["posture:prodAccess"], // the profile's posture
    },
  ],
  "attrConfig": {
    "custom:prodAccess": {"type": "bool", "allowSetByNode": false},
  },
}`;

Deno.test("an attribute required by a posture a grant uses is ok", () => {
  const checks = analysePolicy(WORKING, prod);
  assertEquals(checks.map((c) => c.status), ["ok", "ok"]);
  assertEquals(checks[0], {
    status: "ok",
    subject: "Production",
    text:
      "posture:prodAccess requires custom:prodAccess == true and is in the srcPosture of 1 rule",
  });
});

Deno.test("a posture used by an ACL or by defaultSrcPosture counts", () => {
  const acl = `{
    "postures": {"posture:p": ["node:os == 'macos'", "custom:prodAccess == 'true'"]},
    "acls": [{"action": "accept", "src": ["*"], "dst": ["tag:prod:22"], "srcPosture": ["posture:p"]},],
  }`;
  assertEquals(analysePolicy(acl, prod)[0].status, "ok");
  const byDefault = `{
    // every rule without its own srcPosture needs it
    "defaultSrcPosture": ["posture:p"],
    "postures": {"posture:p": ["custom:prodaccess==\\"true\\""]},
    "grants": [{"src": ["*"], "dst": ["tag:prod"], "ip": ["*"]}],
  }`;
  assertIncludes(
    analysePolicy(byDefault, prod)[0].text,
    "is in defaultSrcPosture",
  );
});

Deno.test("no posture requiring the attribute fails with the snippet", () => {
  const policy = `{
    "postures": {"posture:prodAccess": ["custom:prodAccess == false", "custom:other == true"]},
    "grants": [{"src": ["*"], "dst": ["tag:prod"], "ip": ["*"], "srcPosture": ["posture:prodAccess"]}],
  }`;
  const line = only(analysePolicy(policy, prod), "fail");
  assertEquals(line.subject, "Production");
  assertIncludes(
    line.text,
    "approving Production changes no access: no posture requires custom:prodAccess == true",
  );
  assertIncludes(
    line.text,
    `"posture:prodAccess": ["custom:prodAccess == true"]`,
  );
});

Deno.test("a posture no rule uses fails", () => {
  const policy = `{
    "postures": {"posture:prodAccess": ["custom:prodAccess == true"]},
    "grants": [
      // the admin forgot the srcPosture
      {"src": ["*"], "dst": ["tag:prod"], "ip": ["*"]},
    ],
    "ssh": [{"action": "accept", "src": ["*"], "dst": ["tag:prod"], "users": ["root"], "srcPosture": ["posture:other"]}],
  }`;
  const line = only(analysePolicy(policy, prod), "fail");
  assertIncludes(
    line.text,
    "approving Production changes no access: posture:prodAccess is in no rule's srcPosture",
  );
});

Deno.test("attrConfig: nodes allowed to set the attribute fails", () => {
  const policy = WORKING.replace(
    `"allowSetByNode": false`,
    `"allowSetByNode": true`,
  );
  assertEquals(only(analysePolicy(policy, prod), "fail"), {
    status: "fail",
    subject: "Production",
    text:
      'any device can give itself Production access: set allowSetByNode to false for custom:prodAccess in "attrConfig"',
  });
});

Deno.test("attrConfig: a type other than bool fails", () => {
  const policy = WORKING.replace(`"type": "bool"`, `"type": "string"`);
  const line = only(analysePolicy(policy, prod), "fail");
  assertIncludes(line.text, `declares custom:prodAccess as type "string"`);
  assertIncludes(line.text, "the app writes true");
});

Deno.test("attrConfig: no entry for the attribute is ok", () => {
  const policy = `{
    "postures": {"posture:prodAccess": ["custom:prodAccess == true"]},
    "grants": [{"src": ["*"], "dst": ["tag:prod"], "ip": ["*"], "srcPosture": ["posture:prodAccess"]}],
    "attrConfig": {"custom:example": {"type": "string", "allowSetByNode": true}},
  }`;
  assertEquals(analysePolicy(policy, prod).map((c) => c.status), [
    "ok",
    "ok",
  ]);
});

const GROUP_USED = `{
  "groups": {
    "group:prod": [], // the app adds people here
  },
  "grants": [{"src": ["group:prod"], "dst": ["tag:prod"], "ip": ["*"]},],
}`;

Deno.test("a group that exists and a rule uses is ok", () => {
  assertEquals(analysePolicy(GROUP_USED, ops), [{
    status: "ok",
    subject: "Ops",
    text: "group:prod exists and is in the src of 1 rule",
  }]);
  const viaSsh = `{
    "Groups": {"group:prod": ["alice@example.com"]},
    "SSH": [{"action": "check", "src": ["group:prod"], "dst": ["tag:prod"], "users": ["root"]}],
  }`;
  assertEquals(analysePolicy(viaSsh, ops)[0].status, "ok");
});

Deno.test("a missing group fails with the snippet to add", () => {
  const policy = GROUP_USED.replace(`"group:prod": []`, `"group:dev": []`);
  const line = only(analysePolicy(policy, ops), "fail");
  assertIncludes(line.text, "the policy file has no group:prod");
  assertIncludes(line.text, `add "group:prod": [] to "groups"`);
});

Deno.test("a group no rule uses is a warning", () => {
  const policy = GROUP_USED.replace(`["group:prod"]`, `["group:dev"]`);
  const line = only(analysePolicy(policy, ops), "warn");
  assertIncludes(
    line.text,
    "approving Ops gives membership in a group no rule uses",
  );
});

Deno.test("a policy that does not parse is one failure naming where", () => {
  const checks = analysePolicy(
    `{\n  "groups": {\n    "group:prod": [,\n}`,
    ops,
  );
  assertEquals(checks.length, 1);
  assertEquals(checks[0].status, "fail");
  assertEquals(checks[0].subject, "policy file");
  assertIncludes(checks[0].text, "not valid HuJSON");
  assertIncludes(checks[0].text, "line 3");
  assertIncludes(checks[0].text, "offset ");
});

Deno.test("a policy with a section of the wrong shape is one failure", () => {
  const checks = analysePolicy(
    `{"postures": {"posture:p": "custom:x == true"}}`,
    prod,
  );
  assertEquals(checks.length, 1);
  assertIncludes(checks[0].text, `"postures.posture:p"`);
  const notObject = analysePolicy(`[]`, prod);
  assertIncludes(notObject[0].text, "not a HuJSON object");
});

Deno.test("requiresTrue accepts == true, bare or quoted, and nothing else", () => {
  for (
    const c of [
      "custom:a == true",
      "custom:A==true",
      `custom:a == 'true'`,
      `custom:a == "true"`,
    ]
  ) {
    assert(requiresTrue(c, "custom:a"), c);
  }
  for (
    const c of [
      "custom:a != true",
      "custom:a == false",
      "custom:ab == true",
      "custom:a IN ['true']",
    ]
  ) {
    assert(!requiresTrue(c, "custom:a"), c);
  }
});
