/**
 * Deciding a request, on its record: who may decide (checked at click time
 * against the current config), one decision however many clicks, the
 * Tailscale write before anyone is told, and a job that a later event can
 * finish if a function dies halfway.
 *
 * @module
 */
import type { SlackAPI } from "deno-slack-sdk/mod.ts";
import type { AccessRequest } from "./access_request.ts";
import {
  approverProblem,
  lookupPerson,
  type SlackPerson,
} from "./approvers.ts";
import {
  approvalRequestMessage,
  noticeMessage,
  type Outcome,
  requestSentMessage,
  type RequestSummary,
  slackDate,
} from "./blocks/approval_messages.ts";
import { type Config, findProfile, type Profile } from "./config_schema.ts";
import { grantComment } from "./grant.ts";
import { invalidateDeviceIndex } from "./device_index.ts";
import { errorText as textOf } from "./error_text.ts";
import { announceOutcome, type MessageRef, post, update } from "./notify.ts";
import {
  claimDecision,
  claimIsStale,
  DEFAULT_SETTLE_MS,
  newRecord,
  RecordError,
  type RequestRecord,
  RequestStore,
  withEvent,
} from "./requests.ts";
import {
  type Device,
  TailscaleApiError,
  type TailscaleClient,
  tailscaleFromEnv,
} from "./tailscale/mod.ts";
import { DeviceSchema } from "./tailscale/schemas.ts";

type SlackClient = ReturnType<typeof SlackAPI>;

/** What a decision needs from its surroundings. */
export type DecisionContext = {
  client: SlackClient;
  env: Record<string, string>;
  config: Config;
  store: RequestStore;
  settleMs?: number;
};

/** A function handler's result. */
export type StepResult =
  | { completed: false }
  | { outputs: { outcome: string; expires_at?: number } }
  | { error: string };

/** Builds the context for one event. */
export function decisionContext(
  client: SlackClient,
  env: Record<string, string>,
  config: Config,
): DecisionContext {
  return { client, env, config, store: new RequestStore(client) };
}

