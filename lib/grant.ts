/**
 * Granting access: the posture attribute write and the comment that
 * explains it in Tailscale's admin console.
 *
 * @module
 */
import type { SlackPerson } from "./approvers.ts";
import { truncate } from "./device_text.ts";
import { MAX_COMMENT_LENGTH, type TailscaleClient } from "./tailscale/mod.ts";

/** Who someone is in a Tailscale comment: their email, else their name. */
function who(person: SlackPerson | null, fallbackId: string): string {
  return person?.email || person?.name || fallbackId;
}

/**
 * The attribute's comment: requester, approver and reason, within
 * Tailscale's 200-character limit.
 */
export function grantComment(input: {
  requester: SlackPerson | null;
  requesterId: string;
  approver: SlackPerson | null;
  approverId: string;
  reason: string;
}): string {
  const requester = who(input.requester, input.requesterId);
  const approval = input.requesterId === input.approverId
    ? "self-approved"
    : `approved by ${who(input.approver, input.approverId)}`;
  const reason = input.reason.replace(/\s+/g, " ").trim();
  return truncate(
    `Requested in Slack by ${requester}, ${approval}. Reason: ${reason}`,
    MAX_COMMENT_LENGTH,
  );
}

/**
 * Sets the profile's attribute to `true` on the device until now + duration.
 * Resolves to the expiry only once Tailscale has accepted the write.
 */
export async function grantAccess(
  tailscale: TailscaleClient,
  grant: {
    nodeId: string;
    attribute: string;
    durationSeconds: number;
    comment: string;
    now: Date;
  },
): Promise<Date> {
  const expiresAt = new Date(
    grant.now.getTime() + grant.durationSeconds * 1000,
  );
  await tailscale.setPostureAttribute(grant.nodeId, grant.attribute, {
    value: true,
    expiry: expiresAt,
    comment: grant.comment,
  });
  return expiresAt;
}
