/**
 * Timed events of a request, as one-off scheduled triggers that run the
 * `grant_lifecycle` workflow: the expiry notice and the reminder before it,
 * the pending request's timeout and the approver's nudge halfway.
 *
 * A trigger only says "look at request X now": the handler always checks the
 * record's own fields, since a grant may have been extended or revoked, and
 * Slack may run a trigger late.
 *
 * @module
 */
import type { SlackAPI } from "deno-slack-sdk/mod.ts";

type SlackClient = ReturnType<typeof SlackAPI>;

/** Callback ID of the workflow scheduled triggers run. */
export const LIFECYCLE_WORKFLOW = "grant_lifecycle";

/** What a scheduled trigger asks the app to look at. */
export const LIFECYCLE_EVENTS = [
  "reminder",
  "expiry",
  "timeout",
  "nudge",
] as const;
/** One of {@linkcode LIFECYCLE_EVENTS}. */
export type LifecycleEvent = typeof LIFECYCLE_EVENTS[number];

/** How long before the end of a grant the requester is reminded. */
export const REMINDER_BEFORE_MS = 15 * 60_000;

/** An event to schedule for a request. */
export type Planned = { event: LifecycleEvent; at: Date };

/**
 * Schedules the events that are still in the future; returns the entries
 * to keep on the record ("event:trigger_id"). Failures are logged and
 * skipped: a missing notice must not undo a grant.
 */
export async function scheduleEvents(
  client: SlackClient,
  requestId: string,
  planned: readonly Planned[],
  now = new Date(),
): Promise<string[]> {
  const entries: string[] = [];
  for (const { event, at } of planned) {
    // Slack refuses start times in the past; a grant shorter than the
    // reminder lead simply gets no reminder.
    if (at.getTime() <= now.getTime() + 1000) continue;
    try {
      const res = await client.workflows.triggers.create({
        type: "scheduled",
        name: `Tailscale access ${event} (${requestId.slice(0, 8)})`,
        workflow: `#/workflows/${LIFECYCLE_WORKFLOW}`,
        inputs: {
          request_id: { value: requestId },
          event: { value: event },
        },
        schedule: {
          start_time: at.toISOString(),
          frequency: { type: "once" },
        },
        // deno-lint-ignore no-explicit-any
      } as any);
      if (res.ok) entries.push(`${event}:${res.trigger.id}`);
      else console.error(`scheduling ${event} failed: ${res.error}`);
    } catch (e) {
      console.error(
        `scheduling ${event} failed: ${e instanceof Error ? e.message : e}`,
      );
    }
  }
  return entries;
}

/**
 * Deletes the scheduled triggers of the given events (all when omitted);
 * returns the entries that remain. A trigger that already ran or is gone
 * counts as deleted.
 */
export async function cancelEvents(
  client: SlackClient,
  entries: readonly string[],
  events?: readonly LifecycleEvent[],
): Promise<string[]> {
  const keep: string[] = [];
  for (const entry of entries) {
    const [event, id] = entry.split(":");
    if (events && !events.includes(event as LifecycleEvent)) {
      keep.push(entry);
      continue;
    }
    try {
      const res = await client.workflows.triggers.delete({ trigger_id: id });
      if (!res.ok && res.error !== "trigger_not_found") {
        console.error(`deleting the ${event} trigger failed: ${res.error}`);
      }
    } catch (e) {
      console.error(
        `deleting the ${event} trigger failed: ${
          e instanceof Error ? e.message : e
        }`,
      );
    }
  }
  return keep;
}

/** The reminder and expiry of a grant that ends at `expiresAt`. */
export function grantEvents(expiresAt: Date): Planned[] {
  return [
    {
      event: "reminder",
      at: new Date(expiresAt.getTime() - REMINDER_BEFORE_MS),
    },
    { event: "expiry", at: expiresAt },
  ];
}

/** The approver's nudge halfway and the timeout of a pending request. */
export function pendingEvents(
  createdAt: Date,
  timeoutSeconds: number,
): Planned[] {
  const ms = timeoutSeconds * 1000;
  return [
    { event: "nudge", at: new Date(createdAt.getTime() + ms / 2) },
    { event: "timeout", at: new Date(createdAt.getTime() + ms) },
  ];
}

/** A trigger as `workflows.triggers.list` describes it (the fields used). */
export type ListedTrigger = {
  id: string;
  name?: string;
  shortcut_url?: string;
};

/**
 * The app's triggers that run the workflow `callbackId`, following every
 * page; null when Slack could not list them (logged).
 */
export async function triggersOf(
  client: SlackClient,
  callbackId: string,
): Promise<ListedTrigger[] | null> {
  const out: ListedTrigger[] = [];
  let cursor: string | undefined;
  try {
    do {
      const res = await client.workflows.triggers.list({
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      if (!res.ok) {
        console.error(`workflows.triggers.list: ${res.error}`);
        return null;
      }
      for (const t of (res.triggers ?? []) as Record<string, unknown>[]) {
        const workflow = t.workflow as { callback_id?: string } | undefined;
        if (workflow?.callback_id !== callbackId) continue;
        out.push({
          id: String(t.id),
          ...(typeof t.name === "string" ? { name: t.name } : {}),
          ...(typeof t.shortcut_url === "string"
            ? { shortcut_url: t.shortcut_url }
            : {}),
        });
      }
      cursor = res.response_metadata?.next_cursor || undefined;
    } while (cursor);
  } catch (e) {
    console.error(
      `workflows.triggers.list: ${e instanceof Error ? e.message : e}`,
    );
    return null;
  }
  return out;
}
