/**
 * Slack's platform as the app uses it: payload schemas, form state,
 * posting messages, opening and updating views, trigger calls (retried and
 * spaced), and the deadlines derived from Slack's handler time limits.
 *
 * @module
 */
export * from "./deadline.ts";
export * from "./form_state.ts";
export * from "./messages.ts";
export * from "./payloads.ts";
export * from "./trigger_calls.ts";
export * from "./trigger_types.ts";
export * from "./views.ts";
