import { DefineWorkflow, Schema } from "deno-slack-sdk/mod.ts";
import { MyAccessFunction } from "../functions/my_access.ts";
import { ReviewAccessFunction } from "../functions/review_access.ts";
import { EXTEND_INPUT } from "../lib/blocks/mod.ts";
import { WORKFLOWS } from "../lib/context.ts";

/**
 * "My Tailscale access": list, revoke, cancel, extend. An extension goes to
 * the same review step as a new request.
 */
export const MyAccessWorkflow = DefineWorkflow({
  callback_id: WORKFLOWS.myAccess,
  title: "My Tailscale access",
  description: "See, revoke and extend your Tailscale access",
  input_parameters: {
    properties: {
      interactivity: { type: Schema.slack.types.interactivity },
      user: { type: Schema.slack.types.user_id },
      [EXTEND_INPUT]: { type: Schema.types.string },
    },
    required: ["interactivity", "user"],
  },
});

const list = MyAccessWorkflow.addStep(MyAccessFunction, {
  interactivity: MyAccessWorkflow.inputs.interactivity,
  user: MyAccessWorkflow.inputs.user,
  extend: MyAccessWorkflow.inputs[EXTEND_INPUT],
});

MyAccessWorkflow.addStep(ReviewAccessFunction, {
  request: list.outputs.request,
});
