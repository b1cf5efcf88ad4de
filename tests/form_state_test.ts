/**
 * Reading a submitted form's state (lib/slack/form_state.ts): by action_id,
 * whatever block holds it; a state not shaped like Slack's is refused.
 */
import { readFormState } from "../lib/slack/form_state.ts";
import { assertEquals, assertThrows } from "./assert.ts";

Deno.test("values are read by action_id, whatever the block", () => {
  const form = readFormState({
    values: {
      profile: {
        profile: {
          type: "static_select",
          selected_option: { value: "custom:a" },
        },
      },
      "approver:custom:a": {
        approver: { type: "users_select", selected_user: "U1" },
      },
      reason: { reason: { type: "plain_text_input", value: "because" } },
      device: { device: { type: "external_select", selected_option: null } },
      other: { unrelated: { type: "plain_text_input", value: "x" } },
    },
  });
  assertEquals(form.values, {
    profile: "custom:a",
    approver: "U1",
    reason: "because",
  });
  assertEquals(form.blockIds, {
    profile: "profile",
    approver: "approver:custom:a",
    reason: "reason",
    device: "device",
  });
});

Deno.test("a state not shaped like Slack's is rejected", () => {
  assertThrows(() => readFormState({ values: { a: "nope" } }));
  assertThrows(() => readFormState("garbage"));
});
