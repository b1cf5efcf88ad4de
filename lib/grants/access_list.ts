/**
 * "My Tailscale access" as data: a person's live grants (with what Tailscale
 * says about each) and pending requests, everyone's for an admin, as the
 * rows the list view shows.
 *
 * @module
 */
import type { GrantRow, PendingRow } from "../blocks/mod.ts";
import { type Config, findProfile } from "../config_schema.ts";
import {
  approversOf,
  isScheduledGrant,
  plannedEndOf,
  type RequestRecord,
  type RequestStore,
  requireExpiry,
  startOf,
  targetOf,
} from "../requests/mod.ts";
import type { ClientResult } from "../tailscale/mod.ts";
import { extensionRoom, isActiveGrant } from "./extension.ts";
import { type TailscaleStatus, tailscaleStatuses } from "./status.ts";
import { targetName } from "./target.ts";

/** The profile's description, or its key once config.ts no longer has it. */
export function profileLabel(config: Config, record: RequestRecord): string {
  return findProfile(config, record.attribute)?.description ??
    record.attribute;
}

/** What the grant is on, as plain text: a device name or a group and login. */
export function deviceLabel(record: RequestRecord): string {
  return targetName(targetOf(record));
}

/**
 * When a listed grant ends: its expiry, or for one that has not started,
 * the end planned at its approval.
 */
function listedEnd(record: RequestRecord): Date {
  return plannedEndOf(record) ?? requireExpiry(record);
}

/**
 * The live grants among `records`, and those approved to start later, the
 * one ending first first.
 */
export function activeGrants(
  records: RequestRecord[],
  now: Date,
): RequestRecord[] {
  return records.filter((r) => isActiveGrant(r, now) || isScheduledGrant(r))
    .sort((a, b) => listedEnd(a).getTime() - listedEnd(b).getTime());
}

/** Who acknowledged an emergency grant, and when, as listed. */
function acknowledgement(
  record: RequestRecord,
): NonNullable<GrantRow["breakGlass"]> {
  const at = Date.parse(record.acknowledged_at ?? "");
  return {
    ...(record.acknowledged_by
      ? { acknowledgedBy: record.acknowledged_by }
      : {}),
    ...(Number.isFinite(at) ? { acknowledgedAt: new Date(at) } : {}),
  };
}

/** A live grant (see {@linkcode activeGrants}) as listed to `viewerId`. */
export function grantRow(
  config: Config,
  record: RequestRecord,
  status: TailscaleStatus,
  viewerId: string,
): GrantRow {
  const profile = findProfile(config, record.attribute);
  return {
    id: record.id,
    requesterId: record.requester,
    approverId: record.approver,
    approverIds: approversOf(record),
    profile: profileLabel(config, record),
    device: deviceLabel(record),
    expiresAt: listedEnd(record),
    status,
    mine: record.requester === viewerId,
    extensionRoom: profile ? extensionRoom(record, profile) : 0,
    ...(record.break_glass ? { breakGlass: acknowledgement(record) } : {}),
  };
}

/**
 * The pending requests among `records` as listed to `viewerId`: new
 * requests first, then pending extensions, listed as what they are.
 */
export function pendingRows(
  config: Config,
  records: RequestRecord[],
  viewerId: string,
): PendingRow[] {
  const row = (r: RequestRecord, suffix: string): PendingRow => ({
    id: r.id,
    requesterId: r.requester,
    approverId: r.approver,
    profile: `${profileLabel(config, r)}${suffix}`,
    device: deviceLabel(r),
    createdAt: new Date(r.created_at),
    mine: r.requester === viewerId,
  });
  const pending = records.filter((r) => r.state === "pending");
  return [
    ...pending.filter((r) => !r.extends).map((r) => row(r, "")),
    ...pending.filter((r) => r.extends).map((r) => row(r, " (extension)")),
  ];
}

/** Whose access a list shows: one person's, or everyone's for an admin. */
export type Viewer = { id: string; admin: boolean };

/**
 * Reads the viewer's live grants (and those approved to start later) and
 * pending requests (everyone's for an
 * admin) and asks Tailscale about each grant.
 *
 * @throws when the store cannot be read.
 * @example
 * ```ts
 * const { grants, pending } = await listAccess(
 *   new RequestStore(client, env), tailscaleFromEnv(env, client), config,
 *   { id: userId, admin: false }, new Date(),
 * );
 * ```
 */
export async function listAccess(
  store: Pick<RequestStore, "list">,
  tailscale: ClientResult,
  config: Config,
  viewer: Viewer,
  now: Date,
): Promise<{ grants: GrantRow[]; pending: PendingRow[] }> {
  const records = await store.list(
    ["pending", "granted", "scheduled"],
    viewer.admin ? undefined : viewer.id,
  );
  const active = activeGrants(records, now);
  // A grant that has not started has nothing in Tailscale to ask about.
  const statuses = await tailscaleStatuses(
    tailscale,
    active.filter((r) => !isScheduledGrant(r)),
  );
  for (const r of active.filter(isScheduledGrant)) {
    statuses.set(r.id, { kind: "starts", at: startOf(r) ?? now });
  }
  return {
    grants: active.map((r) =>
      grantRow(config, r, statuses.get(r.id)!, viewer.id)
    ),
    pending: pendingRows(config, records, viewer.id),
  };
}
