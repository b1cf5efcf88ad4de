/**
 * Deciding a request, on its record: who may decide (checked at click time
 * against the current config), one decision however many clicks, the
 * Tailscale write before anyone is told, and a job that a later event can
 * finish if a function dies halfway.
 *
 * @module
 */
import {
  type AccessRequest,
  CLAIM_LEASE_MS,
  claimDecision,
  claimIsStale,
  claimPrompt,
  DEFAULT_SETTLE_MS,
  groupOf,
  newRecord,
  RecordError,
  type RequestRecord,
  RequestStore,
  settleMsFrom,
  snapshotOf,
  targetOf,
  withEvent,
  withNotified,
} from "../requests/mod.ts";
import { approverGroupMembers, approverProblem } from "./approvers.ts";
import { lookupPerson, type SlackPerson } from "../people/mod.ts";
import {
  approvalRequestMessage,
  grantInProgressMessage,
  grantInProgressText,
  noticeMessage,
  type Outcome,
  requestSentMessage,
  type RequestSummary,
  slackDate,
} from "../blocks/mod.ts";
import { type Config, findProfile, type Profile } from "../config_schema.ts";
import {
  cancelEvents,
  ensureReconcileSchedule,
  extensionProblem,
  grantComment,
  grantEvents,
  GroupGrantError,
  joinGroup,
  pendingEvents,
  scheduleEvents,
  type Target,
} from "../grants/mod.ts";
import { formatDuration } from "../durations.ts";
import { externalDeviceText, invalidateDeviceIndex } from "../devices/mod.ts";
import { errorText as textOf } from "../text.ts";
import { type Deadline, type MessageRef, post, update } from "../slack/mod.ts";
import { announceOutcome } from "./announce.ts";
import {
  TailscaleApiError,
  type TailscaleClient,
  tailscaleFromEnv,
} from "../tailscale/mod.ts";
import { missingGroupText, readGroup } from "../policy/mod.ts";
import { decideTriggerUrl } from "./decide_trigger.ts";
import { type SlackClient } from "../context.ts";

/** What a decision needs from its surroundings. */
export type DecisionContext = {
  client: SlackClient;
  env: Record<string, string>;
  config: Config;
  store: RequestStore;
  settleMs?: number;
  /**
   * When this event's handler must be done (Slack's time limit): Tailscale
   * calls stop waiting before it, and what does not fit is handed on.
   */
  deadline?: Deadline;
};

/** A function handler's result. */
export type StepResult =
  | { completed: false }
  | { outputs: { outcome: string; expires_at?: number } }
  | { error: string };

/** The review step's result once the approver has been asked. */
const REQUESTED: StepResult = { outputs: { outcome: "requested" } };

/** How many times a slow grant is handed on before it fails out loud. */
export const MAX_DEFERRALS = 5;
/** How long after a handed-on grant its resume event runs. */
export const RESUME_AFTER_MS = 60_000;

/** How long a new grant or an extension would run, if approved now. */
async function plannedExpiry(
  ctx: DecisionContext,
  record: RequestRecord,
  now: Date,
): Promise<Date> {
  let from = now.getTime();
  if (record.extends) {
    const original = await ctx.store.get(record.extends);
    const end = Date.parse(original?.expires_at ?? "");
    if (end > from) from = end;
  }
  return new Date(from + record.duration_seconds * 1000);
}

/** Builds the context for one event, working to `deadline` if given. */
export function decisionContext(
  client: SlackClient,
  env: Record<string, string>,
  config: Config,
  deadline?: Deadline,
): DecisionContext {
  return {
    client,
    env,
    config,
    store: new RequestStore(client, env),
    settleMs: settleMsFrom(env),
    ...(deadline ? { deadline } : {}),
  };
}

type Resolved = {
  profile: Profile;
  tailscale: TailscaleClient;
  target: Target;
  requester: SlackPerson | null;
};

/**
 * Re-reads the profile (current config) and the device (Tailscale, by node
 * ID). Fails with a sentence for people when either is gone. With
 * `describeOnly`, the device as the submission saw it will do: nothing is
 * granted on it, and the decision reads it again.
 */
