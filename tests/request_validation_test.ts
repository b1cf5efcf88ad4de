/**
 * The request form's rules as plain functions: which field each problem is
 * on, in the form's own words, and what a valid form asks for. The same
 * rules end to end are in form_validation_test.ts.
 */
import { parseConfig } from "../lib/config_schema.ts";
import {
  APPROVER_MISSING,
  checkApprover,
  deviceChoiceProblem,
  durationProblem,
  groupAccess,
  reasonProblem,
  requestFormRules,
} from "../lib/requests/mod.ts";
import { errorsByBlock, type FormState } from "../lib/slack/mod.ts";
import { MAX_REASON_LENGTH } from "../lib/blocks/mod.ts";
import { ownDevicesOnly, PICKER_ERROR_VALUE } from "../lib/devices/mod.ts";
import type { SlackClient } from "../lib/context.ts";
import { assertEquals } from "./assert.ts";

const config = parseConfig({
  profiles: [
    {
      description: "Production",
      attribute: "custom:prodAccess",
      maxSeconds: 3600,
    },
    { description: "On-call", group: "group:oncall" },
  ],
});
const [prod, oncall] = config.profiles;

/** A form as readFormState gives it, with the usual block IDs. */
function form(values: FormState["values"], withApprover = true): FormState {
  const blockIds: FormState["blockIds"] = {
    profile: "profile",
    device: "device",
    duration: `duration:${values.profile}`,
    reason: "reason",
  };
  if (withApprover) blockIds.approver = `approver:${values.profile}`;
  return { values, blockIds };
}

const complete = {
  profile: prod.key,
  device: "nDEV1",
  duration: "1800",
  approver: "UBOB",
  reason: "INC-1",
};

Deno.test("the reason is required and at most the form's length", () => {
  assertEquals(reasonProblem(""), "Say why you need access.");
  assertEquals(
    reasonProblem("", "Say why you need more time."),
    "Say why you need more time.",
  );
  assertEquals(reasonProblem("x".repeat(MAX_REASON_LENGTH)), null);
  assertEquals(
    reasonProblem("x".repeat(MAX_REASON_LENGTH + 1)),
    `Keep the reason within ${MAX_REASON_LENGTH} characters.`,
  );
});

Deno.test("a duration is whole, positive seconds within the profile's limit", () => {
  for (const bad of [NaN, 0, -60, 1.5]) {
    assertEquals(
      durationProblem(bad, prod),
      "Choose how long you need access.",
      String(bad),
    );
  }
  assertEquals(durationProblem(3600, prod), null);
  assertEquals(
    durationProblem(3601, prod),
    "Production allows at most 1 hour.",
  );
});

Deno.test("a device profile needs a device, the picker's error option is none", () => {
  const choose = "Choose the device you will use.";
  assertEquals(deviceChoiceProblem(prod, undefined), choose);
  assertEquals(deviceChoiceProblem(prod, PICKER_ERROR_VALUE), choose);
  assertEquals(deviceChoiceProblem(prod, "nDEV1"), null);
  assertEquals(deviceChoiceProblem(oncall, undefined), null);
});

Deno.test("without a known profile, that is the only problem", () => {
  assertEquals(requestFormRules(form({}), config, null), {
    ok: false,
    errors: { profile: "Choose what you want to access." },
  });
  assertEquals(
    requestFormRules(form({ profile: "custom:gone" }), config, null),
    {
      ok: false,
      errors: {
        profile:
          "This access profile is no longer offered. Choose another one.",
      },
    },
  );
});

Deno.test("a form that showed nobody can approve says so on the profile", () => {
  assertEquals(
    requestFormRules(form({ profile: prod.key }, false), config, null),
    {
      ok: false,
      errors: {
        profile: "Nobody can approve this profile for you; see the note below.",
      },
    },
  );
});

Deno.test("every missing field is named at once", () => {
  assertEquals(requestFormRules(form({ profile: prod.key }), config, null), {
    ok: false,
    errors: {
      device: "Choose the device you will use.",
      duration: "Choose how long you need access.",
      approver: APPROVER_MISSING,
      reason: "Say why you need access.",
    },
  });
});

Deno.test("the approver lookup's verdict is the approver field's problem", () => {
  const refused = "Bob cannot approve access to Production. Choose one.";
  assertEquals(requestFormRules(form(complete), config, refused), {
    ok: false,
    errors: { approver: refused },
  });
});

Deno.test("a valid form gives the request's choices", () => {
  assertEquals(requestFormRules(form(complete), config, null), {
    ok: true,
    choices: {
      profile: prod,
      deviceId: "nDEV1",
      durationSeconds: 1800,
      approverId: "UBOB",
      reason: "INC-1",
    },
  });
  const { device: _, ...groupForm } = { ...complete, profile: oncall.key };
  const group = requestFormRules(form(groupForm), config, null);
  assertEquals(group.ok && group.choices.deviceId, "");
});

Deno.test("no approver chosen is refused before any lookup", async () => {
  // Any Slack call would throw: there is none.
  const client = {} as SlackClient;
  assertEquals(await checkApprover(client, prod, "UANN", ""), APPROVER_MISSING);
});

Deno.test("a group grant needs the group and a login", () => {
  assertEquals(
    groupAccess("group:oncall", "ann@example.com", "ann@corp", true),
    {
      ok: true,
      login: "ann@corp",
    },
  );
  const missing = groupAccess("group:oncall", "ann@example.com", "a", false);
  assertEquals(missing.ok, false);
  assertEquals(
    !missing.ok && missing.problem.startsWith(
      "The group `group:oncall` does not exist in the tailnet policy file",
    ),
    true,
  );
  const unknown = groupAccess("group:oncall", "ann@example.com", null, true);
  assertEquals(
    !unknown.ok && unknown.problem.startsWith(
      "No Tailscale user has the login ann@example.com, so the app does not know whom to add to `group:oncall`.",
    ),
    true,
  );
});

Deno.test("problems go on their fields' blocks, else on the fallback, first one kept", () => {
  const f = { blockIds: { profile: "profile", duration: "duration:x" } };
  assertEquals(
    errorsByBlock(f, {
      reason: "R",
      duration: "D",
      device: "V",
    }, "profile"),
    // The device (before the reason in the form) wins the profile block.
    { profile: "V", "duration:x": "D" },
  );
  assertEquals(
    errorsByBlock({ blockIds: {} }, { approver: "A", duration: "D" }, (
      field,
    ) => field === "approver" ? "reason" : field),
    { duration: "D", reason: "A" },
  );
});

Deno.test("the picker offers others' devices only for a profile that allows it", () => {
  const config = parseConfig({
    profiles: [
      { description: "Any", attribute: "custom:any", allowAnyDevice: true },
      { description: "Own", attribute: "custom:own" },
    ],
  });
  const state = (profile: string) => ({
    values: {
      profile: {
        profile: { type: "static_select", selected_option: { value: profile } },
      },
    },
  });
  assertEquals(ownDevicesOnly(state("custom:any"), config), false);
  assertEquals(ownDevicesOnly(state("custom:own"), config), true);
  assertEquals(ownDevicesOnly(state("custom:gone"), config), true);
  assertEquals(ownDevicesOnly("garbage", config), true);
});
