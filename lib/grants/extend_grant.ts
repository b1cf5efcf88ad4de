/**
 * Writing an approved extension: the grant it extends gets its new end, in
 * Tailscale and on that grant's own record (with its reminder and expiry
 * moved), within the profile's `maxExtendedSeconds` from the first grant.
 *
 * @module
 */
import {
  expiryOf,
  isScheduledGrant,
  type RequestRecord,
  requireField,
  scheduleOf,
  type TypedRecord,
  withEvent,
  withSchedule,
} from "../requests/mod.ts";
import type { Profile } from "../config_schema.ts";
import { formatDuration, formatUtc } from "../durations.ts";
import { errorText } from "../text.ts";
import { extensionProblem } from "./group_grants.ts";
import { extendScheduled } from "./scheduled_grant.ts";
import { cancelEvents, grantEvents, scheduleEvents } from "./schedule.ts";
import {
  failedGrant,
  type GrantContext,
  GrantDeferred,
  isOutOfTime,
  plannedEnd,
  type ResolvedRequest,
  writeAttributeGrant,
} from "./write_grant.ts";

/** Why an extension fails when the grant it extends is gone or over. */
const NOTHING_TO_EXTEND =
  "The access it would extend has already ended, so there is nothing to extend. Request access anew.";

/**
 * Why `extension` cannot extend `original` to `planned` (the original is no
 * longer a live grant, or it would run past the profile's limit in all),
 * or null when it can.
 *
 * @example
 * ```ts
 * const refusal = extensionRefusal(extension, original, profile, planned, new Date());
 * if (refusal) return failedGrant(extension, refusal, new Date());
 * ```
 */
export function extensionRefusal(
  extension: RequestRecord,
  original: RequestRecord,
  profile: Profile,
  planned: Date,
  now: Date,
): string | null {
  // Only an end that has passed refuses it: a row without a readable end
  // is not taken to be over.
  const end = expiryOf(original);
  if (
    !["granted", "scheduled"].includes(original.state) ||
    (end !== null && end.getTime() <= now.getTime())
  ) return NOTHING_TO_EXTEND;
  const limit = Date.parse(
    original.granted_at ?? original.starts_at ?? original.created_at,
  ) +
    profile.maxExtendedSeconds * 1000;
  if (planned.getTime() <= limit + 1000) return null;
  return `Extending by ${
    formatDuration(extension.duration_seconds)
  } would run the access past ${profile.description}'s limit of ${
    formatDuration(profile.maxExtendedSeconds)
  } in all (it may run until ${formatUtc(new Date(limit))}).`;
}

/**
 * An approved extension: moves the expiry of the grant it extends (in
 * Tailscale, then on that grant's record with its reminder and expiry),
 * within the profile's `maxExtendedSeconds` from the original grant.
 * Returns the extension's record as granted or failed; throws
 * {@linkcode GrantDeferred} when out of time.
 *
 * @example
 * ```ts
 * const done = await writeApprovedExtension(ctx, extension, resolved, false);
 * ```
 */
export async function writeApprovedExtension(
  ctx: GrantContext,
  record: RequestRecord,
  r: ResolvedRequest,
  resumed: boolean,
): Promise<RequestRecord> {
  const now = new Date();
  const planned = plannedEnd(record);
  try {
    const original = await ctx.store.get(requireField(record, "extends"));
    if (!original) return failedGrant(record, NOTHING_TO_EXTEND, now);
    const refusal = extensionRefusal(record, original, r.profile, planned, now);
    if (refusal) return failedGrant(record, refusal, now);
    let already = false;
    if (isScheduledGrant(original)) {
      // Not started: nothing in Tailscale yet, only its planned end moves.
      await extendScheduled(ctx, record, original, planned, now);
      return grantedExtension(
        record,
        planned,
        now,
        `extended ${original.id}, not started yet,`,
      );
    }
    if (r.target.kind === "group") {
      const problem = await extensionProblem(r.tailscale, original);
      if (problem) return failedGrant(record, problem, now);
    } else {
      already = await writeAttributeGrant(ctx, record, r, planned, resumed);
    }
    await moveEnd(ctx, original, record, planned, now);
    return grantedExtension(
      record,
      planned,
      now,
      `${already ? "found already extended" : "extended"} ${original.id}`,
    );
  } catch (e) {
    if (isOutOfTime(e)) throw new GrantDeferred(record, errorText(e));
    return failedGrant(record, errorText(e), now);
  }
}

/** The extension's own record, granted until `planned` (pure). */
function grantedExtension(
  record: RequestRecord,
  planned: Date,
  now: Date,
  what: string,
): RequestRecord {
  return withEvent(
    {
      ...record,
      state: "granted",
      expires_at: planned.toISOString(),
      granted_at: now.toISOString(),
    },
    "granted",
    "app",
    now,
    `${what} until ${planned.toISOString()}`,
  );
}

/**
 * The extended grant's own record: its new end, its reminder and expiry
 * moved there, and the extension in its history.
 */
async function moveEnd(
  ctx: GrantContext,
  original: TypedRecord,
  extension: RequestRecord,
  planned: Date,
  now: Date,
): Promise<void> {
  const kept = await cancelEvents(
    ctx.client,
    scheduleOf(original),
    ["reminder", "expiry"],
    ctx.deadline,
  );
  const schedule = await scheduleEvents(
    ctx.client,
    original.id,
    grantEvents(planned),
    new Date(),
    ctx.deadline,
  );
  await ctx.store.put(withEvent(
    withSchedule(
      { ...original, expires_at: planned.toISOString() },
      [...kept, ...schedule],
    ),
    "extended",
    extension.decided_by ?? "app",
    now,
    `by ${
      formatDuration(extension.duration_seconds)
    } until ${planned.toISOString()} (request ${extension.id})`,
  ));
}
