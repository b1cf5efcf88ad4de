/**
 * @module
 */
export * from "./checks.ts";
export * from "./device_index.ts";
export * from "./options.ts";
export * from "./picker.ts";
export * from "./rows.ts";
export * from "./text.ts";