async function resolve(
  ctx: DecisionContext,
  record: RequestRecord,
  describeOnly = false,
): Promise<{ ok: true; value: Resolved } | { ok: false; message: string }> {
  const profile = findProfile(ctx.config, record.attribute);
  if (!profile) {
    return {
      ok: false,
      message:
        `The access profile \`${record.attribute}\` is no longer offered, so this request cannot go ahead. Nothing was granted.`,
    };
  }
  const built = tailscaleFromEnv(ctx.env, ctx.client, ctx.deadline);
  if (!built.ok) {
    return {
      ok: false,
      message: `The app is not connected to Tailscale (${
        built.missing.join(" and ")
      } not set), so nothing was granted. Ask a tailnet admin to set them with \`slack env add\`.`,
    };
  }
  if (profile.group) {
    return await resolveGroup(
      ctx,
      record,
      profile,
      built.tailscale,
      describeOnly,
    );
  }
  try {
    const snapshot = describeOnly ? snapshotOf(record) : null;
    const [device, requester] = await Promise.all([
      snapshot ?? built.tailscale.getDevice(record.device_id),
      lookupPerson(ctx.client, record.requester),
    ]);
    if (device.isExternal) {
      return {
        ok: false,
        message: `${externalDeviceText(device)} Nothing was granted.`,
      };
    }
    return {
      ok: true,
      value: {
        profile,
        tailscale: built.tailscale,
        target: { kind: "device", device },
        requester,
      },
    };
  } catch (e) {
    if (e instanceof TailscaleApiError && e.kind === "not_found") {
      await invalidateDeviceIndex(ctx.client);
      return {
        ok: false,
        message:
          `The device chosen for ${profile.description} (\`${record.device_id}\`) no longer exists in the tailnet, so nothing was granted.`,
      };
    }
    return {
      ok: false,
      message: `Could not read the chosen device from Tailscale: ${
        textOf(e)
      } Nothing was granted.`,
    };
  }
}

/**
 * A group profile's request: the login recorded at submission, and (unless
 * only describing it) the group checked to still exist in the policy file.
 */
async function resolveGroup(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile,
  tailscale: TailscaleClient,
  describeOnly: boolean,
): Promise<{ ok: true; value: Resolved } | { ok: false; message: string }> {
  const group = profile.group!;
  if (!record.login) {
    return {
      ok: false,
      message:
        `This request names no Tailscale login to add to \`${group}\`, so nothing was granted. Request access again.`,
    };
  }
  if (!describeOnly) {
    try {
      if (await readGroup(tailscale, group) === null) {
        return {
          ok: false,
          message: `${missingGroupText(group)} Nothing was granted.`,
        };
      }
    } catch (e) {
      return {
        ok: false,
        message: `Could not read the tailnet policy file: ${
          textOf(e)
        } Nothing was granted.`,
      };
    }
  }
  return {
    ok: true,
    value: {
      profile,
      tailscale,
      target: { kind: "group", group, login: record.login },
      requester: await lookupPerson(ctx.client, record.requester),
    },
  };
}

/**
 * The request as messages describe it, without asking Tailscale: the device
 * as the submission saw it (or just its node ID).
 */
export async function describeRecord(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile,
): Promise<RequestSummary> {
  const requester = await lookupPerson(ctx.client, record.requester);
  return summaryOf(record, { profile, target: targetOf(record), requester });
}

function summaryOf(
  record: RequestRecord,
  r: Pick<Resolved, "profile" | "target" | "requester">,
): RequestSummary {
  return {
    requesterId: record.requester,
    approverId: record.approver,
    requesterEmail: r.requester?.email,
    profile: r.profile,
    target: r.target,
    durationSeconds: record.duration_seconds,
    reason: record.reason,
    ...(record.extends
      ? {
        extendsUntil: new Date(
          record.expires_at ?? record.planned_expiry ??
            Date.now() + record.duration_seconds * 1000,
        ),
      }
      : {}),
  };
}

/** The outcome a terminal record stands for. */
export function outcomeOf(record: RequestRecord): Outcome {
  // A grant later revoked or expired was still granted when decided.
  if (["granted", "revoked"].includes(record.state) || record.granted_at) {
    return {
      kind: "granted",
      expiresAt: new Date(record.expires_at ?? record.planned_expiry ?? 0),
      selfApproved: record.requester === record.approver,
      ...(record.decision_note ? { note: record.decision_note } : {}),
      ...(record.membership === "present" ? { alreadyMember: true } : {}),
    };
  }
  if (record.state === "denied") {
    return {
      kind: "denied",
      ...(record.decision_note ? { reason: record.decision_note } : {}),
    };
  }
  if (record.state === "expired") return { kind: "expired" };
  if (record.state === "cancelled") return { kind: "cancelled" };
  if (record.state === "approved") return { kind: "in_progress" };
  return { kind: "failed", error: record.error ?? "unknown error" };
}