type Resolved = {
  profile: Profile;
  tailscale: TailscaleClient;
  device: Device;
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
  const built = tailscaleFromEnv(ctx.env, ctx.client);
  if (!built.ok) {
    return {
      ok: false,
      message: `The app is not connected to Tailscale (${
        built.missing.join(" and ")
      } not set), so nothing was granted. Ask a tailnet admin to set them with \`slack env add\`.`,
    };
  }
  try {
    const snapshot = describeOnly ? snapshotOf(record) : null;
    const [device, requester] = await Promise.all([
      snapshot ?? built.tailscale.getDevice(record.device_id),
      lookupPerson(ctx.client, record.requester),
    ]);
    return {
      ok: true,
      value: { profile, tailscale: built.tailscale, device, requester },
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

function snapshotOf(record: RequestRecord): Device | null {
  if (!record.device_snapshot) return null;
  try {
    const parsed = DeviceSchema.safeParse(JSON.parse(record.device_snapshot));
    return parsed.success && parsed.data.nodeId === record.device_id
      ? parsed.data
      : null;
  } catch {
    return null;
  }
}

function summaryOf(record: RequestRecord, r: Resolved): RequestSummary {
  return {
    requesterId: record.requester,
    approverId: record.approver,
    requesterEmail: r.requester?.email,
    profile: r.profile,
    device: r.device,
    durationSeconds: record.duration_seconds,
    reason: record.reason,
  };
}

/** The outcome a terminal record stands for. */
function outcomeOf(record: RequestRecord): Outcome {
  if (record.state === "granted") {
    return {
      kind: "granted",
      expiresAt: new Date(record.expires_at ?? record.planned_expiry ?? 0),
      selfApproved: record.requester === record.approver,
    };
  }
  if (record.state === "denied") return { kind: "denied" };
  return { kind: "failed", error: record.error ?? "unknown error" };
}

function resultOf(outcome: Outcome): StepResult {
  switch (outcome.kind) {
    case "granted":
      return {
        outputs: {
          outcome: "granted",
          expires_at: Math.floor(outcome.expiresAt.getTime() / 1000),
        },
      };
    case "denied":
      return { outputs: { outcome: "denied" } };
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
    if (!record) {
      record = newRecord(request, new Date());
      await ctx.store.put(record);
    }
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
  const prompt = await post(
    ctx.client,
    record.approver,
    approvalRequestMessage(summary),
  );
  if (!prompt.ok) {
    return await endUnresolvable(
      ctx,
      record,
      `Your request could not be delivered to <@${record.approver}> (Slack said \`${prompt.error}\`). Nothing was granted; try again or choose another approver.`,
    );
  }
  try {
    await ctx.store.put({
      ...record,
      prompt_channel: prompt.ref.channel,
      prompt_ts: prompt.ref.ts,
    });
  } catch (e) {
    console.error(`request ${record.id}: ${textOf(e)}`);
  }
  if (record.approver !== record.requester) {
    await post(ctx.client, record.requester, requestSentMessage(summary));
  }
  return { completed: false };
}

/** Ends a request that cannot go ahead: record, requester, then the step. */
async function endUnresolvable(
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
): Promise<Decided> {
  const now = new Date();
  const claim = await claimDecision(ctx.store, record, {
    state: approved ? "approved" : "denied",
    actor,
    now,
    plannedExpiry: approved
      ? new Date(now.getTime() + record.duration_seconds * 1000)
      : undefined,
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
    current = await grant(ctx, current, r, resumed);
    await ctx.store.put(current);
  }
  if (current.notified) return current;
  const summary = summaryOf(current, r);
  const ref = prompt ?? promptOf(current);
  const failures = await announceOutcome(
    ctx.client,
    summary,
    outcomeOf(current),
    ref,
  );
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
  current = withEvent(
    { ...current, notified: true, notify_failures: failures },
    "notified",
    "app",
    new Date(),
    failures.length ? failures.join("; ") : undefined,
  );
  await ctx.store.put(current);
  return current;
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
  try {
    // Only a resumed decision can have written already: a fresh claim has
    // not, so it saves Tailscale the read.
    let alreadyWritten = false;
    if (resumed) {
      const existing = await r.tailscale.getAttributes(record.device_id);
      const expiry = existing.expiries[record.attribute];
      alreadyWritten = existing.attributes[record.attribute] === true &&
        expiry !== undefined &&
        Math.abs(Date.parse(expiry) - planned.getTime()) < 1000;
    }
    if (!alreadyWritten) {
      const approver = await lookupPerson(ctx.client, record.approver);
      await r.tailscale.setPostureAttribute(
        record.device_id,
        record.attribute,
        {
          value: true,
          expiry: planned,
          comment: grantComment({
            requester: r.requester,
            requesterId: record.requester,
            approver,
            approverId: record.approver,
            reason: record.reason,
          }),
        },
      );
    }
    return withEvent(
      { ...record, state: "granted", expires_at: planned.toISOString() },
      "granted",
      "app",
      now,
      alreadyWritten
        ? `found already set until ${planned.toISOString()}`
        : `until ${planned.toISOString()}`,
    );
  } catch (e) {
    const error = textOf(e);
    console.error(`request ${record.id}: grant failed: ${error}`);
    return withEvent(
      { ...record, state: "failed", error },
      "failed",
      "app",
      now,
      error,
    );
  }
}

function promptOf(record: RequestRecord): MessageRef | undefined {
  return record.prompt_channel && record.prompt_ts
    ? { channel: record.prompt_channel, ts: record.prompt_ts }
    : undefined;
}

/** Finishes a record that is already decided, without deciding again. */
async function finishDecided(
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

/** What a click on Approve or Deny does; `reply` answers the clicker alone. */
export async function handleClick(
  ctx: DecisionContext,
  click: {
    request: AccessRequest;
    clicker: string;
    approved: boolean;
    prompt: MessageRef;
    reply: (text: string) => Promise<void>;
  },
): Promise<StepResult | null> {
  const { request, clicker } = click;
  if (clicker !== request.approver) {
    await click.reply(
      `Only <@${request.approver}> can approve or deny this request. Nothing was changed.`,
    );
    return null;
  }
  let record: RequestRecord | null;
  try {
    record = await ctx.store.get(request.id);
  } catch (e) {
    await click.reply(
      `This request could not be read (${
        textOf(e)
      }). Nothing was changed; try again.`,
    );
    return null;
  }
  if (!record) {
    await click.reply("This request has no record, so it cannot be decided.");
    return null;
  }
  const now = new Date();
  if (
    record.state !== "pending" && !record.notified && !claimIsStale(record, now)
  ) {
    // The winning decision is still being carried out by its own event;
    // resuming it here would grant or notify twice.
    await click.reply(alreadyDecidedText(record));
    return null;
  }
  if (record.state !== "pending") {
    const wasFinished = record.notified === true;
    const result = await finishDecided(ctx, record, click.prompt);
    if (wasFinished) {
      await click.reply(alreadyDecidedText(record));
    }
    return result;
  }
  // Pending: is the clicker still allowed to decide, under today's config?
  const profile = findProfile(ctx.config, record.attribute);
  const person = await lookupPerson(ctx.client, clicker);
  if (profile) {
    const problem = approverProblem(profile, record.requester, person);
    if (problem) {
      await click.reply(
        `You can no longer decide this request: ${problem} Nothing was changed.`,
      );
      return null;
    }
  }
  const resolved = await resolve(ctx, record);
  if (!resolved.ok) {
    return await endUnresolvable(ctx, record, resolved.message, click.prompt);
  }
  try {
    const decided = await decide(
      ctx,
      record,
      resolved.value,
      clicker,
      click.approved,
      click.prompt,
    );
    if (!decided.won) {
      await click.reply(alreadyDecidedText(decided.record));
      return null;
    }
    return resultOf(decided.outcome);
  } catch (e) {
    if (e instanceof RecordError) {
      await click.reply(
        `Your decision could not be recorded (${e.message}). Nothing was changed; try again.`,
      );
      return null;
    }
    throw e;
  }
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
    default:
      return `This request is ${record.state}.`;
  }
}
