/**
 * Reading a request afresh before anything is granted on it: its profile
 * from today's config, and its device from Tailscale (or its group from the
 * policy file). What is gone becomes a sentence for people.
 *
 * @module
 */
import { type RequestRecord, snapshotOf } from "../requests/mod.ts";
import { checkRequester, lookupPerson } from "../people/mod.ts";
import { findProfile, type Profile } from "../config_schema.ts";
import type { ResolvedRequest } from "../grants/mod.ts";
import { invalidateDeviceIndex } from "../devices/mod.ts";
import { errorText } from "../text.ts";
import {
  TailscaleApiError,
  type TailscaleClient,
  tailscaleFromEnv,
} from "../tailscale/mod.ts";
import { readGroup } from "../policy/mod.ts";
import type { DecisionContext } from "./context.ts";
import {
  deviceGoneText,
  deviceUnreadableText,
  externalDeviceRefusal,
  groupGoneText,
  noLoginText,
  notConnectedText,
  policyUnreadableText,
  profileGoneText,
} from "./sentences.ts";

/**
 * Why the record's requester may no longer ask for its profile (their
 * account, the profile's requester list, both read now), as the sentence
 * that ends it; null when they may, or when Slack could not say who they
 * are (the submission checked them; a failed lookup ends nothing).
 */
async function requesterRefusal(
  ctx: DecisionContext,
  profile: Profile,
  record: RequestRecord,
): Promise<string | null> {
  const problem = await checkRequester(
    ctx.client,
    profile,
    record.requester,
    null,
  );
  return problem ? `This request was refused: ${problem}` : null;
}

/** A request read afresh, or why it cannot go ahead (a sentence). */
export type Resolution =
  | { ok: true; value: ResolvedRequest }
  | { ok: false; message: string };

/** How a request is read: with which client, and whether only to describe it. */
type ReadOptions = { tailscale: TailscaleClient; describeOnly: boolean };

/**
 * Re-reads the profile (current config) and the device (Tailscale, by node
 * ID). Fails with a sentence for people when either is gone. With
 * `describeOnly`, the device as the submission saw it will do: nothing is
 * granted on it, and the decision reads it again.
 */
export async function resolveRecord(
  ctx: DecisionContext,
  record: RequestRecord,
  describeOnly = false,
): Promise<Resolution> {
  const profile = findProfile(ctx.config, record.attribute);
  if (!profile) {
    return { ok: false, message: profileGoneText(record.attribute) };
  }
  // Before anything is granted: may the requester still ask for it? Asked
  // beside the reads below (only reads), and said first when it refuses.
  const [refused, resolved] = await Promise.all([
    describeOnly ? null : requesterRefusal(ctx, profile, record),
    resolveTarget(ctx, record, profile, describeOnly),
  ]);
  if (refused) return { ok: false, message: refused };
  return resolved;
}

/** The request's target (a device or a group) read again from Tailscale. */
async function resolveTarget(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile,
  describeOnly: boolean,
): Promise<Resolution> {
  const built = tailscaleFromEnv(ctx.env, ctx.client, ctx.deadline);
  if (!built.ok) {
    return { ok: false, message: notConnectedText(built.missing) };
  }
  if (profile.group) {
    return await resolveGroup(ctx, record, profile, profile.group, {
      tailscale: built.tailscale,
      describeOnly,
    });
  }
  return await resolveDevice(ctx, record, profile, {
    tailscale: built.tailscale,
    describeOnly,
  });
}

/** A device profile's request: the device, read again unless describing. */
async function resolveDevice(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile,
  { tailscale, describeOnly }: ReadOptions,
): Promise<Resolution> {
  try {
    const snapshot = describeOnly ? snapshotOf(record) : null;
    const [device, requester] = await Promise.all([
      snapshot ?? tailscale.getDevice(record.device_id),
      lookupPerson(ctx.client, record.requester),
    ]);
    if (device.isExternal) {
      return { ok: false, message: externalDeviceRefusal(device) };
    }
    return {
      ok: true,
      value: {
        profile,
        tailscale,
        target: { kind: "device", device },
        requester,
      },
    };
  } catch (e) {
    if (e instanceof TailscaleApiError && e.kind === "not_found") {
      await invalidateDeviceIndex(ctx.client);
      return {
        ok: false,
        message: deviceGoneText(profile.description, record.device_id),
      };
    }
    return { ok: false, message: deviceUnreadableText(errorText(e)) };
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
  group: string,
  { tailscale, describeOnly }: ReadOptions,
): Promise<Resolution> {
  if (!record.login) return { ok: false, message: noLoginText(group) };
  if (!describeOnly) {
    try {
      if (await readGroup(tailscale, group) === null) {
        return { ok: false, message: groupGoneText(group) };
      }
    } catch (e) {
      return { ok: false, message: policyUnreadableText(errorText(e)) };
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
