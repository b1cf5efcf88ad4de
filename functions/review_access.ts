import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { config } from "../config.ts";
import { AccessRequestSchema, AccessRequestType } from "../lib/requests/mod.ts";
import { checkPayload, Deadline } from "../lib/slack/mod.ts";
import { decisionContext, startReview } from "../lib/review/mod.ts";

/**
 * Step 2: records the request and asks the approver (or grants at once on a
 * self-service profile). It does not wait for the decision: the approver's
 * buttons run the decision workflow, so no step has to be completed by
 * another, and the buttons work for as long as the request is pending.
 */
export const ReviewAccessFunction = DefineFunction({
  callback_id: "review_access",
  title: "Review Tailscale access request",
  description:
    "Asks the approver, or grants at once when the profile allows self-approval",
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
          '"requested" (the approver was asked), "granted", "denied", "expired", "cancelled", "in_progress", or "none" (no request)',
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
      decisionContext(
        client,
        env,
        config,
        Deadline.forHandler("function", env),
      ),
      request.data,
    );
  },
);
