import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { config } from "../config.ts";
import {
  AccessRequestSchema,
  AccessRequestType,
} from "../lib/access_request.ts";
import {
  APPROVE_ACTION,
  DENY_ACTION,
  MAX_NOTE_LENGTH,
  NOTE_FIELD,
} from "../lib/blocks/approval_messages.ts";
import {
  DENY_MODAL_CALLBACK_ID,
  DENY_REASON_FIELD,
  denyModal,
} from "../lib/blocks/deny_modal.ts";
import {
  decisionContext,
  handleClick,
  startReview,
  type StepResult,
} from "../lib/decision.ts";
import {
  checkPayload,
  MessageClickSchema,
  parseJson,
  typedText,
  ViewSubmissionSchema,
} from "../lib/payloads.ts";
import { z } from "zod";

/** Step 2: the approver decides; on approval the attribute is set. */
export const ReviewAccessFunction = DefineFunction({
  callback_id: "review_access",
  title: "Review Tailscale access request",
  description:
    "Asks the approver, then grants the posture attribute or tells the requester no",
  source_file: "functions/review_access.ts",
  input_parameters: {
    // Optional: "My Tailscale access" only has a request when someone
    // asked for an extension.
    properties: { request: { type: AccessRequestType } },
    required: [],
  },
  output_parameters: {
    properties: {
      outcome: {
        type: Schema.types.string,
        description:
          '"granted", "denied", "expired", "cancelled", or "none" (no request)',
      },
      expires_at: {
        type: Schema.slack.types.timestamp,
        description: "When the granted access ends",
      },
    },
    required: ["outcome"],
  },
});

type Client = Parameters<Parameters<typeof SlackFunction>[1]>[0]["client"];

/** Completes this step with a decision's result (once: later calls fail quietly). */
async function complete(
  client: Client,
  executionId: string,
  result: StepResult | null,
): Promise<void> {
  if (!result || "completed" in result) return;
  const done = "error" in result
    ? await client.functions.completeError({
      function_execution_id: executionId,
      error: result.error,
    })
    : await client.functions.completeSuccess({
      function_execution_id: executionId,
      outputs: result.outputs,
    });
  // Already completed by an earlier event for this request: nothing to do.
  if (!done.ok) console.warn(`completing the step: ${done.error}`);
}

const DenyMetadataSchema = z.object({
  channel: z.string().min(1),
  ts: z.string().min(1),
});

export default SlackFunction(
  ReviewAccessFunction,
  async ({ inputs, env, client, event }) => {
    if (inputs.request === undefined) return { outputs: { outcome: "none" } };
    const request = checkPayload(
      AccessRequestSchema,
      inputs.request,
      "review_access: request input",
    );
    if (!request.ok) {
      return { error: `The access request is malformed (${request.problem}).` };
    }
    return await startReview(
      decisionContext(client, env, config, event.function_execution_id),
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
    const { user, container, function_data, state } = click.data;
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
    const note = typedText(state?.values, NOTE_FIELD).slice(0, MAX_NOTE_LENGTH);
    if (action.action_id === DENY_ACTION) {
      if (user.id !== request.data.approver) {
        await reply(
          `Only <@${request.data.approver}> can approve or deny this request. Nothing was changed.`,
        );
        return;
      }
      // A denial comes with a reason: ask for it in a small modal.
      const pointer = click.data.interactivity?.interactivity_pointer ??
        click.data.trigger_id;
      const opened = pointer
        ? await client.views.open({
          interactivity_pointer: pointer,
          view: denyModal(request.data.requester, {
            channel: container.channel_id,
            ts: container.message_ts,
          }, note || undefined),
        })
        : { ok: false, error: "no interactivity pointer" };
      if (!opened.ok) {
        await reply(
          `The form for your reason could not be opened (${opened.error}). Nothing was changed; try again.`,
        );
      }
      return;
    }
    const result = await handleClick(decisionContext(client, env, config), {
      request: request.data,
      clicker: user.id,
      approved: true,
      prompt: { channel: container.channel_id, ts: container.message_ts },
      reply,
      note: note || undefined,
    });
    await complete(client, function_data.execution_id, result);
  },
).addViewSubmissionHandler(
  DENY_MODAL_CALLBACK_ID,
  async ({ body, inputs, env, client }) => {
    const submitted = checkPayload(
      ViewSubmissionSchema,
      body,
      "review_access: deny reason",
    );
    const invalid = {
      response_action: "errors",
      errors: {
        [DENY_REASON_FIELD]:
          "This form could not be read. Close it and try again.",
      },
    };
    if (!submitted.ok) return invalid;
    const { user, view, function_data } = submitted.data;
    const reason = typedText(view.state.values, DENY_REASON_FIELD);
    if (!reason) {
      return {
        response_action: "errors",
        errors: { [DENY_REASON_FIELD]: "Say why, so the requester knows." },
      };
    }
    const prompt = checkPayload(
      DenyMetadataSchema,
      parseJson(view.private_metadata),
      "review_access: deny metadata",
    );
    const request = checkPayload(
      AccessRequestSchema,
      inputs.request,
      "review_access: request input",
    );
    if (!prompt.ok || !request.ok) return invalid;
    let told = "";
    const result = await handleClick(decisionContext(client, env, config), {
      request: request.data,
      clicker: user.id,
      approved: false,
      prompt: prompt.data,
      reply: (text) => {
        told = text;
        return Promise.resolve();
      },
      note: reason.slice(0, MAX_NOTE_LENGTH),
    });
    if (told) {
      // Nothing was decided by this submission: say why, in the modal.
      return {
        response_action: "errors",
        errors: { [DENY_REASON_FIELD]: told },
      };
    }
    await complete(client, function_data.execution_id, result);
  },
);