export function resultOf(outcome: Outcome): StepResult {
  switch (outcome.kind) {
    case "granted":
      return {
        outputs: {
          outcome: "granted",
          expires_at: Math.floor(outcome.expiresAt.getTime() / 1000),
        },
      };
    case "denied":
    case "expired":
    case "cancelled":
    case "in_progress":
      return { outputs: { outcome: outcome.kind } };
    case "failed":
      return { error: `The grant failed: ${outcome.error}` };
  }
}

/**
 * The approval step starts: read the record, check everything again, then
 * either grant at once (self-approval without confirmation) or ask the
 * approver.
 */
export async function startReview(
  ctx: DecisionContext,
  request: AccessRequest,
): Promise<StepResult> {
  let record: RequestRecord | null;
  try {
    record = await ctx.store.get(request.id);
    if (!record) record = newRecord(request, new Date());
  } catch (e) {
    const message = `Your request could not be recorded (${
      textOf(e)
    }), so it was not sent. Nothing was granted; please try again.`;
    await post(ctx.client, request.requester, noticeMessage(message));
    return { error: message };
  }
  if (record.state !== "pending") {
    // A re-delivered start: carry on from wherever the record is.
    return await finishDecided(ctx, record);
  }
  // The approver was asked already: this is the same event delivered again.
  if (record.prompt_ts) return REQUESTED;
  // A self-approval that grants at once needs the device read fresh.
  const self = findProfile(ctx.config, record.attribute);
  const grantsNow = record.approver === record.requester &&
    !!self?.canSelfApprove && !self.confirmSelfApproval;
  const resolved = await resolve(ctx, record, !grantsNow);
  if (!resolved.ok) return await endUnresolvable(ctx, record, resolved.message);
  const r = resolved.value;
  const summary = summaryOf(record, r);
  if (record.approver === record.requester) {
    if (!r.profile.canSelfApprove) {
      return await endUnresolvable(
        ctx,
        record,
        `${r.profile.description} does not allow self-approval, so your request was not sent. Nothing was granted.`,
      );
    }
    if (!r.profile.confirmSelfApproval) {
      const decided = await decide(ctx, record, r, record.requester, true);
      return decided.won
        ? resultOf(decided.outcome)
        : await finishDecided(ctx, decided.record);
    }
  }
  // Slack may deliver this event more than once, even at the same time:
  // only the delivery whose claim stands asks the approver.
  const turn = await claimPrompt(
    ctx.store,
    record,
    ctx.settleMs ?? DEFAULT_SETTLE_MS,
  );
  if (!turn.won) return REQUESTED;
  record = turn.record;
  const link = await decideTriggerUrl(ctx.client);
  if (!link.ok) {
    return await endUnresolvable(
      ctx,
      record,
      `Your request could not be sent: the app could not make the approval buttons (Slack said \`${link.error}\`). Nothing was granted; try again.`,
    );
  }
  const prompt = await post(
    ctx.client,
    record.approver,
    approvalRequestMessage(summary, { url: link.url, requestId: record.id }),
  );
  if (!prompt.ok) {
    return await endUnresolvable(
      ctx,
      record,
      `Your request could not be delivered to <@${record.approver}> (Slack said \`${prompt.error}\`). Nothing was granted; try again or choose another approver.`,
    );
  }
  // Nudge the approver halfway; expire the request if nobody decides.
  const schedule = await scheduleEvents(
    ctx.client,
    record.id,
    pendingEvents(new Date(record.created_at), r.profile.requestTimeoutSeconds),
    new Date(),
    ctx.deadline,
  );
  try {
    await ctx.store.put({
      ...record,
      prompt_channel: prompt.ref.channel,
      prompt_ts: prompt.ref.ts,
      schedule: [...(record.schedule ?? []), ...schedule],
    });
  } catch (e) {
    console.error(`request ${record.id}: ${textOf(e)}`);
  }
  if (record.approver !== record.requester) {
    await post(ctx.client, record.requester, requestSentMessage(summary));
  }
  // Nothing waits on this step: each decision runs in its own workflow.
  return REQUESTED;
}

