import { DefineWorkflow, Schema } from "deno-slack-sdk/mod.ts";
import { LoginOverridesFunction } from "../functions/login_overrides.ts";
import { WORKFLOWS } from "../lib/context.ts";

/**
 * "Tailscale login overrides": a tailnet admin sets or clears which
 * Tailscale login a Slack user is, for group profiles.
 */
export const LoginOverridesWorkflow = DefineWorkflow({
  callback_id: WORKFLOWS.loginOverrides,
  title: "Tailscale login overrides",
  description: "Set or clear a Slack user's Tailscale login (admins only)",
  input_parameters: {
    properties: {
      interactivity: { type: Schema.slack.types.interactivity },
      user: { type: Schema.slack.types.user_id },
    },
    required: ["interactivity", "user"],
  },
});

LoginOverridesWorkflow.addStep(LoginOverridesFunction, {
  interactivity: LoginOverridesWorkflow.inputs.interactivity,
  user: LoginOverridesWorkflow.inputs.user,
});
