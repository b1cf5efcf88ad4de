import { DefineWorkflow, Schema } from "deno-slack-sdk/mod.ts";
import { LifecycleEventFunction } from "../functions/lifecycle_event.ts";
import { WORKFLOWS } from "../lib/context.ts";

/**
 * A request's timed event. Run only by the one-off scheduled triggers the
 * app creates (and deletes) itself; there is no trigger file for it.
 */
export const GrantLifecycleWorkflow = DefineWorkflow({
  callback_id: WORKFLOWS.lifecycle,
  title: "Tailscale access: timed event",
  description: "Reminders, expiry notices and request timeouts",
  input_parameters: {
    properties: {
      request_id: { type: Schema.types.string },
      event: { type: Schema.types.string },
    },
    required: ["request_id", "event"],
  },
});

GrantLifecycleWorkflow.addStep(LifecycleEventFunction, {
  request_id: GrantLifecycleWorkflow.inputs.request_id,
  event: GrantLifecycleWorkflow.inputs.event,
});
