import { DefineWorkflow } from "deno-slack-sdk/mod.ts";
import { ReconcileAccessFunction } from "../functions/reconcile_access.ts";
import { WORKFLOWS } from "../lib/context.ts";

/**
 * The scheduled access check. Run by four hourly scheduled triggers, a
 * quarter of an hour apart, that the app creates itself when it first
 * grants a group membership (and re-creates if one is deleted).
 */
export const ReconcileGroupAccessWorkflow = DefineWorkflow({
  callback_id: WORKFLOWS.reconcile,
  title: "Tailscale access: scheduled check",
  description:
    "Every 15 minutes: ends overdue grants and removes expired group memberships",
  input_parameters: { properties: {}, required: [] },
});

ReconcileGroupAccessWorkflow.addStep(ReconcileAccessFunction, {});
