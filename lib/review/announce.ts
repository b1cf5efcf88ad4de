/**
 * Telling everyone how a request ended.
 *
 * @module
 */
import type { SlackClient } from "../context.ts";
import {
  decidedApprovalMessage,
  type Outcome,
  requesterOutcomeMessage,
  type RequestSummary,
} from "../blocks/mod.ts";
import { type MessageRef, post, update } from "../slack/mod.ts";

/**
 * Tells everyone how a request ended: the approvers' prompts (when there
 * are any: one, or each person asked), the requester, and the profile's
 * notify channel. Returns the notifications that failed, for the caller to
 * report.
 */
export async function announceOutcome(
  client: SlackClient,
  summary: RequestSummary,
  outcome: Outcome,
  approverPrompts?: MessageRef | readonly MessageRef[],
): Promise<string[]> {
  const failures: string[] = [];
  const jobs: Promise<void>[] = [];
  const prompts = approverPrompts === undefined
    ? []
    : "ts" in approverPrompts
    ? [approverPrompts]
    : approverPrompts;
  for (const prompt of prompts) {
    jobs.push(
      update(client, prompt, decidedApprovalMessage(summary, outcome))
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
