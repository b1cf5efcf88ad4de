/**
 * Group grants on their records: joining the group when a grant is made,
 * and letting go of the membership when it ends, so that the app removes
 * exactly the memberships it added and nothing else.
 *
 * A record's `membership` says who owns the membership: `adding` is written
 * just before the policy-file write (so a crash after it leaves a trace the
 * reconciler follows), `added` means the app added the login and must
 * remove it, `present` means the login was a member before the grant and is
 * never removed, `removed` means it is done.
 *
 * @module
 */
import {
  addToGroup,
  isMember,
  missingGroupText,
  readGroup,
  removeFromGroup,
} from "../policy/mod.ts";
import {
  expiresAfter,
  groupTarget,
  type MembershipState,
  type RequestRecord,
  type RequestStore,
  requireExpiry,
  requireGroup,
  type TypedRecord,
  withEvent,
} from "../requests/mod.ts";
import { loginStatusProblem } from "../people/mod.ts";
import { type TailscaleClient, tailscaleFromEnv } from "../tailscale/mod.ts";
import type { Deadline } from "../slack/mod.ts";
import { type SlackClient } from "../context.ts";
import { errorText } from "../text.ts";

/** What a group grant needs. */
export type GroupContext = {
  client: SlackClient;
  store: RequestStore;
  tailscale: TailscaleClient;
};

/** Memberships the app may still have to remove. */
export const OWNED_MEMBERSHIPS: readonly MembershipState[] = [
  "adding",
  "added",
];

/** Whether the app added this record's membership (or may have). */
export function ownsMembership(record: RequestRecord): boolean {
  return OWNED_MEMBERSHIPS.includes(record.membership ?? "removed");
}

/**
 * Adds the record's login to its group. Before the write the record is
 * saved as `adding`; the returned record says `added`, or `present` when
 * the login was already a member (the app then added nothing). On a
 * failure, `record` in the error holds the state to keep.
 */
export async function joinGroup(
  ctx: GroupContext,
  record: RequestRecord,
  resumed: boolean,
): Promise<RequestRecord> {
  let current = record;
  try {
    const { group, login } = requireGroup(record);
    // Asked again at grant time: the account may have been suspended since
    // the request. A resumed write that may have happened is finished as is.
    if (record.membership !== "adding") {
      const status = await loginStatusProblem(
        ctx.tailscale,
        login,
        group,
        "The",
      );
      if (status) throw new Error(status);
    }
    const result = await addToGroup(ctx.tailscale, group, login, async () => {
      current = withEvent(
        { ...current, membership: "adding" },
        "adding",
        "app",
        new Date(),
        `${login} to ${group}`,
      );
      await ctx.store.put(current);
    });
    // A resumed grant that finds the login present after its own "adding"
    // finds its own earlier write.
    const ours = result.changed || (resumed && record.membership === "adding");
    return { ...current, membership: ours ? "added" : "present" };
  } catch (e) {
    throw new GroupGrantError(e, current);
  }
}

/** A group write failed; `record` is the record as it must be kept. */
export class GroupGrantError extends Error {
  readonly record: RequestRecord;
  constructor(cause: unknown, record: RequestRecord) {
    super(errorText(cause), { cause });
    this.name = "GroupGrantError";
    this.record = record;
  }
}

/**
 * Why an active group grant cannot be extended (the login is no longer in
 * the group, or the group is gone), or null when it can.
 */
export async function extensionProblem(
  tailscale: TailscaleClient,
  record: TypedRecord,
): Promise<string | null> {
  const { group, login } = groupTarget(record);
  const members = await readGroup(tailscale, group);
  if (members === null) return missingGroupText(group);
  if (!isMember(members, login)) {
    return `\`${record.login}\` is no longer in \`${group}\` (removed outside this app), so there is nothing to extend. Request access anew.`;
  }
  return null;
}

/** What happened to a membership when its grant ended. */
export type Release =
  /** The app removed the login from the group. */
  | { kind: "removed" }
  /** The login was no longer in the group (or the group is gone). */
  | { kind: "already_gone" }
  /** It was not the app's to remove (a member before the grant). */
  | { kind: "kept" }
  /** Another live grant of the same login and group now owns it. */
  | { kind: "handed_over"; to: TypedRecord };

/**
 * Lets go of a grant's membership: removes the login from the group when
 * the app added it, unless another live grant for the same login and group
 * still needs it (that grant then owns the membership and removes it when
 * it ends). Throws when the policy file could not be changed; the caller
 * keeps the record's `membership` so that a later run tries again.
 */
export async function releaseMembership(
  ctx: GroupContext,
  record: TypedRecord,
  now = new Date(),
): Promise<Release> {
  if (!ownsMembership(record)) return { kind: "kept" };
  const { group, login } = groupTarget(record);
  const heirs = (await ctx.store.list(["granted"])).filter((r) =>
    r.id !== record.id && !r.extends && r.target.kind === "group" &&
    r.target.group === group &&
    r.target.login.toLowerCase() === login.toLowerCase() &&
    expiresAfter(r, now)
  ).sort((a, b) => requireExpiry(b).getTime() - requireExpiry(a).getTime());
  if (heirs.length) {
    const heir = heirs[0];
    if (heir.membership !== "added") {
      await ctx.store.put(withEvent(
        { ...heir, membership: "added" },
        "membership_handed_over",
        "app",
        now,
        `from ${record.id}, which ended`,
      ));
    }
    return { kind: "handed_over", to: heir };
  }
  const result = await removeFromGroup(
    ctx.tailscale,
    group,
    requireGroup(record).login,
  );
  return { kind: result.changed ? "removed" : "already_gone" };
}

/**
 * Lets go of the record's membership with the app's own Tailscale client
 * (see {@linkcode releaseMembership}); returns the record to keep and what
 * became of the membership.
 *
 * @throws when Tailscale is not configured or the policy file could not be
 * changed; the record then stays as it was, for a later try.
 */
export async function endMembership(
  ctx: Omit<GroupContext, "tailscale"> & {
    env: Record<string, string>;
    deadline?: Deadline;
  },
  record: TypedRecord,
  now: Date,
): Promise<{ record: TypedRecord; end: Release["kind"] }> {
  const built = tailscaleFromEnv(ctx.env, ctx.client, ctx.deadline);
  if (!built.ok) throw new Error(`${built.missing.join(" and ")} not set`);
  const release = await releaseMembership(
    { client: ctx.client, store: ctx.store, tailscale: built.tailscale },
    record,
    now,
  );
  return { record: released(record, release, now), end: release.kind };
}

/** The record after a release (pure): no longer the app's to remove. */
function released(
  record: TypedRecord,
  release: Release,
  now: Date,
): TypedRecord {
  if (release.kind === "kept") return record;
  const note = release.kind === "handed_over"
    ? `membership kept for request ${release.to.id} until ${release.to.expires_at}`
    : release.kind === "removed"
    ? `${record.login} removed from ${record.attribute}`
    : `${record.login} was no longer in ${record.attribute}`;
  return withEvent(
    { ...record, membership: "removed" },
    "membership_released",
    "app",
    now,
    note,
  );
}
