import { DefineWorkflow, Schema } from "deno-slack-sdk/mod.ts";
import { CollectDecisionFunction } from "../functions/collect_decision.ts";
import { DecideAccessFunction } from "../functions/decide_access.ts";
import { WORKFLOWS } from "../lib/context.ts";

/**
 * One decision on one request, run by the Approve, "Approve with note…" and
 * "Deny…" workflow buttons of the approver's prompt (through a link trigger
 * the app creates itself, with the request and the decision as
 * customizable inputs). Every click is its own run, so no execution ever
 * waits on, or completes, another.
 */
export const DecideAccessWorkflow = DefineWorkflow({
  callback_id: WORKFLOWS.decide,
  title: "Decide a Tailscale access request",
  description: "Approve or deny a request for Tailscale access",
  input_parameters: {
    properties: {
      interactivity: { type: Schema.slack.types.interactivity },
      user: { type: Schema.slack.types.user_id },
      request_id: { type: Schema.types.string },
      decision: { type: Schema.types.string },
    },
    required: ["interactivity", "user", "request_id", "decision"],
  },
});

const collected = DecideAccessWorkflow.addStep(CollectDecisionFunction, {
  interactivity: DecideAccessWorkflow.inputs.interactivity,
  request_id: DecideAccessWorkflow.inputs.request_id,
  decision: DecideAccessWorkflow.inputs.decision,
});
DecideAccessWorkflow.addStep(DecideAccessFunction, {
  request_id: collected.outputs.request_id,
  decision: collected.outputs.decision,
  note: collected.outputs.note,
  actor: collected.outputs.actor,
});
