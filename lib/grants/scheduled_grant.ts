/**
 * A grant approved to start later ("approved, starts at …"), before its
 * start: ending it (its requester cancels, or it is revoked) deletes its
 * start trigger and grants nothing; extending it moves its planned end.
 * Nothing is in Tailscale until the start, so neither touches Tailscale.
 *
 * @module
 */
import { scheduledEndedMessage } from "../blocks/mod.ts";
import { findProfile } from "../config_schema.ts";
import { formatDuration } from "../durations.ts";
import {
  type RequestRecord,
  type TypedRecord,
  withEvent,
} from "../requests/mod.ts";
import {
  type DecisionContext,
  describeRecord,
  promptOf,
  scheduledFacts,
} from "../review/mod.ts";
import { post, update } from "../slack/mod.ts";
import { closedRecord } from "./ending.ts";
import type { GrantContext } from "./write_grant.ts";

/**
 * Ends a scheduled grant before its start: the record is `cancelled` (by
 * its requester) or `revoked` (by an admin, with `reason`), its start
 * trigger deleted; the approver's message, the requester and the notify
 * channel are told. Returns the record as stored.
 *
 * @example
 * ```ts
 * await endScheduled(ctx, record, userId, "cancelled");
 * ```
 */
export async function endScheduled(
  ctx: DecisionContext,
  record: TypedRecord,
  actor: string,
  state: "cancelled" | "revoked",
  reason?: string,
  now = new Date(),
): Promise<RequestRecord> {
  const facts = scheduledFacts(record);
  const ended = await closedRecord(
    ctx,
    record,
    {
      state,
      ended_by: actor,
      ended_at: now.toISOString(),
      ...(reason ? { end_reason: reason } : {}),
    },
    state,
    actor,
    now,
    reason ?? "before its start",
  );
  await ctx.store.put(ended);
  const profile = findProfile(ctx.config, record.attribute);
  if (!profile) return ended;
  const message = scheduledEndedMessage(
    await describeRecord(ctx, record, profile),
    facts,
    { state, by: actor, ...(reason ? { reason } : {}) },
  );
  const prompt = promptOf(record);
  const targets = new Set([record.requester]);
  // The approver sees it on their prompt; without one, in a DM.
  if (!prompt) targets.add(facts.by);
  if (profile.notifyChannel) targets.add(profile.notifyChannel);
  await Promise.all([
    ...[...targets].map((t) => post(ctx.client, t, message)),
    prompt ? update(ctx.client, prompt, message) : null,
  ]);
  return ended;
}

/**
 * An approved extension of a grant that has not started: the grant's
 * planned end moves to `planned` on its record (its start trigger stays;
 * the grant is written with the new end at the start).
 *
 * @example
 * ```ts
 * if (original.state === "scheduled") await extendScheduled(ctx, record, original, planned);
 * ```
 */
export async function extendScheduled(
  ctx: GrantContext,
  extension: RequestRecord,
  original: TypedRecord,
  planned: Date,
  now = new Date(),
): Promise<void> {
  await ctx.store.put(withEvent(
    { ...original, planned_expiry: planned.toISOString() },
    "extended",
    extension.decided_by ?? "app",
    now,
    `by ${
      formatDuration(extension.duration_seconds)
    } until ${planned.toISOString()}, before its start (request ${extension.id})`,
  ));
}
