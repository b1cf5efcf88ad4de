/**
 * The text lines of "My Tailscale access" rows: what Tailscale says about a
 * grant, who approved it (or acknowledged an emergency), and who a pending
 * request waits for. Pure.
 *
 * @module
 */
import type { TailscaleStatus } from "../grants/mod.ts";
import { escapeMrkdwn } from "../devices/mod.ts";
import { mentions, slackDate } from "./approval_messages.ts";
import type { GrantRow, PendingRow } from "./my_access_view.ts";

/** What Tailscale says about a grant, when it is worth a line. */
export function statusLine(status: TailscaleStatus): string | null {
  switch (status.kind) {
    case "as_granted":
      return null;
    case "removed":
      return ":warning: *Removed outside this app*: Tailscale no longer has this attribute on the device.";
    case "not_in_group":
      return ":warning: *Removed outside this app*: the login is no longer in the group in the policy file.";
    case "device_gone":
      return ":warning: *Device removed from the tailnet*: nothing has this access any more.";
    case "changed":
      return `:warning: *Changed outside this app*: Tailscale ${
        status.until
          ? `keeps it until ${slackDate(status.until)}`
          : "keeps it with no expiry"
      }.`;
    case "starts":
      return `:calendar: *Starts ${
        slackDate(status.at)
      }*: approved, nothing is granted until then.`;
    case "unknown":
      return `:grey_question: Could not check with Tailscale: ${
        escapeMrkdwn(status.error)
      }`;
  }
}

/** Who approved it, or that it was emergency access and who acknowledged. */
/** Who a pending request waits for, and who has approved already. */
export function waitingFor(p: PendingRow): string {
  const asked = p.askedIds?.length ? p.askedIds : [p.approverId];
  const approved = p.approvedIds ?? [];
  return `${mentions(asked.filter((id) => !approved.includes(id)))}${
    approved.length ? ` (approved by ${mentions(approved)})` : ""
  }`;
}

/** Who approved a grant, or that it was an emergency and who acknowledged it. */
export function approvalLine(g: GrantRow): string {
  if (!g.breakGlass) {
    return `Approved by ${mentions(g.approverIds ?? [g.approverId])}`;
  }
  const { acknowledgedBy: by, acknowledgedAt: at } = g.breakGlass;
  return `:rotating_light: Emergency access · ${
    by
      ? `acknowledged by <@${by}>${at ? ` ${slackDate(at)}` : ""}`
      : "not acknowledged yet"
  }`;
}
