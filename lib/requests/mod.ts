/**
 * @module
 */
export * from "./access_request.ts";
export * from "./store.ts";
export * from "./submit.ts";
export * from "./validation.ts";
