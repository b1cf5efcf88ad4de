/**
 * @module
 */
export * from "./logins.ts";
export * from "./override_rules.ts";
export * from "./slack_people.ts";
