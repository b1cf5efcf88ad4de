/**
 * The comment that explains a grant in Tailscale's admin console.
 *
 * @module
 */
import type { SlackPerson } from "../people/mod.ts";
import { truncate } from "../devices/mod.ts";
import { MAX_COMMENT_LENGTH } from "../tailscale/mod.ts";

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
  /** An emergency grant: nobody approved it. */
  breakGlass?: boolean;
  /**
   * Everyone whose approval counted, when it took more than one
   * (`approvalsRequired`) or someone else than `approverId` decided.
   */
  approvers?: { person: SlackPerson | null; id: string }[];
}): string {
  const requester = who(input.requester, input.requesterId);
  const approval = input.breakGlass
    ? "EMERGENCY (break-glass), no approver"
    : input.requesterId === input.approverId
    ? "self-approved"
    : `approved by ${
      input.approvers?.length
        ? input.approvers.map((a) => who(a.person, a.id)).join(" and ")
        : who(input.approver, input.approverId)
    }`;
  const reason = input.reason.replace(/\s+/g, " ").trim();
  return truncate(
    `Requested in Slack by ${requester}, ${approval}. Reason: ${reason}`,
    MAX_COMMENT_LENGTH,
  );
}
