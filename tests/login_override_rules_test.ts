/**
 * The login-override form's rules as plain functions. End to end they are
 * in login_overrides_test.ts.
 */
import {
  loginFormatProblem,
  MAX_LOGIN_LENGTH,
  overrideEmail,
  tailnetLoginProblem,
} from "../lib/people/mod.ts";
import { savedNotice } from "../lib/blocks/mod.ts";
import { selectedUser } from "../lib/slack/mod.ts";
import { assertEquals } from "./assert.ts";

const SHAPE =
  "Enter a Tailscale login such as name@example.com (or leave it empty to clear the override).";

Deno.test("the chosen person needs to be known to Slack, with an email", () => {
  assertEquals(overrideEmail(null), {
    ok: false,
    problem:
      "Slack could not find that person (or it is a bot or a deactivated account).",
  });
  assertEquals(overrideEmail({ id: "U1", name: "Ann" }), {
    ok: false,
    problem:
      "Ann has no email address in Slack, so they cannot be given a Tailscale login here.",
  });
  assertEquals(
    overrideEmail({ id: "U1", name: "Ann", email: "Ann@Example.com" }),
    { ok: true, email: "ann@example.com" },
  );
});

Deno.test("a login is name@domain, no spaces, within the field's length", () => {
  assertEquals(loginFormatProblem("ann@github"), null);
  for (const bad of ["ann", "ann@", "@corp", "a b@corp", "a@b@c"]) {
    assertEquals(loginFormatProblem(bad), SHAPE, bad);
  }
  const long = `${"a".repeat(MAX_LOGIN_LENGTH - 5)}@corp`;
  assertEquals(loginFormatProblem(long), null);
  assertEquals(loginFormatProblem(`a${long}`), SHAPE);
});

Deno.test("without Tailscale settings, the missing ones are named", async () => {
  assertEquals(
    await tailnetLoginProblem(
      {
        ok: false,
        missing: ["TAILSCALE_CLIENT_ID", "TAILSCALE_CLIENT_SECRET"],
      },
      "ann@corp",
    ),
    "Tailscale is not set up: TAILSCALE_CLIENT_ID and TAILSCALE_CLIENT_SECRET not set.",
  );
});

Deno.test("the notice says what a saved change did", () => {
  const configLogins = { "carol@example.com": "carol@corp" };
  assertEquals(
    savedNotice({ kind: "set", email: "a@x.com", login: "a@corp" }, {}),
    "a@x.com now maps to a@corp.",
  );
  assertEquals(
    savedNotice(
      { kind: "cleared", email: "carol@example.com", existed: true },
      configLogins,
    ),
    "Override for carol@example.com cleared; carol@example.com now uses carol@corp (from config.ts).",
  );
  assertEquals(
    savedNotice({ kind: "cleared", email: "a@x.com", existed: false }, {}),
    "There was no override for a@x.com; a@x.com uses a@x.com (their Slack email).",
  );
});

Deno.test("a users_select value is read only when it is a user ID", () => {
  const values = (selected_user: unknown) => ({
    who: { who: { type: "users_select", selected_user } },
  });
  assertEquals(selectedUser(values("U123"), "who"), "U123");
  assertEquals(selectedUser(values("nobody"), "who"), null);
  assertEquals(selectedUser(values(null), "who"), null);
  assertEquals(selectedUser({}, "who"), null);
});
