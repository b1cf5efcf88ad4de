/**
 * Grants: writing one (a posture attribute with an expiry, or a
 * policy-file group membership), scheduling its reminder and end, ending it
 * (expiry, revoke, a request's timeout or cancel), extending it, reading its
 * status back from Tailscale, and the periodic reconciliation that repairs
 * whatever was missed.
 *
 * @module
 */
export * from "./attribute_grants.ts";
export * from "./comment.ts";
export * from "./group_grants.ts";
export * from "./access_list.ts";
export * from "./admins.ts";
export * from "./expire.ts";
export * from "./extension.ts";
export * from "./extension_request.ts";
export * from "./pending.ts";
export * from "./revoke.ts";
export * from "./scheduled.ts";
export * from "./scheduled_grant.ts";
export * from "./status.ts";
export * from "./reconcile.ts";
export * from "./reconcile_schedule.ts";
export * from "./schedule.ts";
export * from "./target.ts";
export * from "./write_grant.ts";
export * from "./extend_grant.ts";
