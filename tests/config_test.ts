/**
 * config.ts, as the app reads it (lib/config_schema.ts): the repository's own
 * file is valid, defaults match Tailscale's accessbot, and every mistake an
 * admin can make is named with its profile, all of them in one message.
 */
import { config, rawConfig } from "../config.ts";
import {
  ConfigError,
  DEFAULT_MAX_SECONDS,
  parseConfig,
} from "../lib/config_schema.ts";
import {
  assert,
  assertEquals,
  assertIncludes,
  assertThrows,
} from "./assert.ts";

const base = { description: "Production", attribute: "custom:prodAccess" };

function problemsOf(raw: unknown): string[] {
  const e = assertThrows(() => parseConfig(raw));
  assert(e instanceof ConfigError, `expected ConfigError, got ${e}`);
  return e.problems;
}

Deno.test("the repository's config.ts is valid", () => {
  assertEquals(config, parseConfig(rawConfig));
  assert(config.profiles.length > 0);
});

Deno.test("defaults match Tailscale's accessbot", () => {
  const [p] = parseConfig({ profiles: [base] }).profiles;
  assertEquals(p.maxSeconds, DEFAULT_MAX_SECONDS);
  assertEquals(p.canSelfApprove, false);
  assertEquals(p.confirmSelfApproval, false);
  assertEquals(p.approverEmails, undefined);
});

Deno.test("approver emails are normalised to lower case", () => {
  const [p] = parseConfig({
    profiles: [{ ...base, approverEmails: [" Bob@Example.com "] }],
  }).profiles;
  assertEquals(p.approverEmails, ["bob@example.com"]);
});

Deno.test("attribute keys may be 128 characters long, as Tailscale allows", () => {
  // The spec's attributeKey: "maximum length of 128 characters including
  // the namespace"; 50 is the limit for string values.
  const attribute = `custom:${"a".repeat(121)}`;
  assertEquals(attribute.length, 128);
  const [p] = parseConfig({ profiles: [{ ...base, attribute }] }).profiles;
  assertEquals(p.attribute, attribute);
});

Deno.test("each invalid field is named with its profile", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ attribute: "prodAccess" }, 'field "attribute"', 'start with "custom:"'],
    [
      { attribute: `custom:${"a".repeat(122)}` },
      'field "attribute"',
      "at most 128",
    ],
    [
      { attribute: "custom:prod-access" },
      'field "attribute"',
      "letters, digits",
    ],
    [{ maxSeconds: 0 }, 'field "maxSeconds"', "positive"],
    [{ maxSeconds: 8 * 86400 }, 'field "maxSeconds"', "at most 604800"],
    [{ maxSeconds: 1.5 }, 'field "maxSeconds"', "whole number"],
    [{ approverEmails: ["bob"] }, 'field "approverEmails.0"', "email"],
    [{ notifyChannel: "#access" }, 'field "notifyChannel"', "channel ID"],
    [{ canSelfApprove: "yes" }, 'field "canSelfApprove"', ""],
    [{ approver: ["x"] }, "", 'unknown field(s) "approver"'],
  ];
  for (const [change, where, what] of cases) {
    const [problem, ...rest] = problemsOf({
      profiles: [{ ...base, ...change }],
    });
    assertEquals(rest, [], `one problem for ${JSON.stringify(change)}`);
    assertIncludes(problem, 'profile 1 ("Production")');
    assertIncludes(problem, where);
    assertIncludes(problem, what);
  }
});

Deno.test("attributes must be unique case-insensitively", () => {
  const [problem] = problemsOf({
    profiles: [base, { description: "Prod 2", attribute: "custom:PRODACCESS" }],
  });
  assertIncludes(problem, 'profile 2 ("Prod 2") field "attribute"');
  assertIncludes(problem, "already used by profile 1");
});

Deno.test("at least one profile is required", () => {
  const [problem] = problemsOf({ profiles: [] });
  assertIncludes(problem, "at least one profile");
});

Deno.test("the error message lists every problem", () => {
  const e = assertThrows(() =>
    parseConfig({
      profiles: [{ description: "A", attribute: "x" }, {
        description: "",
        attribute: "custom:b",
      }],
    })
  );
  assertIncludes(e.message, "config.ts is invalid");
  assertIncludes(e.message, 'profile 1 ("A") field "attribute"');
  assertIncludes(e.message, 'profile 2 field "description"');
});

