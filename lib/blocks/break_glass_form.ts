/**
 * The request form's break-glass choice: on a profile with `breakGlass`,
 * "Ask an approver" (the default) or "Emergency: grant now". Pure Block
 * Kit builders.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import { formatDuration } from "../durations.ts";
import { FIELD, GRANT_MODE } from "../slack/mod.ts";
import { type Block, type OptionObject, plain } from "./block_kit.ts";
import { profileBlockId } from "./form_ids.ts";

/** The emergency field's label. */
export const EMERGENCY_LABEL = "How should it be granted?";

/**
 * The break-glass choice for `profile`, or no block when it offers none.
 *
 * @example
 * ```ts
 * blocks.push(...breakGlassBlocks(profile)); // [] without breakGlass
 * ```
 */
export function breakGlassBlocks(profile: Profile): Block[] {
  if (!profile.breakGlass) return [];
  const ask: OptionObject = {
    text: plain("Ask an approver"),
    value: GRANT_MODE.approval,
  };
  const now: OptionObject = {
    text: plain("Emergency: grant now"),
    value: GRANT_MODE.emergency,
    description: plain(
      `No approver; at most ${
        formatDuration(profile.breakGlass.maxSeconds)
      }. Approvers are told and may revoke it.`,
    ),
  };
  return [{
    type: "input",
    block_id: profileBlockId(FIELD.emergency, profile),
    label: plain(EMERGENCY_LABEL),
    element: {
      type: "radio_buttons",
      action_id: FIELD.emergency,
      options: [ask, now],
      initial_option: ask,
    },
  }];
}
