/**
 * The request story (the default of `deno task local`): a requester asks
 * for config.ts's attribute profile, the approver decides, and the grant
 * is exactly what was decided.
 *
 * @module
 */
import { judge, showMessages, showTailscale } from "./outcome.ts";
import { decide, fillInTheForm, openTheForm } from "./scenes.ts";
import type { Stage, Transcript } from "./stage.ts";

/** Plays the request and its decision on `s`. */
export async function playRequest(s: Stage): Promise<Transcript> {
  const { run, form } = await openTheForm(s);
  const request = await fillInTheForm(s, form);
  const decidedAt = await decide(s, request.approverId);
  const attrs = showTailscale(s, run, request.device);
  showMessages(s, request.approverId);
  return judge(s, { run, request, decidedAt, attrs });
}
