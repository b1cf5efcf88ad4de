/**
 * Posting messages to people and channels. A failed notification is logged
 * and reported back, never thrown: it must not undo or hide a grant.
 *
 * @module
 */
import type { SlackMessage } from "../blocks/mod.ts";
import { errorText } from "../text.ts";
import { type SlackClient } from "../context.ts";

/** Where a posted message lives, for later updates. */
export type MessageRef = { channel: string; ts: string };

/** Posts a message (a user ID means a DM). Returns its ref, or the error code. */
export async function post(
  client: SlackClient,
  channel: string,
  message: SlackMessage,
): Promise<{ ok: true; ref: MessageRef } | { ok: false; error: string }> {
  try {
    const res = await client.chat.postMessage({ channel, ...message });
    if (res.ok) return { ok: true, ref: { channel: res.channel, ts: res.ts } };
    console.error(`chat.postMessage to ${channel} failed: ${res.error}`);
    return { ok: false, error: String(res.error) };
  } catch (e) {
    const error = errorText(e);
    console.error(`chat.postMessage to ${channel} failed: ${error}`);
    return { ok: false, error };
  }
}

/** Replaces a posted message. Returns the error code, or null. */
export async function update(
  client: SlackClient,
  ref: MessageRef,
  message: SlackMessage,
): Promise<string | null> {
  try {
    const res = await client.chat.update({ ...ref, ...message });
    if (res.ok) return null;
    console.error(`chat.update in ${ref.channel} failed: ${res.error}`);
    return String(res.error);
  } catch (e) {
    const error = errorText(e);
    console.error(`chat.update in ${ref.channel} failed: ${error}`);
    return error;
  }
}
