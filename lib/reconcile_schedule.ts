/**
 * The reconciliation schedule: Slack's scheduled triggers repeat at most
 * hourly, so "every 15 minutes" is four hourly triggers a quarter of an
 * hour apart. The app creates whichever are missing whenever it grants a
 * group membership and whenever reconciliation runs, so an admin has
 * nothing to set up and a deleted trigger comes back.
 *
 * @module
 */
import type { SlackAPI } from "deno-slack-sdk/mod.ts";
import { errorText } from "./error_text.ts";
import { triggersOf } from "./schedule.ts";

type SlackClient = ReturnType<typeof SlackAPI>;

/** Callback ID of the reconciliation workflow. */
export const RECONCILE_WORKFLOW = "reconcile_group_access";
/** Minutes past the hour at which reconciliation runs. */
export const RECONCILE_MINUTES = [0, 15, 30, 45] as const;

const NAME = "Tailscale group access check";

/** A trigger's name for one quarter: "… (:15)". */
export function reconcileTriggerName(minute: number): string {
  return `${NAME} (:${String(minute).padStart(2, "0")})`;
}

/** The next time, after `now`, that is `minute` past an hour (UTC). */
export function nextAt(minute: number, now: Date): Date {
  const at = new Date(now);
  at.setUTCMinutes(minute, 0, 0);
  // Slack refuses start times that are not in the future.
  while (at.getTime() <= now.getTime() + 60_000) {
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
): Promise<number> {
  const listed = await triggersOf(client, RECONCILE_WORKFLOW);
  if (!listed) return 0;
  const have = new Set(listed.map((t) => t.name));
  let created = 0;
  for (const minute of RECONCILE_MINUTES) {
    const name = reconcileTriggerName(minute);
    if (have.has(name)) continue;
    try {
      const res = await client.workflows.triggers.create({
        type: "scheduled",
        name,
        workflow: `#/workflows/${RECONCILE_WORKFLOW}`,
        inputs: {},
        schedule: {
          start_time: nextAt(minute, now).toISOString(),
          timezone: "UTC",
          frequency: { type: "hourly", repeats_every: 1 },
        },
        // deno-lint-ignore no-explicit-any
      } as any);
      if (res.ok) created++;
      else console.error(`creating ${name} failed: ${res.error}`);
    } catch (e) {
      console.error(`creating ${name} failed: ${errorText(e)}`);
    }
  }
  return created;
}
