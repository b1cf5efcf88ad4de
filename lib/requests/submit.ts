/**
 * Handing a submitted request to the review step: the record is written
 * first (nothing is lost if a later step dies, and every decision is checked
 * against it), then the form's function completes with the request.
 *
 * @module
 */
import type { AccessRequest } from "./access_request.ts";
import { errorText } from "../text.ts";
import { newRecord, RequestStore } from "./store.ts";
import type { Device } from "../tailscale/mod.ts";
import { type SlackClient } from "../context.ts";
import { markedBreakGlass } from "./break_glass.ts";

/**
 * The request ID for the form of function execution `executionId`: the
 * same for every delivery of its submission (Slack may deliver one more
 * than once), so a second delivery finds the first one's record.
 */
export async function requestIdFor(executionId: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(`request:${executionId}`),
    ),
  );
  const hex = Array.from(
    digest.slice(0, 16),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  // Shaped like a UUID (version 5-like: name-based), as IDs always were.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${
    ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)
  }${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Slack's answers to completing an execution that is already complete. */
const ALREADY_COMPLETED = [
  "function_execution_not_found",
  "execution_not_in_running_state",
];

/**
 * Records `request` (with the device as the form saw it, and marked as
 * break-glass when `breakGlass`) and completes the
 * form's step with it. A second delivery of the same submission finds the
 * record already moving on and leaves it be. Returns a sentence for the
 * requester when either failed, else null.
 */
export async function submitRequest(
  client: SlackClient,
  executionId: string,
  request: AccessRequest,
  device: Device | undefined,
  breakGlass = false,
): Promise<string | null> {
  const store = new RequestStore(client);
  try {
    const existing = await store.get(request.id);
    // Only a record nobody has acted on yet is this submission's to write.
    if (
      !existing ||
      (existing.state === "pending" && !existing.prompt_claim &&
        !existing.prompt_ts)
    ) {
      const fresh = newRecord(request, new Date(), device);
      await store.put(breakGlass ? markedBreakGlass(fresh, new Date()) : fresh);
    }
  } catch (e) {
    console.error(errorText(e));
    return "Your request could not be saved. Nothing was sent; try again.";
  }
  const done = await client.functions.completeSuccess({
    function_execution_id: executionId,
    outputs: { request },
  });
  if (!done.ok && ALREADY_COMPLETED.includes(done.error ?? "")) {
    console.warn("the request was submitted before: nothing to do again");
    return null;
  }
  if (!done.ok) {
    console.error(`functions.completeSuccess failed: ${done.error}`);
    return `The request could not be sent (${done.error}). Try again.`;
  }
  return null;
}
