import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { z } from "zod";
import { config } from "../config.ts";
import { checkPayload, Deadline } from "../lib/slack/mod.ts";
import {
  DECISION_UNREADABLE_TEXT,
  decisionContext,
  handleBreakGlassAction,
  handleDecision,
} from "../lib/review/mod.ts";
import { BREAK_GLASS_ACTIONS } from "../lib/blocks/mod.ts";

/**
 * Step 2 of a decision: checks that the clicker may decide, claims the
 * decision (one wins, however many clicks), writes the grant and tells
 * everyone, within Slack's 60 s; a grant that does not fit is handed on.
 */
export const DecideAccessFunction = DefineFunction({
  callback_id: "decide_access",
  title: "Decide an access request",
  description: "Approves or denies a request and grants the access",
  source_file: "functions/decide_access.ts",
  input_parameters: {
    properties: {
      request_id: { type: Schema.types.string },
      decision: { type: Schema.types.string },
      note: { type: Schema.types.string },
      actor: { type: Schema.slack.types.user_id },
    },
    required: ["request_id", "decision", "actor"],
  },
  output_parameters: {
    properties: {
      outcome: {
        type: Schema.types.string,
        description:
          '"granted", "denied", "in_progress", "pending" (one approval of several counted), "none" (nothing decided), …',
      },
      expires_at: { type: Schema.slack.types.timestamp },
    },
    required: ["outcome"],
  },
});

const InputsSchema = z.object({
  request_id: z.string().min(1),
  decision: z.enum(["approve", "deny", "none", ...BREAK_GLASS_ACTIONS]),
  note: z.string().optional(),
  actor: z.string().min(1),
});

export default SlackFunction(
  DecideAccessFunction,
  async ({ inputs, env, client }) => {
    const checked = checkPayload(InputsSchema, inputs, "decide_access: inputs");
    if (!checked.ok) return { error: DECISION_UNREADABLE_TEXT };
    const { request_id, decision, note, actor } = checked.data;
    const ctx = decisionContext(
      client,
      env,
      config,
      Deadline.forHandler("function", env),
    );
    if (decision === "acknowledge" || decision === "revoke") {
      return await handleBreakGlassAction(ctx, {
        requestId: request_id,
        actor,
        action: decision,
      });
    }
    return await handleDecision(
      ctx,
      {
        requestId: request_id,
        actor,
        decision,
        ...(note ? { note } : {}),
      },
    );
  },
);
