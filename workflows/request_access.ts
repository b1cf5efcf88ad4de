import { DefineWorkflow, Schema } from "deno-slack-sdk/mod.ts";
import { RequestAccessFunction } from "../functions/request_access.ts";
import { ReviewAccessFunction } from "../functions/review_access.ts";

/** Request → approval → grant, started from the shortcut. */
export const RequestAccessWorkflow = DefineWorkflow({
  callback_id: "request_tailscale_access",
  title: "Request Tailscale access",
  description: "Ask for time-bound access to Tailscale resources",
  input_parameters: {
    properties: {
      interactivity: { type: Schema.slack.types.interactivity },
      user: { type: Schema.slack.types.user_id },
    },
    required: ["interactivity", "user"],
  },
});

const form = RequestAccessWorkflow.addStep(RequestAccessFunction, {
  interactivity: RequestAccessWorkflow.inputs.interactivity,
  user: RequestAccessWorkflow.inputs.user,
});

RequestAccessWorkflow.addStep(ReviewAccessFunction, {
  request: form.outputs.request,
});
