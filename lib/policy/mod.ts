/**
 * @module
 */
export * from "./group_members.ts";
export * from "./membership.ts";
