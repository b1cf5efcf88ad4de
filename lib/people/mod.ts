/**
 * @module
 */
export * from "./logins.ts";
export * from "./slack_people.ts";
