import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { config } from "../config.ts";
import {
  AccessRequestSchema,
  AccessRequestType,
} from "../lib/access_request.ts";
import {
  APPROVE_ACTION,
  DENY_ACTION,
} from "../lib/blocks/approval_messages.ts";
import { decisionContext, handleClick, startReview } from "../lib/decision.ts";
import { checkPayload, MessageClickSchema } from "../lib/payloads.ts";

/** Step 2: the approver decides; on approval the attribute is set. */
export const ReviewAccessFunction = DefineFunction({
  callback_id: "review_access",
  title: "Review Tailscale access request",
  description:
    "Asks the approver, then grants the posture attribute or tells the requester no",
  source_file: "functions/review_access.ts",
  input_parameters: {
    properties: { request: { type: AccessRequestType } },
    required: ["request"],
  },
  output_parameters: {
    properties: {
      outcome: {
        type: Schema.types.string,
        description: '"granted" or "denied"',
      },
      expires_at: {
        type: Schema.slack.types.timestamp,
        description: "When the granted access ends",
      },
    },
    required: ["outcome"],
  },
});

export default SlackFunction(
  ReviewAccessFunction,
  async ({ inputs, env, client }) => {
    const request = checkPayload(
      AccessRequestSchema,
      inputs.request,
      "review_access: request input",
    );
    if (!request.ok) {
      return { error: `The access request is malformed (${request.problem}).` };
    }
    return await startReview(
      decisionContext(client, env, config),
      request.data,
    );
  },
).addBlockActionsHandler(
  [APPROVE_ACTION, DENY_ACTION],
  async ({ action, body, inputs, env, client }) => {
    const click = checkPayload(
      MessageClickSchema,
      body,
      "review_access: click",
    );
    if (!click.ok) return;
    const { user, container, function_data } = click.data;
    const reply = async (text: string) => {
      await client.chat.postEphemeral({
        channel: container.channel_id,
        user: user.id,
        text,
      });
    };
    const request = checkPayload(
      AccessRequestSchema,
      inputs.request,
      "review_access: request input",
    );
    if (!request.ok) {
      await reply("This request could not be read, so nothing was changed.");
      return;
    }
    const result = await handleClick(decisionContext(client, env, config), {
      request: request.data,
      clicker: user.id,
      approved: action.action_id === APPROVE_ACTION,
      prompt: { channel: container.channel_id, ts: container.message_ts },
      reply,
    });
    if (!result || "completed" in result) return;
    const done = "error" in result
      ? await client.functions.completeError({
        function_execution_id: function_data.execution_id,
        error: result.error,
      })
      : await client.functions.completeSuccess({
        function_execution_id: function_data.execution_id,
        outputs: result.outputs,
      });
    // Already completed by an earlier event for this request: nothing to do.
    if (!done.ok) console.warn(`completing the step: ${done.error}`);
  },
);
