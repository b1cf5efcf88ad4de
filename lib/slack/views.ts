/**
 * Modals a function's handlers keep open: updating one in place, and
 * finishing the function when the person closes it.
 *
 * @module
 */
import type { ModalView } from "../blocks/mod.ts";
import type { SlackClient } from "../context.ts";
import { checkPayload, InteractionSchema } from "./payloads.ts";

/**
 * Replaces the open modal `viewId` with `view`. A refusal is logged, not
 * thrown: the person still has the modal as it was.
 *
 * @example
 * ```ts
 * await updateView(client, body.view.id, myAccessView(list));
 * ```
 */
export async function updateView(
  client: SlackClient,
  viewId: string,
  view: ModalView,
): Promise<void> {
  const res = await client.views.update({ view_id: viewId, view });
  if (!res.ok) console.error(`views.update failed: ${res.error}`);
}

/**
 * Completes the function whose modal the person closed (a `view_closed`
 * payload), with `outputs`, so its workflow does not wait for a form nobody
 * will send. A payload that does not fit is logged (as `where`) and ignored.
 *
 * @example
 * ```ts
 * .addViewClosedHandler(CALLBACK_ID, async ({ body, client }) => {
 *   await completeOnClose(client, body, "my_function: closed");
 * });
 * ```
 */
export async function completeOnClose(
  client: SlackClient,
  body: unknown,
  where: string,
  outputs: Record<string, unknown> = {},
): Promise<void> {
  const checked = checkPayload(InteractionSchema, body, where);
  if (!checked.ok) return;
  await client.functions.completeSuccess({
    function_execution_id: checked.data.function_data.execution_id,
    outputs,
  });
}

/** What opening a function's modal did: its view, or the function's answer. */
export type Opened =
  | { ok: true; viewId: string }
  | { ok: false; answer: { completed: false } | { error: string } };

/**
 * Opens the function's modal at once (Slack's interactivity pointer
 * expires about 3 s after the click): usually a loading view, replaced with
 * {@linkcode updateView} once its content is read. When Slack refuses,
 * `answer` is what the function returns: a pointer already exchanged
 * means Slack delivered the event again and the modal is open already.
 *
 * @example
 * ```ts
 * const opened = await openModal(client, inputs.interactivity, loadingView(), "My Tailscale access");
 * if (!opened.ok) return opened.answer;
 * await updateView(client, opened.viewId, await contentView());
 * return { completed: false };
 * ```
 */
export async function openModal(
  client: SlackClient,
  interactivity: { interactivity_pointer: string },
  view: ModalView,
  name: string,
): Promise<Opened> {
  const opened = await client.views.open({
    interactivity_pointer: interactivity.interactivity_pointer,
    view,
  });
  if (opened.ok) return { ok: true, viewId: opened.view.id };
  // Slack delivered this event again: the view is open already.
  if (opened.error === "exchanged_trigger_id") {
    return { ok: false, answer: { completed: false } };
  }
  return {
    ok: false,
    answer: { error: `Could not open "${name}": ${opened.error}` },
  };
}
