/**
 * The end of a grant at its expiry: the login out of the group, or the
 * attribute off the device, then the record closed and everyone told. Run
 * by the grant's own expiry trigger and, when that is lost, by
 * reconciliation.
 *
 * @module
 */
import {
  type AttributeOutcome,
  grantEndedMessage,
  type MembershipEnd,
  noticeMessage,
  unacknowledgedEndedMessage,
} from "../blocks/mod.ts";
import type { Profile } from "../config_schema.ts";
import { escapeMrkdwn } from "../devices/mod.ts";
import {
  breakGlassFacts,
  expiresAfter,
  type RequestRecord,
  type TypedRecord,
  unacknowledged,
  withEvent,
} from "../requests/mod.ts";
import type { DecisionContext } from "../review/mod.ts";
import { post } from "../slack/mod.ts";
import { tailscaleFromEnv } from "../tailscale/mod.ts";
import { errorText } from "../text.ts";
import { endAttributeGrant } from "./attribute_grants.ts";
import { attributeNote, closedRecord, factsOf } from "./ending.ts";
import { endMembership } from "./group_grants.ts";

/** What ending a grant at its expiry did. */
export type ExpireResult =
  /** Not a live grant, or not due (extended since). */
  | { kind: "not_due" }
  | { kind: "expired"; record: TypedRecord; membership?: MembershipEnd }
  /** A group membership could not be removed; the grant stays open. */
  | { kind: "removal_failed"; error: string };

/**
 * Ends a grant whose time is up: for a group grant, takes the login out of
 * the group first (the grant stays open, to be tried again by the next
 * reconciliation, if that fails); for an attribute, checks that Tailscale
 * removed it. Then records it and tells the requester and the channel.
 *
 * @example
 * ```ts
 * const result = await expireGrant(ctx, record, findProfile(config, record.attribute), new Date());
 * if (result.kind === "removal_failed") console.error(result.error);
 * ```
 */
export async function expireGrant(
  ctx: DecisionContext,
  record: TypedRecord,
  profile: Profile | undefined,
  now: Date,
): Promise<ExpireResult> {
  if (record.state !== "granted" || record.extends) return { kind: "not_due" };
  // Extended since this trigger was made (its end more than a second
  // away): the new one will come.
  if (expiresAfter(record, new Date(now.getTime() + 1000))) {
    return { kind: "not_due" };
  }
  let current = record;
  let attribute: AttributeOutcome | undefined;
  let membership: MembershipEnd | undefined;
  if (record.target.kind === "group") {
    try {
      ({ record: current, end: membership } = await endMembership(
        ctx,
        record,
        now,
      ));
    } catch (e) {
      const error = errorText(e);
      await removalFailed(ctx, record, profile, error, now);
      return { kind: "removal_failed", error };
    }
  } else {
    attribute = await endAttribute(ctx, record, now);
  }
  const ended = await closedRecord(
    ctx,
    current,
    { state: "expired", ended_at: now.toISOString() },
    "expired",
    "app",
    now,
    attribute && attributeNote(attribute),
  );
  await ctx.store.put(ended);
  if (profile) {
    const message = grantEndedMessage(factsOf(record, profile), {
      kind: "expired",
      ...(attribute ? { attribute } : {}),
      ...(membership ? { membership } : {}),
    });
    await post(ctx.client, record.requester, message);
    if (profile.notifyChannel) {
      await post(ctx.client, profile.notifyChannel, message);
      // An emergency grant nobody acknowledged is listed again as it ends.
      if (unacknowledged(record)) {
        await post(
          ctx.client,
          profile.notifyChannel,
          unacknowledgedEndedMessage(breakGlassFacts(record, profile)),
        );
      }
    }
  }
  return {
    kind: "expired",
    record: ended,
    ...(membership ? { membership } : {}),
  };
}

/**
 * Tailscale drops an expired attribute only within minutes: the app
 * removes its own now, so access ends when the notice says it does. A
 * failure is reported in the notice, not thrown: the grant ends anyway.
 */
async function endAttribute(
  ctx: DecisionContext,
  record: RequestRecord,
  now: Date,
): Promise<AttributeOutcome> {
  const built = tailscaleFromEnv(ctx.env, ctx.client, ctx.deadline);
  try {
    if (!built.ok) throw new Error(`${built.missing.join(" and ")} not set`);
    return await endAttributeGrant(built.tailscale, record, now);
  } catch (e) {
    console.error(
      `request ${record.id}: ending the attribute: ${errorText(e)}`,
    );
    return { kind: "unconfirmed", error: errorText(e) };
  }
}

/**
 * A membership that should have come off did not: the record keeps it (so
 * reconciliation tries again) and the channel hears once, not every retry.
 */
async function removalFailed(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile | undefined,
  error: string,
  now: Date,
): Promise<void> {
  console.error(`request ${record.id}: removing the membership: ${error}`);
  const first = record.history.at(-1)?.event !== "removal_failed";
  await ctx.store.put(
    withEvent(record, "removal_failed", "app", now, error),
  );
  if (first && profile?.notifyChannel) {
    await post(
      ctx.client,
      profile.notifyChannel,
      noticeMessage(
        `:warning: <@${record.requester}>'s access to *${
          escapeMrkdwn(profile.description)
        }* has ended, but \`${record.login}\` could not be removed from \`${record.attribute}\`: ${
          escapeMrkdwn(error)
        } The app tries again every 15 minutes.`,
      ),
    );
  }
}
