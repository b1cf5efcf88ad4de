/**
 * Reconciliation: the second, independent way every grant ends. It runs
 * every 15 minutes (see `reconcile_schedule.ts`) and ends what its own
 * trigger should have ended: a grant past its end is expired (for a group,
 * the login taken out of the group), and a membership the app added for a
 * request that never became a live grant (a failed or abandoned write) is
 * removed. It reports what it did to the profile's notify channel.
 *
 * Either this or a grant's expiry trigger alone is enough; together they
 * survive a lost trigger, a failed write, or a policy edit in between.
 *
 * @module
 */
import { noticeMessage } from "../blocks/mod.ts";
import { findProfile } from "../config_schema.ts";
import {
  type DecisionContext,
  endUnresolvable,
  promptOf,
  resumeDecision,
} from "../review/mod.ts";
import { escapeMrkdwn } from "../devices/mod.ts";
import { errorText } from "../text.ts";
import { endMembership, OWNED_MEMBERSHIPS } from "./group_grants.ts";
import { expireGrant } from "./expire.ts";
import { post } from "../slack/mod.ts";
import { ensureReconcileSchedule } from "./reconcile_schedule.ts";
import {
  claimIsStale,
  expiresAfter,
  plannedEndOf,
  type RequestRecord,
  targetOf,
  type TypedRecord,
  withEvent,
} from "../requests/mod.ts";
import { targetName } from "./target.ts";

/**
 * How long after its end a grant is left to its own expiry trigger, so that
 * the two do not end it at the same moment.
 */
export const RECONCILE_GRACE_MS = 2 * 60_000;

/** One thing reconciliation did, or failed to do. */
export type ReconcileAction = {
  record: RequestRecord;
  /** A sentence for the notify channel. */
  text: string;
  failed: boolean;
  /** Already reported (a failure that keeps failing): logged only. */
  quiet?: boolean;
};

/**
 * Runs one reconciliation; returns what it did.
 *
 * @example
 * ```ts
 * // What the reconcile_access function does every 15 minutes:
 * const actions = await reconcile(decisionContext(client, env, config));
 * const failed = actions.filter((a) => a.failed).length;
 * ```
 */
export async function reconcile(
  ctx: DecisionContext,
  now = new Date(),
): Promise<ReconcileAction[]> {
  const actions: ReconcileAction[] = [];
  const due = now.getTime() - RECONCILE_GRACE_MS;
  // 1. Live grants past their end whose expiry did not run.
  for (const record of await ctx.store.list(["granted"])) {
    if (record.extends || expiresAfter(record, new Date(due))) continue;
    const action = await endOverdue(ctx, record, now);
    if (action) actions.push(action);
  }
  // 2. Decisions approved but never granted: a handler cut off by Slack's
  // time limit (or a crash) whose resume trigger was lost.
  for (const record of await ctx.store.list(["approved"])) {
    if (record.notified || !claimIsStale(record, now)) continue;
    actions.push(await finishApproved(ctx, record, now));
  }
  // 3. Memberships the app added (or may have) for requests that are not
  // live grants: a grant that failed after its write, or whose decider died.
  const owned = await ctx.store.listMemberships(OWNED_MEMBERSHIPS);
  for (const record of owned) {
    if (record.state === "granted" || record.target.kind !== "group") continue;
    const end = plannedEndOf(record);
    // A decision still being carried out finishes its own write.
    if (
      record.state === "approved" &&
      !(claimIsStale(record, now) && end !== null && end.getTime() <= due)
    ) continue;
    actions.push(await removeStray(ctx, record, now));
  }
  await report(ctx, actions);
  await ensureReconcileSchedule(ctx.client, now, ctx.deadline);
  return actions;
}

