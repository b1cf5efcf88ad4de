/**
 * The rules that tie a profile's approval policy options to its other
 * fields (`approvalsRequired`, `escalateAfterSeconds`, `breakGlass`), for
 * `config_schema.ts`.
 *
 * @module
 */
import type { z } from "zod";

/**
 * The approval policies' rules across fields: two approvals need someone
 * to ask, an escalation someone to escalate to before the request expires,
 * and break-glass a channel to announce in. Adds one issue per broken rule.
 *
 * @example
 * ```ts
 * ProfileFields.superRefine((p, ctx) => refinePolicies(p, ctx));
 * ```
 */
export function refinePolicies(
  p: {
    approverEmails?: string[];
    approverGroups?: string[];
    approvalsRequired: number;
    escalateAfterSeconds?: number;
    requestTimeoutSeconds: number;
    breakGlass?: { maxSeconds: number };
    notifyChannel?: string;
  },
  ctx: z.RefinementCtx,
): void {
  const emails = p.approverEmails?.length ?? 0;
  const listed = emails > 0 || (p.approverGroups?.length ?? 0) > 0;
  if (p.approvalsRequired > 1 && !listed) {
    ctx.addIssue({
      code: "custom",
      path: ["approvalsRequired"],
      message:
        "needs approverEmails or approverGroups: with more than one approval the request goes to every listed approver",
    });
  } else if (
    p.approvalsRequired > 1 && !p.approverGroups?.length &&
    emails < p.approvalsRequired
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["approvalsRequired"],
      message:
        `is ${p.approvalsRequired}, but approverEmails lists only ${emails}`,
    });
  }
  if (p.escalateAfterSeconds !== undefined) {
    if (p.escalateAfterSeconds >= p.requestTimeoutSeconds) {
      ctx.addIssue({
        code: "custom",
        path: ["escalateAfterSeconds"],
        message:
          `must be less than requestTimeoutSeconds (${p.requestTimeoutSeconds}): the request would expire first`,
      });
    }
    if (!listed && p.notifyChannel === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["escalateAfterSeconds"],
        message:
          "needs approverEmails, approverGroups or notifyChannel: someone to escalate to",
      });
    }
  }
  if (p.breakGlass !== undefined && p.notifyChannel === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["breakGlass"],
      message: "needs notifyChannel: emergency grants are announced there",
    });
  }
}
