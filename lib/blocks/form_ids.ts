/**
 * The request form's block IDs that name their profile, shared by the form
 * and its parts (the approver field, the emergency choice).
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";

/**
 * block_ids that depend on the profile, so Slack resets them when it changes.
 *
 * @example
 * ```ts
 * profileBlockId("duration", profile); // "duration:custom:prodAccess"
 * ```
 */
export function profileBlockId(field: string, profile: Profile): string {
  return `${field}:${profile.key}`;
}
