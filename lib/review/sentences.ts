/**
 * What people are told when a request cannot be reviewed or decided, as
 * pure functions: why nothing was granted, why a click changed nothing, and
 * how a request was already decided. Messages that carry a request's
 * summary are in `lib/blocks/`.
 *
 * @module
 */
import { slackDate } from "../blocks/mod.ts";
import { externalDeviceText } from "../devices/mod.ts";
import { missingGroupText } from "../policy/mod.ts";
import type { RequestRecord } from "../requests/mod.ts";
import type { Device } from "../tailscale/mod.ts";

/**
 * "The app is not connected to Tailscale (… not set), so `consequence`."
 * (`consequence` as "nothing was granted", "nothing was revoked").
 *
 * @example
 * ```ts
 * tailscaleMissingText(["TAILSCALE_TAILNET"], "nothing was revoked");
 * // "The app is not connected to Tailscale (TAILSCALE_TAILNET not set), so nothing was revoked."
 * ```
 */
export function tailscaleMissingText(
  missing: string[],
  consequence: string,
): string {
  return `The app is not connected to Tailscale (${
    missing.join(" and ")
  } not set), so ${consequence}.`;
}

// Why a request cannot go ahead (its record ends as failed).

/** The request's profile is no longer in the config. */
export function profileGoneText(attribute: string): string {
  return `The access profile \`${attribute}\` is no longer offered, so this request cannot go ahead. Nothing was granted.`;
}

/** The app has no Tailscale credentials to grant with. */
export function notConnectedText(missing: string[]): string {
  return `${
    tailscaleMissingText(missing, "nothing was granted")
  } Ask a tailnet admin to set them with \`slack env add\`.`;
}

/** The chosen device is shared in from another tailnet. */
export function externalDeviceRefusal(device: Device): string {
  return `${externalDeviceText(device)} Nothing was granted.`;
}

/** The chosen device was removed from the tailnet. */
export function deviceGoneText(
  profileDescription: string,
  deviceId: string,
): string {
  return `The device chosen for ${profileDescription} (\`${deviceId}\`) no longer exists in the tailnet, so nothing was granted.`;
}

/** Tailscale could not be asked about the chosen device. */
export function deviceUnreadableText(error: string): string {
  return `Could not read the chosen device from Tailscale: ${error} Nothing was granted.`;
}

/** A group request recorded without the login to add. */
export function noLoginText(group: string): string {
  return `This request names no Tailscale login to add to \`${group}\`, so nothing was granted. Request access again.`;
}

/** The profile's group is gone from the policy file. */
export function groupGoneText(group: string): string {
  return `${missingGroupText(group)} Nothing was granted.`;
}

/** The policy file could not be read to check the group. */
export function policyUnreadableText(error: string): string {
  return `Could not read the tailnet policy file: ${error} Nothing was granted.`;
}

/** The step's error for a grant that failed. */
export function grantFailedText(error: string): string {
  return `The grant failed: ${error}`;
}

/** The new request's record could not be written. */
export function notRecordedText(error: string): string {
  return `Your request could not be recorded (${error}), so it was not sent. Nothing was granted; please try again.`;
}

/** Someone asked themselves on a profile that does not allow it. */
export function noSelfApprovalText(profileDescription: string): string {
  return `${profileDescription} does not allow self-approval, so your request was not sent. Nothing was granted.`;
}

/** The decision workflow's link trigger could not be found or made. */
export function noButtonsText(slackError: string): string {
  return `Your request could not be sent: the app could not make the approval buttons (Slack said \`${slackError}\`). Nothing was granted; try again.`;
}

/** The approver's prompt could not be posted. */
export function undeliveredText(approver: string, slackError: string): string {
  return `Your request could not be delivered to <@${approver}> (Slack said \`${slackError}\`). Nothing was granted; try again or choose another approver.`;
}

/** A grant that stands, but some of its notices were not delivered. */
export function undeliveredNoticesText(failures: string[]): string {
  return `Some notifications about this request could not be delivered: ${
    failures.join("; ")
  }.`;
}

