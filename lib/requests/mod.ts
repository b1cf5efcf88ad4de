/**
 * Access requests: the request as submitted, its record (the stored row,
 * typed once at the store), the store and its live index, the claim that
 * decides a request once, and submission.
 *
 * @module
 */
export * from "./access_request.ts";
export * from "./break_glass.ts";
export * from "./approvals.ts";
export * from "./claim.ts";
export { RecordError } from "./datastore_calls.ts";
export * from "./group_access.ts";
export { INDEX_GRACE_MS, INDEX_MARKER } from "./live_index.ts";
export * from "./record.ts";
export * from "./record_fields.ts";
export * from "./record_schedule.ts";
export * from "./record_target.ts";
export { RequestStore } from "./store.ts";
export * from "./start.ts";
export * from "./submit.ts";
export * from "./typed_record.ts";
export * from "./validation.ts";