/** Ends a live grant past its end; null when there was nothing to do. */
async function endOverdue(
  ctx: DecisionContext,
  record: TypedRecord,
  now: Date,
): Promise<ReconcileAction | null> {
  const profile = findProfile(ctx.config, record.attribute);
  const result = await expireGrant(ctx, record, profile, now);
  if (result.kind === "expired") {
    return {
      record,
      failed: false,
      text: `ended ${who(record)}'s access, due ${record.expires_at}${
        result.membership === "removed"
          ? `, and removed \`${record.login}\` from \`${record.attribute}\``
          : ""
      }`,
    };
  }
  // expireGrant has warned the channel the first time.
  if (result.kind === "removal_failed") {
    return notRemoved(record, result.error, true, "");
  }
  return null;
}

/**
 * Finishes an approval whose grant was never written while the access
 * would still run; fails it out loud once it would have ended.
 */
async function finishApproved(
  ctx: DecisionContext,
  record: TypedRecord,
  now: Date,
): Promise<ReconcileAction> {
  const end = Date.parse(record.planned_expiry ?? "");
  if (end > now.getTime()) {
    const result = await resumeDecision(ctx, record);
    const after = await ctx.store.get(record.id) ?? record;
    return {
      record,
      failed: "error" in result,
      text: after.state === "granted"
        ? `finished granting ${
          who(record)
        }, which its approval could not finish in time`
        : after.state === "approved"
        ? `is still granting ${who(record)}: Tailscale is slow; it tries again`
        : `could not finish granting ${who(record)}: ${
          escapeMrkdwn(after.error ?? after.state)
        }`,
    };
  }
  const message =
    "The approved grant could not be written to Tailscale before it would have ended, so nothing was granted. Request access again.";
  await endUnresolvable(ctx, record, message, promptOf(record));
  return {
    record,
    failed: true,
    text: `${
      who(record)
    }: approved, but never granted before its end; the requester was told`,
  };
}

/** Removes a membership the app added for a request that is not a live grant. */
async function removeStray(
  ctx: DecisionContext,
  record: TypedRecord,
  now: Date,
): Promise<ReconcileAction> {
  try {
    const ended = await endMembership(ctx, record, now);
    await ctx.store.put(ended.record);
    return {
      record,
      failed: false,
      text: ended.end === "removed"
        ? `removed \`${record.login}\` from \`${record.attribute}\`: the app added it for a request that ${
          record.state === "approved"
            ? "was never completed"
            : `ended ${record.state}`
        }`
        : `found \`${record.login}\` no longer needing removal from \`${record.attribute}\` (${
          ended.end.replace("_", " ")
        })`,
    };
  } catch (e) {
    const error = errorText(e);
    const quiet = record.history.at(-1)?.event === "removal_failed";
    await ctx.store.put(
      withEvent(record, "removal_failed", "app", now, error),
    ).catch((e) => console.error(errorText(e)));
    return notRemoved(record, error, quiet, "; the next check tries again");
  }
}

/** A membership that could not be removed, as reported. */
function notRemoved(
  record: RequestRecord,
  error: string,
  quiet: boolean,
  after: string,
): ReconcileAction {
  return {
    record,
    failed: true,
    quiet,
    text: `could not remove \`${record.login}\` from \`${record.attribute}\` (${
      escapeMrkdwn(error)
    })${after}`,
  };
}

function who(record: RequestRecord): string {
  return `<@${record.requester}> (${targetName(targetOf(record))})`;
}

/** One message per notify channel, listing what was done there. */
async function report(
  ctx: DecisionContext,
  actions: readonly ReconcileAction[],
): Promise<void> {
  const byChannel = new Map<string, string[]>();
  for (const a of actions) {
    const line = `${a.failed ? ":warning:" : "•"} ${a.text}`;
    console.log(`reconciliation: request ${a.record.id}: ${a.text}`);
    if (a.quiet) continue;
    const channel = findProfile(ctx.config, a.record.attribute)?.notifyChannel;
    if (!channel) continue;
    byChannel.set(channel, [...byChannel.get(channel) ?? [], line]);
  }
  await Promise.all([...byChannel].map(([channel, lines]) =>
    post(
      ctx.client,
      channel,
      noticeMessage(
        `:broom: Scheduled access check: what the regular expiry had not done yet.\n${
          lines.join("\n")
        }`,
      ),
    )
  ));
}
