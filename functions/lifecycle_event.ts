import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { z } from "zod";
import { config } from "../config.ts";
import { decisionContext } from "../lib/review/mod.ts";
import { checkPayload, Deadline } from "../lib/slack/mod.ts";
import { handleScheduled, LIFECYCLE_EVENTS } from "../lib/grants/mod.ts";

/** Runs a request's timed event (reminder, expiry, timeout, nudge, escalate). */
export const LifecycleEventFunction = DefineFunction({
  callback_id: "lifecycle_event",
  title: "Tailscale access: timed event",
  description:
    "Reminds before a grant ends, records its end, nudges and escalates undecided requests, times them out",
  source_file: "functions/lifecycle_event.ts",
  input_parameters: {
    properties: {
      request_id: { type: Schema.types.string },
      event: { type: Schema.types.string },
    },
    required: ["request_id", "event"],
  },
  output_parameters: { properties: {}, required: [] },
});

const InputsSchema = z.object({
  request_id: z.string().min(1),
  event: z.enum(LIFECYCLE_EVENTS),
});

export default SlackFunction(
  LifecycleEventFunction,
  async ({ inputs, env, client }) => {
    const checked = checkPayload(
      InputsSchema,
      inputs,
      "lifecycle_event: inputs",
    );
    if (!checked.ok) {
      return { error: `Unknown timed event (${checked.problem}).` };
    }
    await handleScheduled(
      decisionContext(
        client,
        env,
        config,
        Deadline.forHandler("function", env),
      ),
      checked.data.request_id,
      checked.data.event,
    );
    return { outputs: {} };
  },
);
