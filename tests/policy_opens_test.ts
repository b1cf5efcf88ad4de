/**
 * What approving a profile opens, read from the policy file alone
 * (lib/policy/opens.ts): an attribute profile's rules through its posture
 * (in `srcPosture` or `defaultSrcPosture`), a group profile's rules through
 * `src`, the line each rule starts on, the cut after three rules, and the
 * one-line text for messages, on policies written as admins write them.
 */
import { parseConfig } from "../lib/config_schema.ts";
import {
  MAX_RULES_SHOWN,
  type Opens,
  opensOf,
  OpensSchema,
  opensText,
} from "../lib/policy/mod.ts";
import { assertEquals } from "./assert.ts";

const [prod, ops] = parseConfig({
  profiles: [
    { description: "Production", attribute: "custom:prodAccess" },
    { description: "Ops", group: "group:prod" },
  ],
}).profiles;

/** The policy's line (1-based) that contains `marker`. */
function lineWith(text: string, marker: string): number {
  return text.split("\n").findIndex((l) => l.includes(marker)) + 1;
}

const POLICY = `// Demo.
{
  "groups": {"group:prod": ["carol@example.com"]},
  "postures": {
    "posture:prod": ["custom:prodAccess == true"],
    "posture:mac": ["node:os == 'macos'"],
  },
  "grants": [
    { // grant-prod
      "src": ["autogroup:member"],
      "dst": ["tag:prod"],
      "ip": ["tcp:22", "tcp:443"],
      "srcPosture": ["posture:prod"],
    },
    {"src": ["autogroup:member"], "dst": ["tag:mac"], "ip": ["*"], "srcPosture": ["posture:mac"]},
    {"src": ["group:prod"], "dst": ["tag:db"], "ip": ["*"]}, // grant-group
  ],
  "ACLs": [
    // acl-prod
    {"action": "accept", "src": ["*"], "dst": ["tag:web:80,443", "10.0.0.1:*"], "SrcPosture": ["posture:prod"]},
  ],
  "ssh": [
    {"action": "accept", "src": ["group:prod"], "dst": ["tag:prod"], "users": ["root"]}, // ssh-group
  ],
}
`;

Deno.test("an attribute profile opens the grants and ACLs whose srcPosture requires it, with the lines they start on", () => {
  assertEquals(opensOf(POLICY, prod), {
    rules: [
      {
        targets: "tag:prod on tcp:22, tcp:443",
        line: lineWith(POLICY, "grant-prod"),
      },
      {
        targets: "tag:web on 80, 443 and 10.0.0.1 on all ports",
        line: lineWith(POLICY, "acl-prod") + 1,
      },
    ],
    more: 0,
  });
});

Deno.test("a group profile opens the grants, ACLs and SSH rules naming the group in src", () => {
  assertEquals(opensOf(POLICY, ops), {
    rules: [
      { targets: "tag:db on all ports", line: lineWith(POLICY, "grant-group") },
      {
        targets: "SSH to tag:prod as root",
        line: lineWith(POLICY, "ssh-group"),
      },
    ],
    more: 0,
  });
});

Deno.test("rules without srcPosture count when defaultSrcPosture requires the attribute", () => {
  const policy = `{
    "postures": {"posture:prod": ["custom:prodAccess == 'true'"]},
    "defaultSrcPosture": ["posture:prod"],
    "grants": [
      {"src": ["*"], "dst": ["tag:a"], "ip": ["tcp:22"]},
      {"src": ["*"], "dst": ["tag:b"], "ip": ["tcp:22"], "srcPosture": []},
    ],
  }`;
  assertEquals(opensOf(policy, prod), {
    rules: [{ targets: "tag:a on tcp:22", line: 5 }],
    more: 0,
  });
});

Deno.test("three rules are kept and the rest counted", () => {
  const grants = Array.from(
    { length: 5 },
    (_, n) => `{"src": ["group:prod"], "dst": ["tag:t${n}"], "ip": ["*"]},`,
  );
  const policy = `{"grants": [\n${grants.join("\n")}\n]}`;
  const opens = opensOf(policy, ops);
  assertEquals(opens?.rules.length, MAX_RULES_SHOWN);
  assertEquals(opens?.rules.map((r) => r.line), [2, 3, 4]);
  assertEquals(opens?.more, 2);
  assertEquals(
    opensText(opens),
    "Opens tag:t0 on all ports (policy line 2); tag:t1 on all ports " +
      "(policy line 3); tag:t2 on all ports (policy line 4); and 2 more rules",
  );
});

Deno.test("a profile nothing uses opens nothing, and says so", () => {
  const unused =
    `{"postures": {"posture:prod": ["custom:prodAccess == true"]}}`;
  assertEquals(opensOf(unused, prod), { rules: [], more: 0 });
  assertEquals(opensOf(unused, ops), { rules: [], more: 0 });
  assertEquals(
    opensText({ rules: [], more: 0 }),
    "Opens nothing in the current policy",
  );
});

Deno.test("a policy that is not HuJSON gives no summary, and the text points to the policy", () => {
  assertEquals(opensOf(`{"grants": `, prod), null);
  assertEquals(opensOf(`[]`, ops), null);
  assertEquals(opensText(null), "What this opens: see the tailnet policy");
});

Deno.test("one rule reads as the brief shows it, and a long one is cut", () => {
  assertEquals(
    opensText({
      rules: [{ targets: "tag:prod on tcp:22, tcp:443", line: 41 }],
      more: 0,
    }),
    "Opens tag:prod on tcp:22, tcp:443 (policy line 41)",
  );
  const many = Array.from({ length: 60 }, (_, n) => `"tag:host${n}"`);
  const policy = `{"grants": [{"src": ["group:prod"], "dst": [${
    many.join(",")
  }], "ip": ["*"]}]}`;
  const opens = opensOf(policy, ops) as Opens;
  // What is cached stays within its schema, so it reads back.
  assertEquals(OpensSchema.safeParse(opens).success, true);
  assertEquals(opens.rules[0].targets.length, 150);
  assertEquals(opens.rules[0].targets.endsWith("…"), true);
});
