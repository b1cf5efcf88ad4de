/**
 * The decision workflow's link trigger, which the approver's buttons run.
 * The app creates it itself the first time it is needed (the manifest asks
 * for `triggers:write`), so an admin has nothing to set up, and finds it
 * again by listing its triggers.
 *
 * @module
 */
import { errorText } from "../text.ts";
import { triggerCall, triggersOf } from "../slack/mod.ts";
import { type SlackClient, WORKFLOWS } from "../context.ts";

/** The trigger's name, as `slack trigger list` shows it. */
const NAME = "Decide a Tailscale access request";

/**
 * The URL of the decision workflow's link trigger, created if there is none;
 * or why there is none.
 */
export async function decideTriggerUrl(
  client: SlackClient,
): Promise<{ ok: true; url: string } | { ok: false; error: string }> {
  const listed = await triggersOf(client, WORKFLOWS.decide);
  const found = listed?.find((t) => t.shortcut_url)?.shortcut_url;
  if (found) return { ok: true, url: found };
  try {
    const res = await triggerCall(client, "create", {
      type: "shortcut",
      name: NAME,
      description: "Run by the Approve and Deny buttons of access requests",
      workflow: `#/workflows/${WORKFLOWS.decide}`,
      inputs: {
        interactivity: { value: "{{data.interactivity}}" },
        user: { value: "{{data.user_id}}" },
        request_id: { customizable: true },
        decision: { customizable: true },
      },
    });
    const url = res.ok
      ? (res.trigger as { shortcut_url?: string } | undefined)?.shortcut_url
      : undefined;
    return url
      ? { ok: true, url }
      : { ok: false, error: res.error ?? "no shortcut URL in the answer" };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}
