/**
 * The extension form's submission: its checks (the form only helps) and the
 * request it becomes.
 *
 * @module
 */
import {
  type AccessRequest,
  APPROVER_MISSING,
  checkApprover,
  reasonProblem,
  requestIdFor,
  type RequestRecord,
  snapshotOf,
  submitRequest,
} from "../requests/mod.ts";
import { FIELD, type FormState } from "../slack/mod.ts";
import type { SlackClient } from "../context.ts";
import { type ExtendTarget, extensionChoices } from "./extension.ts";

/** The form's fields that a check can fault, each with its sentence. */
export type ExtensionProblems = {
  duration?: string;
  reason?: string;
  approver?: string;
};

/** The extension form's message for a missing reason. */
export const EXTENSION_REASON_MISSING = "Say why you need more time.";

/** What the person asked for, as read from the form. */
export type ExtensionAsk = {
  seconds: number;
  reason: string;
  approverId: string;
};

/**
 * The checks that need nothing but the form: a length the form offered and
 * a reason within bounds (the request form's rule, in the extension's
 * words); an approver chosen. (Whether that approver may approve needs
 * Slack: {@linkcode checkExtensionForm}.)
 */
export function extensionFormProblems(
  target: ExtendTarget,
  values: FormState["values"],
): { ask: ExtensionAsk; problems: ExtensionProblems } {
  const problems: ExtensionProblems = {};
  const seconds = Number(values.duration);
  if (!extensionChoices(target).includes(seconds)) {
    problems.duration = "Choose one of the offered lengths.";
  }
  const reason = (values.reason ?? "").trim();
  const reasonWrong = reasonProblem(reason, EXTENSION_REASON_MISSING);
  if (reasonWrong) problems.reason = reasonWrong;
  const approverId = values.approver ?? "";
  if (!approverId) problems.approver = APPROVER_MISSING;
  return { ask: { seconds, reason, approverId }, problems };
}

/**
 * Checks a submitted extension form: {@linkcode extensionFormProblems},
 * then whether the chosen approver may approve this profile for
 * `requesterId`. Errors are keyed by the form's block IDs, for Slack's
 * `response_action: "errors"`.
 */
export async function checkExtensionForm(
  client: SlackClient,
  target: ExtendTarget,
  form: FormState,
  requesterId: string,
): Promise<
  { ok: true; ask: ExtensionAsk } | {
    ok: false;
    errors: Record<string, string>;
  }
> {
  const { ask, problems } = extensionFormProblems(target, form.values);
  // A missing approver is already said; a chosen one is checked as the
  // request form checks its own.
  if (ask.approverId) {
    const problem = await checkApprover(
      client,
      target.profile,
      requesterId,
      ask.approverId,
    );
    if (problem) problems.approver = problem;
  }
  const errors: Record<string, string> = {};
  if (problems.duration) {
    errors[form.blockIds.duration ?? FIELD.duration] = problems.duration;
  }
  if (problems.reason) {
    errors[form.blockIds.reason ?? FIELD.reason] = problems.reason;
  }
  if (problems.approver) {
    errors[form.blockIds.approver ?? FIELD.reason] = problems.approver;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, ask };
}

/**
 * The request an extension becomes: the original grant's profile and target,
 * the extra time, and `extends` pointing at the original.
 */
export function extensionRequest(
  id: string,
  requester: string,
  original: RequestRecord,
  ask: ExtensionAsk,
): AccessRequest {
  return {
    id,
    requester,
    attribute: original.attribute,
    device_id: original.device_id,
    ...(original.login ? { login: original.login } : {}),
    duration_seconds: ask.seconds,
    approver: ask.approverId,
    reason: ask.reason,
    extends: original.id,
  };
}

/**
 * Records the extension `ask` of `original` as a request of its own and
 * completes the form's step with it (see `submitRequest`), so the review
 * step that follows takes it up. Returns a sentence for the requester when
 * that failed, else null.
 *
 * @example
 * ```ts
 * const asked = await checkExtensionForm(client, found.target, form, userId);
 * if (asked.ok) {
 *   const failed = await submitExtension(client, executionId, userId, found.record, asked.ask);
 * }
 * ```
 */
export async function submitExtension(
  client: SlackClient,
  executionId: string,
  requester: string,
  original: RequestRecord,
  ask: ExtensionAsk,
): Promise<string | null> {
  return await submitRequest(
    client,
    executionId,
    extensionRequest(await requestIdFor(executionId), requester, original, ask),
    snapshotOf(original) ?? undefined,
  );
}
