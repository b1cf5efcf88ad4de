/**
 * @module
 */
export * from "./attribute_grants.ts";
export * from "./comment.ts";
export * from "./group_grants.ts";
export * from "./lifecycle.ts";
export * from "./reconcile.ts";
export * from "./reconcile_schedule.ts";
export * from "./schedule.ts";
export * from "./target.ts";
export * from "./write_grant.ts";
export * from "./extend_grant.ts";
