/**
 * Reviewing a request: choosing its approver, asking them, deciding (one
 * decision however many clicks), granting through `lib/grants/`, and
 * telling everyone.
 *
 * @module
 */
export * from "./announce.ts";
export * from "./approvers.ts";
export * from "./collect.ts";
export * from "./context.ts";
export * from "./decide.ts";
export * from "./decide_trigger.ts";
export * from "./defer.ts";
export * from "./describe.ts";
export * from "./escalate.ts";
export * from "./every_approver.ts";
export * from "./finish.ts";
export * from "./resolve.ts";
export * from "./scheduled_start.ts";
export * from "./sentences.ts";
export * from "./start_review.ts";
export * from "./break_glass.ts";
export * from "./break_glass_actions.ts";
export * from "./break_glass_people.ts";