Deno.test("a profile grants an attribute or a group, never both and never neither", () => {
  const base = { description: "Prod" };
  const problems = (profile: Record<string, unknown>) => {
    try {
      parseConfig({ profiles: [profile] });
      return [];
    } catch (e) {
      assert(e instanceof ConfigError, String(e));
      return e.problems;
    }
  };
  assertEquals(problems({ ...base, group: "group:prod" }), []);
  assertIncludes(
    problems({ ...base, group: "group:prod", attribute: "custom:a" }).join(),
    'cannot have both "attribute" and "group"',
  );
  assertIncludes(problems(base).join(), 'needs either "attribute"');
  assertIncludes(
    problems({ ...base, group: "prod" }).join(),
    'field "group": must be a policy-file group',
  );
  assertIncludes(
    problems({ ...base, group: "group:prod", allowAnyDevice: true }).join(),
    "does not apply to a group profile",
  );
  const config = parseConfig({
    profiles: [{ ...base, group: "group:prod" }],
    tailscaleLogins: { "Alice@Example.com": "alice@corp.example" },
  });
  assertEquals(config.profiles[0].key, "group:prod");
  assertEquals(config.tailscaleLogins, {
    "alice@example.com": "alice@corp.example",
  });
  assertIncludes(
    problems({ ...base, group: "group:prod" }).join() +
      (() => {
        try {
          parseConfig({
            profiles: [{ ...base, group: "group:prod" }, {
              description: "Again",
              group: "group:PROD",
            }],
          });
          return "";
        } catch (e) {
          return String(e);
        }
      })(),
    '"group:PROD" is already used by profile 1',
  );
});

Deno.test("approval policy options: defaults, and each wrong value named with its profile and field", () => {
  const [p] = parseConfig({ profiles: [base] }).profiles;
  assertEquals(
    [p.approvalsRequired, p.allowGuests, p.escalateAfterSeconds, p.breakGlass],
    [1, false, undefined, undefined],
  );
  const listed = { approverEmails: ["bob@example.com", "carol@example.com"] };
  const channel = { notifyChannel: "C0NOTIFY01" };
  const cases: [Record<string, unknown>, string, string][] = [
    [{ approvalsRequired: 0 }, 'field "approvalsRequired"', "at least 1"],
    [
      { approverGroups: ["S0APPROVE1"], approvalsRequired: 6 },
      'field "approvalsRequired"',
      "at most 5",
    ],
    [
      { approvalsRequired: 2 },
      'field "approvalsRequired"',
      "needs approverEmails or approverGroups",
    ],
    [
      { ...listed, approvalsRequired: 3 },
      'field "approvalsRequired"',
      "lists only 2",
    ],
    [{ requesterEmails: ["bob"] }, 'field "requesterEmails.0"', "email"],
    [
      { requesterGroups: ["@ops"] },
      'field "requesterGroups.0"',
      "user group ID",
    ],
    [{ allowGuests: "yes" }, 'field "allowGuests"', ""],
    [
      { ...listed, escalateAfterSeconds: 30 },
      'field "escalateAfterSeconds"',
      "at least 60",
    ],
    [
      { ...listed, escalateAfterSeconds: 86_400 },
      'field "escalateAfterSeconds"',
      "less than requestTimeoutSeconds (86400)",
    ],
    [
      { escalateAfterSeconds: 600 },
      'field "escalateAfterSeconds"',
      "someone to escalate to",
    ],
    [
      { breakGlass: { maxSeconds: 3600 } },
      'field "breakGlass"',
      "needs notifyChannel",
    ],
    [
      { ...channel, breakGlass: { maxSeconds: 5 * 3600 } },
      'field "breakGlass.maxSeconds"',
      "at most 14400 (4 hours)",
    ],
    [
      { ...channel, breakGlass: 3600 },
      'field "breakGlass"',
      "{ maxSeconds: 3600 }",
    ],
    [
      { ...channel, breakGlass: { maxSeconds: 60, ack: true } },
      'field "breakGlass"',
      'unknown field(s) "ack"',
    ],
  ];
  for (const [change, where, what] of cases) {
    const [problem, ...rest] = problemsOf({
      profiles: [{ ...base, ...change }],
    });
    assertEquals(rest, [], `one problem for ${JSON.stringify(change)}`);
    assertIncludes(problem, 'profile 1 ("Production")');
    assertIncludes(problem, where);
    assertIncludes(problem, what);
  }
  const [two] = parseConfig({
    profiles: [{
      ...base,
      ...listed,
      ...channel,
      approvalsRequired: 2,
      escalateAfterSeconds: 900,
      breakGlass: { maxSeconds: 3600 },
    }],
  }).profiles;
  assertEquals([
    two.approvalsRequired,
    two.escalateAfterSeconds,
    two.breakGlass,
  ], [2, 900, { maxSeconds: 3600 }]);
});