/** Ends a request that cannot go ahead: record, requester, then the step. */
export async function endUnresolvable(
  ctx: DecisionContext,
  record: RequestRecord,
  message: string,
  prompt?: MessageRef,
): Promise<StepResult> {
  try {
    await ctx.store.put(
      withEvent(
        { ...record, state: "failed", error: message, notified: true },
        "failed",
        "app",
        new Date(),
        message,
      ),
    );
  } catch (e) {
    console.error(`request ${record.id}: ${textOf(e)}`);
  }
  if (prompt) await update(ctx.client, prompt, noticeMessage(message));
  await post(ctx.client, record.requester, noticeMessage(message));
  return { error: message };
}

type Decided =
  | { won: true; outcome: Outcome; record: RequestRecord }
  | { won: false; record: RequestRecord };

/** Claims the decision and, if it is ours, carries it out and tells everyone. */
async function decide(
  ctx: DecisionContext,
  record: RequestRecord,
  r: Resolved,
  actor: string,
  approved: boolean,
  prompt?: MessageRef,
  note?: string,
): Promise<Decided> {
  const now = new Date();
  const claim = await claimDecision(ctx.store, record, {
    state: approved ? "approved" : "denied",
    actor,
    now,
    note,
    plannedExpiry: approved ? await plannedExpiry(ctx, record, now) : undefined,
  }, ctx.settleMs ?? DEFAULT_SETTLE_MS);
  if (!claim.won) return { won: false, record: claim.record };
  const done = await carryOut(ctx, claim.record, r, prompt, false);
  return { won: true, outcome: outcomeOf(done), record: done };
}

/**
 * From an approved or decided record to a notified one. An approved record
 * is granted first: if Tailscale already holds the attribute with the planned
 * expiry (the earlier run wrote it, then died), nothing is written again.
 */
async function carryOut(
  ctx: DecisionContext,
  record: RequestRecord,
  r: Resolved,
  prompt: MessageRef | undefined,
  resumed: boolean,
): Promise<RequestRecord> {
  let current = record;
  if (current.state === "approved") {
    try {
      current = current.extends
        ? await grantExtension(ctx, current, r, resumed)
        : await grant(ctx, current, r, resumed);
    } catch (e) {
      if (!(e instanceof GrantDeferred)) throw e;
      current = await deferGrant(ctx, e, r, prompt);
      // Handed on: the resume event finishes it and tells everyone.
      if (current.state === "approved") return current;
    }
    await ctx.store.put(current);
  }
  if (current.notified) return current;
  const summary = summaryOf(current, r);
  const ref = prompt ?? promptOf(current);
  // The grant stands: tell everyone while its timed events are set up (the
  // record says what was scheduled, so a resumed run finishes either).
  const [failures, schedule] = await Promise.all([
    announceOutcome(ctx.client, summary, outcomeOf(current), ref),
    settleSchedule(ctx, current),
  ]);
  current = { ...current, schedule };
  if (failures.length) {
    // The grant stands; say what could not be delivered to whoever can hear.
    const note =
      `Some notifications about this request could not be delivered: ${
        failures.join("; ")
      }.`;
    await post(ctx.client, current.requester, noticeMessage(note));
    if (current.approver !== current.requester) {
      await post(ctx.client, current.approver, noticeMessage(note));
    }
  }
  current = withNotified(current, failures, new Date());
  await ctx.store.put(current);
  return current;
}

/**
 * A decided record's timed events: the pending request's nudge and timeout
 * go; a new grant gets its reminder and expiry (once: a resumed run finds
 * them on the record); a group grant makes sure of the periodic check.
 * Returns the record's schedule entries.
 */
async function settleSchedule(
  ctx: DecisionContext,
  record: RequestRecord,
): Promise<string[]> {
  let entries = record.schedule ?? [];
  if (entries.some((e) => /^(nudge|timeout):/.test(e))) {
    entries = await cancelEvents(
      ctx.client,
      entries,
      ["nudge", "timeout"],
      ctx.deadline,
    );
  }
  const fresh = record.state === "granted" && !record.extends &&
    !entries.some((e) => e.startsWith("expiry:"));
  if (!fresh) return entries;
  if (groupOf(record)) {
    // Removal must not hang on one trigger alone.
    await ensureReconcileSchedule(ctx.client, new Date(), ctx.deadline);
  }
  // Tell the requester before it ends, and when it has (and, for a group,
  // take the login out of it). An expiry that cannot be scheduled makes
  // sure of the periodic check, which ends it instead.
  return [
    ...entries,
    ...await scheduleEvents(
      ctx.client,
      record.id,
      grantEvents(new Date(record.expires_at!)),
      new Date(),
      ctx.deadline,
    ),
  ];
}

