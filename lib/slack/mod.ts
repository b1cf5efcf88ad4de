/**
 * @module
 */
export * from "./deadline.ts";
export * from "./form_state.ts";
export * from "./messages.ts";
export * from "./payloads.ts";
export * from "./trigger_calls.ts";
export * from "./views.ts";
