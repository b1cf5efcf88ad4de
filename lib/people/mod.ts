/**
 * People: Slack users as the app needs them (name, email, time zone),
 * and the Tailscale login each one is granted as (config, an admin's
 * override, or the tailnet user with their email).
 *
 * @module
 */
export * from "./eligibility.ts";
export * from "./logins.ts";
export * from "./override_rules.ts";
export * from "./slack_people.ts";
export * from "./tailnet_status.ts";
