/**
 * Posting messages to people and channels. A failed notification is logged
 * and reported back, never thrown: it must not undo or hide a grant.
 *
 * @module
 */
import type { SlackAPI } from "deno-slack-sdk/mod.ts";
import {
  decidedApprovalMessage,
  type Outcome,
  requesterOutcomeMessage,
  type RequestSummary,
  type SlackMessage,
} from "./blocks/approval_messages.ts";

type SlackClient = ReturnType<typeof SlackAPI>;

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
    const error = e instanceof Error ? e.message : String(e);
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
    const error = e instanceof Error ? e.message : String(e);
    console.error(`chat.update in ${ref.channel} failed: ${error}`);
    return error;
  }
}

/**
 * Tells everyone how a request ended: the approver's prompt (when there is
 * one), the requester, and the profile's notify channel. Returns the
 * notifications that failed, for the caller to report.
 */
export async function announceOutcome(
  client: SlackClient,
  summary: RequestSummary,
  outcome: Outcome,
  approverPrompt?: MessageRef,
): Promise<string[]> {
  const failures: string[] = [];
  const jobs: Promise<void>[] = [];
  if (approverPrompt) {
    jobs.push(
      update(client, approverPrompt, decidedApprovalMessage(summary, outcome))
        .then((error) => {
          if (error) failures.push(`approver's message: ${error}`);
        }),
    );
  }
  jobs.push(
    post(client, summary.requesterId, requesterOutcomeMessage(summary, outcome))
      .then((r) => {
        if (!r.ok) failures.push(`requester DM: ${r.error}`);
      }),
  );
  const channel = summary.profile.notifyChannel;
  if (channel) {
    jobs.push(
      post(client, channel, decidedApprovalMessage(summary, outcome)).then(
        (r) => {
          if (!r.ok) failures.push(`notify channel ${channel}: ${r.error}`);
        },
      ),
    );
  }
  await Promise.all(jobs);
  return failures;
}
