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

Deno.test("each invalid field is named with its profile", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ attribute: "prodAccess" }, 'field "attribute"', 'start with "custom:"'],
    [
      { attribute: `custom:${"a".repeat(44)}` },
      'field "attribute"',
      "at most 50",
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
