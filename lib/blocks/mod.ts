/**
 * Block Kit builders for every view and message the app shows: pure
 * functions from facts to blocks (no I/O), and the Block Kit types they are
 * checked against.
 *
 * @module
 */
export * from "./approval_messages.ts";
export * from "./decision_modals.ts";
export * from "./lifecycle_messages.ts";
export * from "./login_overrides_view.ts";
export * from "./my_access_view.ts";
export * from "./my_access_forms.ts";
export * from "./outcome_messages.ts";
export * from "./request_form.ts";
export * from "./approver_field.ts";
export * from "./form_ids.ts";
export * from "./scheduled_messages.ts";
export * from "./block_kit.ts";
export * from "./break_glass_form.ts";
export * from "./break_glass_messages.ts";
