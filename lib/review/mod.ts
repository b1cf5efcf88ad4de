/**
 * @module
 */
export * from "./announce.ts";
export * from "./approvers.ts";
export * from "./decide_trigger.ts";
export * from "./decision.ts";
