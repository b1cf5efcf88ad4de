import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { config } from "../config.ts";
import {
  type AccessRequest,
  AccessRequestSchema,
  AccessRequestType,
} from "../lib/access_request.ts";
import {
  approvalRequestMessage,
  APPROVE_ACTION,
  DENY_ACTION,
  noticeMessage,
  type Outcome,
  requestSentMessage,
} from "../lib/blocks/approval_messages.ts";
import {
  announceOutcome,
  type MessageRef,
  post,
  update,
} from "../lib/notify.ts";
import { decide, loadReview, type Review } from "../lib/review.ts";

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

type Client = Parameters<Parameters<typeof SlackFunction>[1]>[0]["client"];

/** Validates the request input; a malformed one is a bug, said plainly. */
function parseRequest(
  input: unknown,
): { ok: true; request: AccessRequest } | { ok: false; error: string } {
  const parsed = AccessRequestSchema.safeParse(input);
  if (parsed.success) return { ok: true, request: parsed.data };
  const where = parsed.error.issues.map((i) => i.path.join(".") || "request")
    .join(", ");
  console.error(`review_access: malformed request input (${where})`);
  return { ok: false, error: `The access request is malformed (${where}).` };
}

/** The function's result for an outcome. */
function result(outcome: Outcome) {
  switch (outcome.kind) {
    case "granted":
      return {
        outputs: {
          outcome: "granted",
          expires_at: Math.floor(outcome.expiresAt.getTime() / 1000),
        },
      };
    case "denied":
      return { outputs: { outcome: "denied" } };
    case "failed":
      return { error: `The grant failed: ${outcome.error}` };
  }
}

/** Decides, then tells everyone; the Tailscale write always comes first. */
async function decideAndAnnounce(
  review: Review,
  client: Client,
  approved: boolean,
  prompt?: MessageRef,
) {
  const outcome = await decide(review, client, approved, new Date());
  const failures = await announceOutcome(
    client,
    review.summary,
    outcome,
    prompt,
  );
  if (failures.length) {
    console.error(`notifications failed: ${failures.join("; ")}`);
  }
  return result(outcome);
}

export default SlackFunction(
  ReviewAccessFunction,
  async ({ inputs, env, client }) => {
    const parsed = parseRequest(inputs.request);
    if (!parsed.ok) return { error: parsed.error };
    const { request } = parsed;
    const loaded = await loadReview(request, config, env, client);
    if (!loaded.ok) {
      await post(client, request.requester, noticeMessage(loaded.message));
      return { error: loaded.message };
    }
    const { review } = loaded;
    if (request.approver === request.requester) {
      // Re-checked here, not only in the form: config may have changed.
      if (!review.profile.canSelfApprove) {
        const message =
          `${review.profile.description} does not allow self-approval, so your request was not sent. Nothing was granted.`;
        await post(client, request.requester, noticeMessage(message));
        return { error: message };
      }
      if (!review.profile.confirmSelfApproval) {
        return await decideAndAnnounce(review, client, true);
      }
    }
    const prompt = await post(
      client,
      request.approver,
      approvalRequestMessage(review.summary),
    );
    if (!prompt.ok) {
      const message =
        `Your request could not be delivered to <@${request.approver}> (Slack said \`${prompt.error}\`). Nothing was granted; try again or choose another approver.`;
      await post(client, request.requester, noticeMessage(message));
      return { error: message };
    }
    if (request.approver !== request.requester) {
      await post(client, request.requester, requestSentMessage(review.summary));
    }
    return { completed: false };
  },
).addBlockActionsHandler(
  [APPROVE_ACTION, DENY_ACTION],
  async ({ action, body, inputs, env, client }) => {
    const executionId = body.function_data.execution_id;
    const prompt: MessageRef = {
      channel: body.container?.channel_id ?? body.channel?.id,
      ts: body.container?.message_ts ?? body.message?.ts,
    };
    const parsed = parseRequest(inputs.request);
    if (!parsed.ok) {
      await client.functions.completeError({
        function_execution_id: executionId,
        error: parsed.error,
      });
      return;
    }
    const { request } = parsed;
    if (body.user.id !== request.approver) {
      await client.chat.postEphemeral({
        channel: prompt.channel,
        user: body.user.id,
        text:
          `Only <@${request.approver}> can approve or deny this request. Nothing was changed.`,
      });
      return;
    }
    const loaded = await loadReview(request, config, env, client);
    if (!loaded.ok) {
      await update(client, prompt, noticeMessage(loaded.message));
      await post(client, request.requester, noticeMessage(loaded.message));
      await client.functions.completeError({
        function_execution_id: executionId,
        error: loaded.message,
      });
      return;
    }
    const done = await decideAndAnnounce(
      loaded.review,
      client,
      action.action_id === APPROVE_ACTION,
      prompt,
    );
    if ("error" in done) {
      await client.functions.completeError({
        function_execution_id: executionId,
        error: done.error!,
      });
    } else {
      await client.functions.completeSuccess({
        function_execution_id: executionId,
        outputs: done.outputs,
      });
    }
  },
);
