/**
 * Opening, updating and pushing modals, and ending a function whose modal
 * was closed, with Slack's answers read the same way everywhere: a click
 * Slack delivered again is not a failure, a lost race for an update is not
 * logged, anything else is logged and reported back.
 *
 * @module
 */
import type { ModalView } from "../blocks/mod.ts";
import { checkPayload, InteractionSchema } from "./payloads.ts";
import type { SlackClient } from "../context.ts";

/** A modal Slack has open: its ID and hash, for later updates. */
export type OpenedView = { id: string; hash?: string };

/** The outcome of opening or pushing a modal. */
export type ViewResult =
  | { ok: true; view: OpenedView }
  | {
    ok: false;
    /** Slack's error code. */
    error: string;
    /**
     * Slack delivered the click again (`exchanged_trigger_id`): the
     * modal is open already, from the first delivery.
     */
    redelivered: boolean;
  };

/** Reads a views.open or views.push answer. */
function viewResult(
  res: { ok: boolean; error?: string; view?: OpenedView },
): ViewResult {
  if (res.ok) return { ok: true, view: res.view! };
  return {
    ok: false,
    error: String(res.error),
    redelivered: res.error === "exchanged_trigger_id",
  };
}

/**
 * Opens a modal on an interactivity pointer. Call it before anything that
 * waits on the network: the pointer expires about 3 s after the click.
 *
 * @example
 * ```ts
 * const opened = await openView(client, pointer, loadingView);
 * if (!opened.ok) return notOpened(opened, "the request form");
 * await updateView(client, opened.view.id, await fullView());
 * ```
 */
export async function openView(
  client: SlackClient,
  pointer: string,
  view: ModalView,
): Promise<ViewResult> {
  return viewResult(
    await client.views.open({ interactivity_pointer: pointer, view }),
  );
}

/**
 * Pushes a modal onto the open one; without a pointer (the payload had
 * none) nothing is sent and the failure says so.
 */
export async function pushView(
  client: SlackClient,
  pointer: string | undefined,
  view: ModalView,
): Promise<ViewResult> {
  if (!pointer) {
    return { ok: false, error: "no interactivity pointer", redelivered: false };
  }
  return viewResult(
    await client.views.push({ interactivity_pointer: pointer, view }),
  );
}

/**
 * A function's answer when its modal could not be opened: nothing more to
 * do when the click was delivered again, else the error, naming `what`.
 *
 * @example
 * ```ts
 * if (!opened.ok) return notOpened(opened, `"My Tailscale access"`);
 * // { error: 'Could not open "My Tailscale access": ratelimited' }
 * ```
 */
export function notOpened(
  failure: { error: string; redelivered: boolean },
  what: string,
): { completed: false } | { error: string } {
  if (failure.redelivered) return { completed: false };
  return { error: `Could not open ${what}: ${failure.error}` };
}

/**
 * Replaces an open modal, logging a failure. With `hash`, an update that
 * lost to a newer one (`hash_conflict`) is not a failure: the newer won.
 * Returns whether Slack took the update.
 */
export async function updateView(
  client: SlackClient,
  viewId: string,
  view: ModalView,
  hash?: string,
): Promise<boolean> {
  const res = await client.views.update({
    view_id: viewId,
    ...(hash === undefined ? {} : { hash }),
    view,
  });
  if (!res.ok && res.error !== "hash_conflict") {
    console.error(`views.update failed: ${res.error}`);
  }
  return res.ok;
}

/** How a function ends when its modal is closed. */
export type CloseOutcome =
  | { outputs: Record<string, unknown> }
  | { error: string };

/**
 * Ends the function execution a closed modal belongs to: the workflow
 * would otherwise wait for a form nobody will send. An unreadable payload
 * is logged (as `where`) and ends nothing.
 *
 * @example
 * ```ts
 * .addViewClosedHandler(CALLBACK_ID, ({ body, client }) =>
 *   completeOnClose(client, body, "my_access: closed", { outputs: {} }));
 * ```
 */
export async function completeOnClose(
  client: SlackClient,
  body: unknown,
  where: string,
  outcome: CloseOutcome | ((userId: string) => CloseOutcome),
): Promise<void> {
  const checked = checkPayload(InteractionSchema, body, where);
  if (!checked.ok) return;
  const { user, function_data } = checked.data;
  const end = typeof outcome === "function" ? outcome(user.id) : outcome;
  const function_execution_id = function_data.execution_id;
  if ("error" in end) {
    await client.functions.completeError({
      function_execution_id,
      error: end.error,
    });
  } else {
    await client.functions.completeSuccess({
      function_execution_id,
      outputs: end.outputs,
    });
  }
}
