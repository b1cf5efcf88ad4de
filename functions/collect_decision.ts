import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { z } from "zod";
import {
  BREAK_GLASS_ACTIONS,
  DECISION_TEXT_FIELD,
  decisionModal,
  DECISIONS,
  DENY_MODAL_CALLBACK_ID,
  NOTE_MODAL_CALLBACK_ID,
} from "../lib/blocks/mod.ts";
import {
  checkPayload,
  completeOnClose,
  openView,
  parseJson,
  typedText,
  ViewSubmissionSchema,
} from "../lib/slack/mod.ts";
import { RequestStore } from "../lib/requests/mod.ts";
import {
  type CollectedDecision,
  DECISION_UNREADABLE_TEXT,
  decisionNotSentText,
  FORM_UNREADABLE_TEXT,
  mayStillDecide,
  submittedDecision,
} from "../lib/review/mod.ts";

/**
 * Step 1 of a decision: what the approver's button asked for. Approve goes
 * straight on; "Approve with note…" and "Deny…" ask in a small modal first.
 * Nothing is decided here: step 2 checks and carries it out.
 */
export const CollectDecisionFunction = DefineFunction({
  callback_id: "collect_decision",
  title: "Collect an access decision",
  description: "Reads the approver's click, and their note or reason",
  source_file: "functions/collect_decision.ts",
  input_parameters: {
    properties: {
      interactivity: { type: Schema.slack.types.interactivity },
      request_id: { type: Schema.types.string },
      decision: { type: Schema.types.string },
    },
    required: ["interactivity", "request_id", "decision"],
  },
  output_parameters: {
    properties: {
      request_id: { type: Schema.types.string },
      decision: {
        type: Schema.types.string,
        description: '"approve", "deny", or "none" (nothing was decided)',
      },
      note: { type: Schema.types.string },
      actor: { type: Schema.slack.types.user_id },
    },
    required: ["request_id", "decision", "actor"],
  },
});

const InputsSchema = z.object({
  interactivity: z.object({
    interactivity_pointer: z.string().min(1),
    interactor: z.object({ id: z.string().min(1) }),
  }),
  request_id: z.string().min(1),
  decision: z.enum([...DECISIONS, ...BREAK_GLASS_ACTIONS]),
});

const MetadataSchema = z.object({ request_id: z.string().min(1) });

type Outputs = CollectedDecision;

/** The modal's answer that shows `text` under its field. */
function fieldError(text: string) {
  return {
    response_action: "errors",
    errors: { [DECISION_TEXT_FIELD]: text },
  } as const;
}

export default SlackFunction(
  CollectDecisionFunction,
  async ({ inputs, client }) => {
    const checked = checkPayload(
      InputsSchema,
      inputs,
      "collect_decision: inputs",
    );
    if (!checked.ok) return { error: DECISION_UNREADABLE_TEXT };
    const { interactivity, request_id, decision } = checked.data;
    const actor = interactivity.interactor.id;
    const outputs = (
      d: Outputs["decision"],
      note = "",
    ): { outputs: Outputs } => ({
      outputs: { request_id, decision: d, note, actor },
    });
    if (decision === "approve") return outputs("approve");
    // An emergency grant's Acknowledge and Revoke go straight to step 2.
    if (decision === "acknowledge" || decision === "revoke") {
      return { outputs: { request_id, decision, note: "", actor } };
    }
    // A modal only for someone who can still decide; step 2 tells anyone
    // else why not.
    const record = await new RequestStore(client).get(request_id)
      .catch(() => null);
    if (!record || !mayStillDecide(record, actor)) return outputs("none");
    const opened = await openView(
      client,
      interactivity.interactivity_pointer,
      decisionModal(decision, record.requester, request_id),
    );
    // Open, or open already from the same click delivered before.
    if (opened.ok || opened.redelivered) return { completed: false };
    console.error(`collect_decision: views.open: ${opened.error}`);
    return outputs("none");
  },
).addViewSubmissionHandler(
  [DENY_MODAL_CALLBACK_ID, NOTE_MODAL_CALLBACK_ID],
  async ({ body, client }) => {
    const submitted = checkPayload(
      ViewSubmissionSchema,
      body,
      "collect_decision: submission",
    );
    const meta = submitted.ok
      ? checkPayload(
        MetadataSchema,
        parseJson(submitted.data.view.private_metadata),
        "collect_decision: metadata",
      )
      : submitted;
    if (!submitted.ok || !meta.ok) return fieldError(FORM_UNREADABLE_TEXT);
    const { user, view, function_data } = submitted.data;
    const decided = submittedDecision(
      (body.view as { callback_id?: string } | undefined)?.callback_id,
      typedText(view.state.values, DECISION_TEXT_FIELD),
    );
    if (!decided.ok) return fieldError(decided.error);
    const done = await client.functions.completeSuccess({
      function_execution_id: function_data.execution_id,
      outputs: {
        request_id: meta.data.request_id,
        decision: decided.decision,
        note: decided.note,
        actor: user.id,
      } satisfies Outputs,
    });
    if (!done.ok && done.error !== "function_execution_not_found") {
      return fieldError(decisionNotSentText(String(done.error)));
    }
  },
).addViewClosedHandler(
  [DENY_MODAL_CALLBACK_ID, NOTE_MODAL_CALLBACK_ID],
  async ({ body, inputs, client }) => {
    // Closing the form decides nothing, and the workflow must not wait.
    await completeOnClose(
      client,
      body,
      "collect_decision: closed",
      (actor) => ({
        outputs: {
          request_id: inputs.request_id,
          decision: "none",
          note: "",
          actor,
        } satisfies Outputs,
      }),
    );
  },
);
