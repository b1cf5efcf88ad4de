/**
 * The reconciliation schedule: Slack's scheduled triggers repeat at most
 * hourly, so "every 15 minutes" is four hourly triggers a quarter of an
 * hour apart. The app creates whichever are missing whenever it grants a
 * group membership, whenever a grant's expiry trigger could not be created
 * (of either kind: reconciliation then ends the grant), and whenever
 * reconciliation runs, so an admin has nothing to set up and a deleted
 * trigger comes back. The calls go through `trigger_calls.ts`: spaced at
 * least 300 ms apart (a list and four creates in a row are the kind of
 * burst Slack has answered with a misleading `token_revoked`) and retried.
 *
 * @module
 */
import {
  Deadline,
  elapsedClock,
  triggerCall,
  triggersOf,
} from "../slack/mod.ts";
import { type SlackClient, WORKFLOWS } from "../context.ts";

/** Minutes past the hour at which reconciliation runs. */
export const RECONCILE_MINUTES = [0, 15, 30, 45] as const;

const NAME = "Tailscale group access check";

/** A trigger's name for one quarter: "… (:15)". */
export function reconcileTriggerName(minute: number): string {
  return `${NAME} (:${String(minute).padStart(2, "0")})`;
}

/**
 * Slack refuses start times that are not in the future; like every
 * scheduled trigger of the app, the first run is at least this far off
 * (60 s, as Slack's examples, and a second for the call's way there).
 */
const START_LEAD_MS = 61_000;

/**
 * The first time, at least 61 s after `now`, that is `minute` past an hour
 * (UTC): a quarter that is closer than that starts an hour later.
 */
export function nextAt(minute: number, now: Date): Date {
  const at = new Date(now);
  at.setUTCMinutes(minute, 0, 0);
  while (at.getTime() < now.getTime() + START_LEAD_MS) {
    at.setUTCHours(at.getUTCHours() + 1);
  }
  return at;
}

/**
 * Creates the hourly reconciliation triggers that do not exist yet; returns
 * how many it created. Failures are logged, never thrown: a grant must not
 * fail because a schedule could not be checked (its own expiry trigger
 * still ends it).
 */
export async function ensureReconcileSchedule(
  client: SlackClient,
  now = new Date(),
  deadline: Deadline = Deadline.forHandler("function"),
): Promise<number> {
  // Reconciliation passes its own start, which is stale by now.
  const clock = elapsedClock(now);
  const listed = await triggersOf(client, WORKFLOWS.reconcile, deadline);
  if (!listed) return 0;
  const have = new Set(listed.map((t) => t.name));
  let created = 0;
  for (const minute of RECONCILE_MINUTES) {
    const name = reconcileTriggerName(minute);
    if (have.has(name)) continue;
    const res = await triggerCall(client, "create", () => ({
      type: "scheduled",
      name,
      workflow: `#/workflows/${WORKFLOWS.reconcile}`,
      inputs: {},
      schedule: {
        start_time: nextAt(minute, new Date(clock())).toISOString(),
        timezone: "UTC",
        frequency: { type: "hourly", repeats_every: 1 },
      },
    }), deadline);
    if (res.ok) created++;
    else console.error(`creating ${name} failed: ${res.error}`);
  }
  return created;
}