/**
 * Writes the attribute with the planned expiry; returns true when a resumed
 * decision finds it already written (the earlier run wrote, then died).
 */
async function writeGrant(
  ctx: DecisionContext,
  record: RequestRecord,
  r: Resolved,
  planned: Date,
  resumed: boolean,
): Promise<boolean> {
  // Only a resumed decision can have written already: a fresh claim has
  // not, so it saves Tailscale the read.
  if (resumed) {
    const existing = await r.tailscale.getAttributes(record.device_id);
    const expiry = existing.expiries[record.attribute];
    if (
      existing.attributes[record.attribute] === true &&
      expiry !== undefined &&
      Math.abs(Date.parse(expiry) - planned.getTime()) < 1000
    ) return true;
  }
  const approver = await lookupPerson(ctx.client, record.approver);
  await r.tailscale.setPostureAttribute(record.device_id, record.attribute, {
    value: true,
    expiry: planned,
    comment: grantComment({
      requester: r.requester,
      requesterId: record.requester,
      approver,
      approverId: record.approver,
      reason: record.reason,
    }),
  });
  return false;
}

function failedRecord(
  record: RequestRecord,
  error: string,
  now: Date,
): RequestRecord {
  console.error(`request ${record.id}: grant failed: ${error}`);
  return withEvent(
    { ...record, state: "failed", error },
    "failed",
    "app",
    now,
    error,
  );
}

async function grant(
  ctx: DecisionContext,
  record: RequestRecord,
  r: Resolved,
  resumed: boolean,
): Promise<RequestRecord> {
  const planned = new Date(
    record.planned_expiry ?? Date.now() + record.duration_seconds * 1000,
  );
  const now = new Date();
  let current = record;
  try {
    let already = false;
    if (r.target.kind === "group") {
      current = await joinGroup(
        { client: ctx.client, store: ctx.store, tailscale: r.tailscale },
        record,
        resumed,
      );
    } else already = await writeGrant(ctx, record, r, planned, resumed);
    // Its reminder and expiry are scheduled while everyone is told.
    return withEvent(
      {
        ...current,
        state: "granted",
        expires_at: planned.toISOString(),
        granted_at: record.granted_at ?? now.toISOString(),
      },
      "granted",
      "app",
      now,
      current.membership === "present"
        ? `${current.login} was already in ${current.attribute}; nothing added, until ${planned.toISOString()}`
        : already
        ? `found already set until ${planned.toISOString()}`
        : `until ${planned.toISOString()}`,
    );
  } catch (e) {
    if (e instanceof GroupGrantError) current = e.record;
    if (isOutOfTime(e)) throw new GrantDeferred(current, textOf(e));
    return failedRecord(current, textOf(e), now);
  }
}

/**
 * An approved extension: moves the expiry of the grant it extends (in
 * Tailscale, then on that grant's record with its reminder and expiry),
 * within the profile's `maxExtendedSeconds` from the original grant.
 */
