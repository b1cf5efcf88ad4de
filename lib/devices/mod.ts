/**
 * Tailnet devices as the request form needs them: the device index kept
 * in a datastore (so a keystroke in the picker never waits on Tailscale),
 * the picker's suggestions, the checks a chosen device must pass, and how a
 * device is named in messages, and what each profile opens (cached with
 * the index, for the approver's prompt).
 *
 * @module
 */
export * from "./checks.ts";
export * from "./device_index.ts";
export * from "./opens_store.ts";
export * from "./options.ts";
export * from "./picker.ts";
export * from "./rows.ts";
export * from "./text.ts";
