/**
 * Whether and how far a grant can be extended: only a live grant (or one
 * approved to start later, whose planned end moves), only by
 * the person who has it, and never past the profile's `maxExtendedSeconds`
 * from its first grant. An extension is a request of its own, reviewed like
 * any other, that moves the original grant's end when approved.
 *
 * @module
 */
import { type Config, findProfile, type Profile } from "../config_schema.ts";
import { durationChoices } from "../durations.ts";
import {
  expiresAfter,
  isScheduledGrant,
  plannedEndOf,
  type RequestRecord,
  type RequestStore,
  requireExpiry,
  targetOf,
} from "../requests/mod.ts";
import { checkRequester } from "../people/mod.ts";
import type { SlackClient } from "../context.ts";
import { targetName } from "./target.ts";

/** Whether a record is a live grant (not an extension's own record). */
export function isActiveGrant(record: RequestRecord, now: Date): boolean {
  return record.state === "granted" && !record.extends &&
    expiresAfter(record, now);
}

/**
 * How much longer the grant may run in all (from its first grant, within
 * `maxExtendedSeconds`), in seconds; 0 when it cannot be extended.
 */
export function extensionRoom(
  record: RequestRecord,
  profile: Profile,
): number {
  // One that has not started counts from its start, to its planned end.
  const start = Date.parse(
    record.granted_at ?? record.starts_at ?? record.created_at,
  );
  const limit = start + profile.maxExtendedSeconds * 1000;
  // Asked of live grants: one without an end has no room to reckon (NaN).
  const end = plannedEndOf(record)?.getTime() ?? NaN;
  return Math.max(0, Math.floor((limit - end) / 1000));
}

/** The grant an extension form is for. */
export type ExtendTarget = {
  grantId: string;
  profile: Profile;
  device: string;
  expiresAt: Date;
  /** Seconds it may still be extended by. */
  room: number;
};

/** Durations offered for an extension: within one grant and the room left. */
export function extensionChoices(t: ExtendTarget): number[] {
  const max = Math.min(t.profile.maxSeconds, t.room);
  return max >= 60 ? durationChoices(max) : [];
}

/** The grant to extend and its record, or why it cannot be extended. */
export type ExtensionTarget =
  | { ok: true; target: ExtendTarget; record: RequestRecord }
  | { ok: false; why: string };

/**
 * Whether `userId` may extend `record` (as read from the store; null when
 * there is none) now, and by how much.
 *
 * @example
 * ```ts
 * const found = extensionTarget(await store.get(grantId), userId, config, new Date());
 * if (!found.ok) console.log(found.why);
 * else console.log(extensionChoices(found.target)); // seconds offered
 * ```
 */
export function extensionTarget(
  record: RequestRecord | null,
  userId: string,
  config: Config,
  now: Date,
): ExtensionTarget {
  if (!record || record.requester !== userId) {
    return {
      ok: false,
      why: "Only the person who has the access can extend it.",
    };
  }
  if (!isActiveGrant(record, now) && !isScheduledGrant(record)) {
    return {
      ok: false,
      why:
        "That access has already ended, so it cannot be extended. Request access anew.",
    };
  }
  const profile = findProfile(config, record.attribute);
  if (!profile) {
    return {
      ok: false,
      why:
        `The access profile \`${record.attribute}\` is no longer offered, so it cannot be extended.`,
    };
  }
  const target: ExtendTarget = {
    grantId: record.id,
    profile,
    device: targetName(targetOf(record)),
    expiresAt: plannedEndOf(record) ?? requireExpiry(record),
    room: extensionRoom(record, profile),
  };
  if (extensionChoices(target).length === 0) {
    return {
      ok: false,
      why:
        `${profile.description} allows at most this much in all, so it cannot be extended further.`,
    };
  }
  return { ok: true, target, record };
}

/**
 * {@linkcode extensionTarget} for the grant stored as `grantId`; with
 * `client`, also whether `userId` may still request its profile (see
 * `checkRequester`): someone taken off its requesters, or whose account
 * became a guest's, cannot extend it.
 */
export async function findExtensionTarget(
  store: Pick<RequestStore, "get">,
  grantId: string,
  userId: string,
  config: Config,
  now?: Date,
  client?: SlackClient,
): Promise<ExtensionTarget> {
  const record = await store.get(grantId);
  const found = extensionTarget(record, userId, config, now ?? new Date());
  if (!found.ok || !client) return found;
  const why = await checkRequester(client, found.target.profile, userId);
  return why ? { ok: false, why } : found;
}