async function grantExtension(
  ctx: DecisionContext,
  record: RequestRecord,
  r: Resolved,
  resumed: boolean,
): Promise<RequestRecord> {
  const now = new Date();
  const planned = new Date(
    record.planned_expiry ?? Date.now() + record.duration_seconds * 1000,
  );
  try {
    const original = await ctx.store.get(record.extends!);
    if (
      !original || original.state !== "granted" ||
      Date.parse(original.expires_at ?? "") <= now.getTime()
    ) {
      return failedRecord(
        record,
        "The access it would extend has already ended, so there is nothing to extend. Request access anew.",
        now,
      );
    }
    const limit = Date.parse(original.granted_at ?? original.created_at) +
      r.profile.maxExtendedSeconds * 1000;
    if (planned.getTime() > limit + 1000) {
      return failedRecord(
        record,
        `Extending by ${
          formatDuration(record.duration_seconds)
        } would run the access past ${r.profile.description}'s limit of ${
          formatDuration(r.profile.maxExtendedSeconds)
        } in all (it may run until ${new Date(limit).toISOString()}).`,
        now,
      );
    }
    let already = false;
    if (r.target.kind === "group") {
      const problem = await extensionProblem(r.tailscale, original);
      if (problem) return failedRecord(record, problem, now);
    } else already = await writeGrant(ctx, record, r, planned, resumed);
    const kept = await cancelEvents(
      ctx.client,
      original.schedule ?? [],
      ["reminder", "expiry"],
      ctx.deadline,
    );
    const schedule = await scheduleEvents(
      ctx.client,
      original.id,
      grantEvents(planned),
      new Date(),
      ctx.deadline,
    );
    await ctx.store.put(withEvent(
      {
        ...original,
        expires_at: planned.toISOString(),
        schedule: [...kept, ...schedule],
      },
      "extended",
      record.decided_by ?? "app",
      now,
      `by ${
        formatDuration(record.duration_seconds)
      } until ${planned.toISOString()} (request ${record.id})`,
    ));
    return withEvent(
      {
        ...record,
        state: "granted",
        expires_at: planned.toISOString(),
        granted_at: now.toISOString(),
      },
      "granted",
      "app",
      now,
      `${
        already ? "found already extended" : "extended"
      } ${original.id} until ${planned.toISOString()}`,
    );
  } catch (e) {
    if (isOutOfTime(e)) throw new GrantDeferred(record, textOf(e));
    return failedRecord(record, textOf(e), now);
  }
}

/**
 * A grant that did not fit in its handler's time (Tailscale slow, or a long
 * `Retry-After`); `record` is the record as it must be kept.
 */
class GrantDeferred extends Error {
  readonly record: RequestRecord;
  constructor(record: RequestRecord, reason: string) {
    super(reason);
    this.name = "GrantDeferred";
    this.record = record;
  }
}

/** Whether an error means "out of time", not "Tailscale said no". */
function isOutOfTime(e: unknown): boolean {
  const cause = e instanceof GroupGrantError ? e.cause : e;
  return cause instanceof TailscaleApiError && cause.outOfTime;
}

/**
 * Hands a grant that did not fit in its handler on to a resume event a
 * minute later (the periodic check is the second way back), and tells the
 * person who decided that it is in progress; after {@linkcode MAX_DEFERRALS}
 * tries it fails instead, to be said out loud. Returns the record to keep.
 */
async function deferGrant(
  ctx: DecisionContext,
  deferred: GrantDeferred,
  r: Resolved,
  prompt: MessageRef | undefined,
): Promise<RequestRecord> {
  const now = new Date();
  const record = deferred.record;
  const tries =
    record.history.filter((h) => h.event === "grant_deferred").length + 1;
  if (tries > MAX_DEFERRALS) {
    return failedRecord(
      record,
      `Tailscale did not answer in time, ${tries} times: ${deferred.message}`,
      now,
    );
  }
  const resumeAt = new Date(now.getTime() + RESUME_AFTER_MS);
  const [schedule] = await Promise.all([
    scheduleEvents(ctx.client, record.id, [{ event: "resume", at: resumeAt }]),
    // A lost resume trigger must not leave it approved for ever.
    ensureReconcileSchedule(ctx.client, now),
  ]);
  const next = withEvent(
    {
      ...record,
      lease_until: new Date(resumeAt.getTime() + CLAIM_LEASE_MS)
        .toISOString(),
      schedule: [...(record.schedule ?? []), ...schedule],
    },
    "grant_deferred",
    "app",
    now,
    deferred.message,
  );
  await ctx.store.put(next);
  const summary = summaryOf(next, r);
  const ref = prompt ?? promptOf(next);
  if (ref) await update(ctx.client, ref, grantInProgressMessage(summary));
  const decider = next.decided_by ?? next.approver;
  await post(
    ctx.client,
    decider,
    noticeMessage(grantInProgressText(summary, decider)),
  );
  return next;
}

/** The approver's prompt message, once it was posted. */
export function promptOf(record: RequestRecord): MessageRef | undefined {
  return record.prompt_channel && record.prompt_ts
    ? { channel: record.prompt_channel, ts: record.prompt_ts }
    : undefined;
}

