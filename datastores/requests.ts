import { DefineDatastore, DefineType, Schema } from "deno-slack-sdk/mod.ts";

/** One step in a request's life: what happened, who did it, when. */
export const TransitionType = DefineType({
  name: "RequestTransition",
  type: Schema.types.object,
  properties: {
    event: { type: Schema.types.string },
    actor: { type: Schema.types.string },
    at: { type: Schema.types.string },
    note: { type: Schema.types.string },
  },
  required: ["event", "actor", "at"],
});

/**
 * Every access request, from submission to its end, with its full history.
 * Written before any message goes out, so nothing is lost if a function
 * dies halfway; the next event for the request finishes the job.
 *
 * The app reads and checks a row with `RequestRowSchema`
 * (`lib/requests/record.ts`), which names these attributes one for one
 * (`tests/request_record_test.ts` holds them together): renaming one here
 * would leave stored rows unread.
 */
export const RequestsDatastore = DefineDatastore({
  name: "requests",
  primary_key: "id",
  attributes: {
    id: { type: Schema.types.string },
    requester: { type: Schema.slack.types.user_id },
    approver: { type: Schema.slack.types.user_id },
    attribute: { type: Schema.types.string },
    device_id: { type: Schema.types.string },
    /** Group profiles: the Tailscale login added to the group. */
    login: { type: Schema.types.string },
    /** Group profiles: adding → added | present; added → removed. */
    membership: { type: Schema.types.string },
    duration_seconds: { type: Schema.types.integer },
    reason: { type: Schema.types.string },
    /** pending → approved → granted → revoked | expired; pending → denied | cancelled | expired; pending → scheduled → approved; failed. */
    state: { type: Schema.types.string },
    created_at: { type: Schema.types.string },
    /** Who decided, when, and the claim that won the decision. */
    decided_by: { type: Schema.types.string },
    decided_at: { type: Schema.types.string },
    claim_token: { type: Schema.types.string },
    /** The expiry chosen when approved: a resumed grant writes the same one. */
    planned_expiry: { type: Schema.types.string },
    expires_at: { type: Schema.types.string },
    error: { type: Schema.types.string },
    prompt_channel: { type: Schema.types.string },
    prompt_ts: { type: Schema.types.string },
    notified: { type: Schema.types.boolean },
    notify_failures: {
      type: Schema.types.array,
      items: { type: Schema.types.string },
    },
    /** For an extension: the grant it extends. */
    extends: { type: Schema.types.string },
    /** The approver's note on an approval, or their reason for a denial. */
    decision_note: { type: Schema.types.string },
    /** When the access was first granted (extensions keep it). */
    granted_at: { type: Schema.types.string },
    /** Who ended the access or request early (revoke, cancel), when, why. */
    ended_by: { type: Schema.types.string },
    ended_at: { type: Schema.types.string },
    end_reason: { type: Schema.types.string },
    /** Rows written before decisions had their own workflow: unused now. */
    review_execution: { type: Schema.types.string },
    /** The claim of the one delivery of the review step that asks the approver. */
    prompt_claim: { type: Schema.types.string },
    /** A decision handed on (Slack's time limit) is someone's until then. */
    lease_until: { type: Schema.types.string },
    /** Scheduled triggers for this record, as "event:trigger_id". */
    schedule: {
      type: Schema.types.array,
      items: { type: Schema.types.string },
    },
    /** JSON of the device as seen at submission (describes it until decided). */
    device_snapshot: { type: Schema.types.string },
    /** Whether the request has its item in `live_requests` (written while live). */
    indexed: { type: Schema.types.boolean },
    history: { type: Schema.types.array, items: { type: TransitionType } },
    /** When the access is to start, if later than its approval (ISO time). */
    starts_at: { type: Schema.types.string },
    /** An emergency grant made without an approver (the profile's breakGlass). */
    break_glass: { type: Schema.types.boolean },
    /** Break-glass: the approver who acknowledged it, and when. */
    acknowledged_by: { type: Schema.types.string },
    acknowledged_at: { type: Schema.types.string },
    /** Every approver's prompt, as "user:channel:ts" (several when more are asked). */
    prompts: {
      type: Schema.types.array,
      items: { type: Schema.types.string },
    },
  },
});
