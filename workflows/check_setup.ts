import { DefineWorkflow, Schema } from "deno-slack-sdk/mod.ts";
import { CheckSetupFunction } from "../functions/check_setup.ts";
import { WORKFLOWS } from "../lib/context.ts";

/**
 * "Check Tailscale access setup": the setup checks of `deno task doctor`,
 * run in the deployed app, the report sent to the admin as DMs.
 */
export const CheckSetupWorkflow = DefineWorkflow({
  callback_id: WORKFLOWS.checkSetup,
  title: "Check Tailscale access setup",
  description: "Check config.ts, Tailscale and Slack (admins only)",
  input_parameters: {
    properties: { user: { type: Schema.slack.types.user_id } },
    required: ["user"],
  },
});

CheckSetupWorkflow.addStep(CheckSetupFunction, {
  user: CheckSetupWorkflow.inputs.user,
});