/** Finishes a record that is already decided, without deciding again. */
export async function finishDecided(
  ctx: DecisionContext,
  record: RequestRecord,
  prompt?: MessageRef,
): Promise<StepResult> {
  if (record.state === "pending") return { completed: false };
  if (record.notified) return resultOf(outcomeOf(record));
  const resolved = await resolve(ctx, record);
  if (!resolved.ok) {
    return await endUnresolvable(ctx, record, resolved.message, prompt);
  }
  const done = await carryOut(ctx, record, resolved.value, prompt, true);
  return resultOf(outcomeOf(done));
}

/** A decision as the decision workflow hands it over. */
export type DecisionInput = {
  requestId: string;
  /** Who clicked (the interactor), checked against the request's approver. */
  actor: string;
  /** "none": the form was closed, or there was nothing to decide. */
  decision: "approve" | "deny" | "none";
  /** The approver's note (approval) or reason (denial). */
  note?: string;
};

/**
 * Carries out a decision made with the prompt's buttons, in the decision
 * workflow's own step (Slack's 60 s): the same checks and the same claim as
 * ever, so one decision wins however many clicks. Whoever clicked without
 * deciding anything is told why, in a DM.
 */
export async function handleDecision(
  ctx: DecisionContext,
  input: DecisionInput,
): Promise<StepResult> {
  const { actor } = input;
  const none: StepResult = { outputs: { outcome: "none" } };
  const reply = async (text: string) => {
    await post(ctx.client, actor, noticeMessage(text));
  };
  let record: RequestRecord | null;
  try {
    record = await ctx.store.get(input.requestId);
  } catch (e) {
    await reply(
      `This request could not be read (${
        textOf(e)
      }). Nothing was changed; try again.`,
    );
    return none;
  }
  if (!record) {
    await reply("This request has no record, so it cannot be decided.");
    return none;
  }
  if (actor !== record.approver) {
    await reply(
      `Only <@${record.approver}> can approve or deny this request. Nothing was changed.`,
    );
    return none;
  }
  const prompt = promptOf(record);
  const now = new Date();
  if (
    record.state !== "pending" && !record.notified && !claimIsStale(record, now)
  ) {
    // The winning decision is still being carried out by its own event;
    // resuming it here would grant or notify twice.
    await reply(alreadyDecidedText(record));
    return none;
  }
  if (record.state !== "pending") {
    const wasFinished = record.notified === true;
    const result = await finishDecided(ctx, record, prompt);
    if (wasFinished) await reply(alreadyDecidedText(record));
    return result;
  }
  // The approver closed the form without deciding: nothing to do.
  if (input.decision === "none") return none;
  // Pending: is the clicker still allowed to decide, under today's config?
  // (Asked while the device is read again, to save the approver time.)
  const profile = findProfile(ctx.config, record.attribute);
  const [problem, resolved] = await Promise.all([
    profile ? deciderProblem(ctx, profile, record, actor) : null,
    resolve(ctx, record),
  ]);
  if (problem) {
    await reply(
      `You can no longer decide this request: ${problem} Nothing was changed.`,
    );
    return none;
  }
  if (!resolved.ok) {
    return await endUnresolvable(ctx, record, resolved.message, prompt);
  }
  try {
    const decided = await decide(
      ctx,
      record,
      resolved.value,
      actor,
      input.decision === "approve",
      prompt,
      input.note,
    );
    if (!decided.won) {
      await reply(alreadyDecidedText(decided.record));
      return none;
    }
    return resultOf(decided.outcome);
  } catch (e) {
    if (e instanceof RecordError) {
      await reply(
        `Your decision could not be recorded (${e.message}). Nothing was changed; try again.`,
      );
      return none;
    }
    throw e;
  }
}

/** Why `actor` may not decide `record` under today's config, or null. */
async function deciderProblem(
  ctx: DecisionContext,
  profile: Profile,
  record: RequestRecord,
  actor: string,
): Promise<string | null> {
  const [person, members] = await Promise.all([
    lookupPerson(ctx.client, actor),
    approverGroupMembers(ctx.client, profile),
  ]);
  return approverProblem(profile, record.requester, person, members);
}

/**
 * Finishes a decision that was handed on (its handler ran out of time): the
 * resume event a minute later, and the periodic check. Does nothing unless
 * the record is still approved and not yet told.
 */
export async function resumeDecision(
  ctx: DecisionContext,
  record: RequestRecord,
): Promise<StepResult> {
  if (record.state !== "approved" || record.notified) {
    return resultOf(outcomeOf(record));
  }
  return await finishDecided(ctx, record);
}

/** "Already approved by @bob (date)." */
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
