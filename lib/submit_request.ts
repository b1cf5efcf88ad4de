/**
 * Handing a submitted request to the review step: the record is written
 * first (nothing is lost if a later step dies, and every decision is checked
 * against it), then the form's function completes with the request.
 *
 * @module
 */
import type { SlackAPI } from "deno-slack-sdk/mod.ts";
import type { AccessRequest } from "./access_request.ts";
import { errorText } from "./error_text.ts";
import { newRecord, RequestStore } from "./requests.ts";
import type { Device } from "./tailscale/mod.ts";

type SlackClient = ReturnType<typeof SlackAPI>;

/**
 * Records `request` (with the device as the form saw it) and completes the
 * form's step with it. Returns a sentence for the requester when either
 * failed, else null.
 */
export async function submitRequest(
  client: SlackClient,
  executionId: string,
  request: AccessRequest,
  device: Device | undefined,
): Promise<string | null> {
  try {
    await new RequestStore(client).put(newRecord(request, new Date(), device));
  } catch (e) {
    console.error(errorText(e));
    return "Your request could not be saved. Nothing was sent; try again.";
  }
  const done = await client.functions.completeSuccess({
    function_execution_id: executionId,
    outputs: { request },
  });
  if (!done.ok) {
    console.error(`functions.completeSuccess failed: ${done.error}`);
    return `The request could not be sent (${done.error}). Try again.`;
  }
  return null;
}
