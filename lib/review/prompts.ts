/**
 * The prompts of a request that asks several people: the same message with
 * the same buttons, each in its own DM (every approver of a two-person
 * profile, or whoever an escalation reaches), and their refresh when an
 * approval is added.
 *
 * @module
 */
import type { PromptRef, RequestRecord } from "../requests/mod.ts";
import { approvalRequestMessage, type SlackMessage } from "../blocks/mod.ts";
import type { ResolvedRequest } from "../grants/mod.ts";
import { readOpens } from "../devices/mod.ts";
import { opensText } from "../policy/mod.ts";
import { post, update } from "../slack/mod.ts";
import type { DecisionContext } from "./context.ts";
import { decideTriggerUrl } from "./decide_trigger.ts";
import { promptRefsOf, summaryOf } from "./describe.ts";

/**
 * The approver's prompt for `record` as it stands (with who has approved
 * so far), or why it has no buttons.
 */
export async function promptMessage(
  ctx: DecisionContext,
  record: RequestRecord,
  r: Pick<ResolvedRequest, "profile" | "target" | "requester">,
): Promise<
  | { ok: true; message: SlackMessage; opens: string }
  | { ok: false; error: string }
> {
  // What the grant opens comes from the cache the request form's warm-up
  // filled: one datastore read, no Tailscale call while the approver waits.
  const [link, opens] = await Promise.all([
    decideTriggerUrl(ctx.client),
    readOpens(ctx.client, r.profile.key).then(opensText),
  ]);
  if (!link.ok) return link;
  return {
    ok: true,
    opens,
    message: approvalRequestMessage(
      summaryOf(record, r),
      { url: link.url, requestId: record.id },
      opens,
    ),
  };
}

/** The prompts that went out, and Slack's error for each that did not. */
export type Posted = { prompts: PromptRef[]; errors: Map<string, string> };

/** Posts `message` to each of `people`, each in their own DM. */
export async function postPrompts(
  ctx: DecisionContext,
  people: readonly string[],
  message: SlackMessage,
): Promise<Posted> {
  const posted: Posted = { prompts: [], errors: new Map() };
  await Promise.all(people.map(async (user) => {
    const res = await post(ctx.client, user, message);
    if (res.ok) posted.prompts.push({ user, ...res.ref });
    else posted.errors.set(user, res.error);
  }));
  // In the order asked, whatever order Slack answered in.
  posted.prompts.sort((a, b) =>
    people.indexOf(a.user) - people.indexOf(b.user)
  );
  return posted;
}

/**
 * Shows every prompt of a pending request as it now stands (who has
 * approved so far), with its buttons.
 */
export async function refreshPrompts(
  ctx: DecisionContext,
  record: RequestRecord,
  r: ResolvedRequest,
): Promise<void> {
  const built = await promptMessage(ctx, record, r);
  if (!built.ok) {
    console.error(`request ${record.id}: no buttons: ${built.error}`);
    return;
  }
  await Promise.all(
    promptRefsOf(record).map((ref) => update(ctx.client, ref, built.message)),
  );
}