/** A grant handed on more than `MAX_DEFERRALS` times. */
export function tooSlowText(tries: number, reason: string): string {
  return `Tailscale did not answer in time, ${tries} times: ${reason}`;
}

// Why a click on a decision button changed nothing (a DM to the clicker).

/** The record could not be read. */
export function recordUnreadableText(error: string): string {
  return `This request could not be read (${error}). Nothing was changed; try again.`;
}

/** There is no record for the clicked request. */
export const NO_RECORD_TEXT =
  "This request has no record, so it cannot be decided.";

/** Someone other than the request's approver clicked. */
export function onlyApproverText(approver: string): string {
  return `Only <@${approver}> can approve or deny this request. Nothing was changed.`;
}

/** The approver may no longer decide under today's config. */
export function noLongerDecideText(problem: string): string {
  return `You can no longer decide this request: ${problem} Nothing was changed.`;
}

/** The decision could not be written to the record. */
export function decisionNotRecordedText(error: string): string {
  return `Your decision could not be recorded (${error}). Nothing was changed; try again.`;
}

/**
 * How the request was decided already, e.g. "This request was already
 * approved by @bob (date); access is active until (date)."
 *
 * @example
 * ```ts
 * alreadyDecidedText({ ...record, state: "denied", decided_by: "U_BOB" });
 * // "This request was already denied by <@U_BOB>."
 * ```
 */
export function alreadyDecidedText(record: RequestRecord): string {
  const when = record.decided_at
    ? ` (${slackDate(new Date(record.decided_at))})`
    : "";
  const by = record.decided_by ? ` by <@${record.decided_by}>` : "";
  switch (record.state) {
    case "denied":
      return `This request was already denied${by}${when}.`;
    case "granted":
      return `This request was already approved${by}${when}; access is active until ${
        slackDate(new Date(record.expires_at ?? 0))
      }.`;
    case "approved":
      return `This request was already approved${by}${when}; access is being granted.`;
    case "scheduled":
      return `This request was already approved${by}${when}; access starts ${
        slackDate(new Date(record.starts_at ?? 0))
      }.`;
    case "failed":
      return `This request already ended${by}${when}: ${record.error}`;
    case "expired":
      return record.granted_at
        ? "This access has already ended."
        : "This request expired: nobody decided in time.";
    case "cancelled":
      return "The requester cancelled this request.";
    case "revoked":
      return `This access was revoked${
        record.ended_by ? ` by <@${record.ended_by}>` : ""
      }.`;
    default:
      return `This request is ${record.state}.`;
  }
}

// What the decision workflow's steps answer when a click or form is off.

/** A decision step's inputs could not be read. */
export const DECISION_UNREADABLE_TEXT = "The decision could not be read.";

/** A decision modal's submission could not be read. */
export const FORM_UNREADABLE_TEXT =
  "This form could not be read. Close it and try again.";

/** A denial submitted without a reason. */
export const REASON_REQUIRED_TEXT = "Say why, so the requester knows.";

/** The submitted decision could not be handed to step 2. */
export function decisionNotSentText(slackError: string): string {
  return `Your decision could not be sent (${slackError}). Try again.`;
}

/** Someone not asked clicked a request that asked several people. */
export function onlyAskedText(asked: readonly string[]): string {
  return `Only ${
    asked.map((u) => `<@${u}>`).join(", ")
  } can approve or deny this request. Nothing was changed.`;
}

/** The requester approved a request that needs others' approvals. */
export function ownApprovalText(required: number): string {
  return `Your own approval does not count: this request needs ${required} approvals from other people. Nothing was changed.`;
}

/** An approver clicked Approve again. */
export function approvedAlreadyText(progress: string): string {
  return `You have already approved this request (${progress}). It needs approvals from other people now.`;
}

/** What the approver is told when their approval is one of several. */
export function approvalRecordedText(progress: string): string {
  return `Your approval is recorded: ${progress}. The request is granted once enough approvers have approved.`;
}
