/**
 * Break-glass requests (a profile's `breakGlass`): the emergency choice's
 * rules on the form, the same rules checked again when the grant is made,
 * and the mark on the record that says it was one.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import type { BreakGlassFacts } from "../blocks/mod.ts";
import { formatDuration } from "../durations.ts";
import { type FieldErrors, GRANT_MODE } from "../slack/mod.ts";
import { type RequestRecord, withEvent } from "./record.ts";
import { targetOf } from "./record_target.ts";
import { plannedEndOf } from "./record_fields.ts";

/** The shortest reason an emergency grant accepts (trimmed). */
export const MIN_BREAK_GLASS_REASON = 20;

/** What the form's emergency choice amounts to. */
export type EmergencyCheck = { emergency: boolean; errors: FieldErrors };

/**
 * Why an emergency grant of `seconds` with `reason` cannot be made on
 * `profile`, by field: the profile must offer it, the reason must say
 * enough, the duration must be within `breakGlass.maxSeconds`.
 *
 * @example
 * ```ts
 * breakGlassProblems(profile, 7200, "outage");
 * // { reason: "An emergency grant needs …", duration: "… at most 1 hour …" }
 * ```
 */
export function breakGlassProblems(
  profile: Pick<Profile, "description" | "breakGlass">,
  seconds: number,
  reason: string,
): FieldErrors {
  const limit = profile.breakGlass?.maxSeconds;
  if (limit === undefined) {
    return {
      emergency:
        `${profile.description} has no emergency access. Choose “Ask an approver”.`,
    };
  }
  const errors: FieldErrors = {};
  if (reason.trim().length < MIN_BREAK_GLASS_REASON) {
    errors.reason =
      `An emergency grant needs a reason of at least ${MIN_BREAK_GLASS_REASON} characters: say what is broken (e.g. the incident).`;
  }
  if (Number.isInteger(seconds) && seconds > limit) {
    errors.duration =
      `An emergency grant of ${profile.description} lasts at most ${
        formatDuration(limit)
      }. Choose a shorter time.`;
  }
  return errors;
}

/**
 * The form's emergency choice (`value`, the field's value) for `profile`:
 * whether it was chosen, and its problems when it was.
 *
 * @example
 * ```ts
 * const { emergency, errors } = emergencyChoice(profile, v.emergency,
 *   Number(v.duration), reason);
 * ```
 */
export function emergencyChoice(
  profile: Pick<Profile, "description" | "breakGlass">,
  value: string | undefined,
  seconds: number,
  reason: string,
): EmergencyCheck {
  if (value !== GRANT_MODE.emergency) return { emergency: false, errors: {} };
  return {
    emergency: true,
    errors: breakGlassProblems(profile, seconds, reason),
  };
}

/**
 * Why a stored break-glass record may not be granted under today's config,
 * as one sentence, or null (the form's rules, checked again).
 */
export function breakGlassRefusal(
  profile: Pick<Profile, "description" | "breakGlass">,
  record: Pick<RequestRecord, "duration_seconds" | "reason">,
): string | null {
  const errors = breakGlassProblems(
    profile,
    record.duration_seconds,
    record.reason,
  );
  const first = errors.emergency ?? errors.duration ?? errors.reason;
  return first ? `Emergency access was not granted. ${first}` : null;
}

/** A new record marked as break-glass, in its history too (pure). */
export function markedBreakGlass(
  record: RequestRecord,
  now: Date,
): RequestRecord {
  return withEvent(
    { ...record, break_glass: true },
    "break_glass_requested",
    record.requester,
    now,
    "emergency: grant now, without an approver",
  );
}

/** Whether a grant was break-glass and nobody has acknowledged it. */
export function unacknowledged(
  record: Pick<RequestRecord, "break_glass" | "acknowledged_by">,
): boolean {
  return record.break_glass === true && !record.acknowledged_by;
}

/**
 * What the messages about an emergency grant say: who, what, on what,
 * until when, and why.
 *
 * @example
 * ```ts
 * post(client, channel, unacknowledgedEndedMessage(breakGlassFacts(record, profile)));
 * ```
 */
export function breakGlassFacts(
  record: RequestRecord,
  profile: Pick<Profile, "description">,
): BreakGlassFacts {
  return {
    requesterId: record.requester,
    profileName: profile.description,
    target: targetOf(record),
    expiresAt: plannedEndOf(record) ?? new Date(0),
    reason: record.reason,
  };
}
