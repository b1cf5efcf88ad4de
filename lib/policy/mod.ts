/**
 * Tailnet policy file editing for group grants: reading and changing one
 * group's member list in the HuJSON text without disturbing the rest
 * (`group_members.ts`, pure), and doing it against Tailscale with its ETag,
 * validation and retries on concurrent edits (`membership.ts`). A file the
 * app cannot edit (not HuJSON, no such group) or an edit Tailscale's
 * validation finds errors in is a `PolicyFileError`; a failed API call is a
 * `TailscaleApiError`.
 *
 * @example
 * ```ts
 * import { addToGroup, PolicyFileError } from "../policy/mod.ts";
 *
 * try {
 *   const { changed } = await addToGroup(tailscale, "group:prod", login);
 * } catch (e) {
 *   if (!(e instanceof PolicyFileError)) throw e;
 * }
 * ```
 *
 * @module
 */

export * from "./group_members.ts";
export * from "./membership.ts";
export * from "./snippet.ts";
export * from "./analysis.ts";
export * from "./policy_shape.ts";
export * from "./opens.ts";
