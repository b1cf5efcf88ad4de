/**
 * Time-bound group membership, done the only way Tailscale allows: by
 * editing the tailnet policy file. Each change reads the file with its ETag,
 * edits one group's member list, has Tailscale validate the result, and
 * writes it with `If-Match`; when someone else edited the file in between
 * (412), it reads and applies the change again, a bounded number of times.
 *
 * @module
 */
import {
  addMember,
  groupMembers,
  PolicyFileError,
  removeMember,
} from "./group_members.ts";
import { TailscaleApiError, type TailscaleClient } from "../tailscale/mod.ts";

/** Attempts per change before a run of concurrent edits wins. */
export const MAX_POLICY_ATTEMPTS = 5;

/** What a membership change did. */
export type MembershipResult = {
  /** False when nothing needed changing (already a member / not a member). */
  changed: boolean;
  /** How many read–edit–write rounds it took. */
  attempts: number;
};

async function change(
  tailscale: TailscaleClient,
  edit: (text: string) => { text: string; changed: boolean },
  beforeWrite?: () => Promise<void>,
): Promise<MembershipResult> {
  let announced = false;
  for (let attempt = 1;; attempt++) {
    const { text, etag } = await tailscale.getPolicyFile();
    const edited = edit(text);
    if (!edited.changed) return { changed: false, attempts: attempt };
    // Warnings (a SCIM group not syncing, say) do not stop a change; errors
    // do, in Tailscale's own words. A 400 throws with Tailscale's message.
    const { errors, warnings } = await tailscale.validatePolicyFile(
      edited.text,
    );
    if (warnings.length) {
      console.warn(
        `the policy file has Tailscale warnings: ${warnings.join("; ")}`,
      );
    }
    if (errors.length) {
      throw new PolicyFileError(
        `Tailscale would not accept the edited policy file: ${
          errors.slice(0, 5).join("; ")
        }${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ""}`,
      );
    }
    if (beforeWrite && !announced) {
      // Recorded before the write, so a crash after it leaves a trace.
      await beforeWrite();
      announced = true;
    }
    try {
      await tailscale.setPolicyFile(edited.text, etag);
      return { changed: true, attempts: attempt };
    } catch (e) {
      const conflict = e instanceof TailscaleApiError && e.kind === "conflict";
      if (!conflict || attempt >= MAX_POLICY_ATTEMPTS) throw e;
    }
  }
}

/**
 * Adds `login` to `group`. `changed: false` means they were already a
 * member: the app did not add them, so it must not remove them later.
 *
 * @throws {PolicyFileError} when the group does not exist (it is never
 * created) or Tailscale would not accept the result.
 *
 * @example
 * ```ts
 * const { changed } = await addToGroup(tailscale, "group:prod", login, () =>
 *   // Mark the request "adding" first, so a crash mid-write leaves a trace.
 *   saveRecord({ ...record, membership: "adding" })
 * );
 * if (!changed) {
 *   // Already a member: the app must not remove them when access ends.
 * }
 * ```
 */
export function addToGroup(
  tailscale: TailscaleClient,
  group: string,
  login: string,
  /** Runs once, just before the first write (never when already a member). */
  beforeWrite?: () => Promise<void>,
): Promise<MembershipResult> {
  return change(
    tailscale,
    (text) => addMember(text, group, login),
    beforeWrite,
  );
}

/**
 * The members of `group` in the current policy file, or null when the file
 * has no such group.
 *
 * @example
 * ```ts
 * const members = await readGroup(tailscale, "group:prod");
 * if (members === null) console.log(missingGroupText("group:prod"));
 * ```
 */
export async function readGroup(
  tailscale: TailscaleClient,
  group: string,
): Promise<string[] | null> {
  return groupMembers((await tailscale.getPolicyFile()).text, group);
}

/** Whether `login` is among `members` (Tailscale compares logins case-insensitively). */
export function isMember(members: readonly string[], login: string): boolean {
  const key = login.toLowerCase();
  return members.some((m) => m.toLowerCase() === key);
}

/** The plain sentence for a group the policy file does not define. */
export function missingGroupText(group: string): string {
  return `The group \`${group}\` does not exist in the tailnet policy file, so nobody can be added to it. A tailnet admin has to add it to the policy file first (this app never creates groups).`;
}

/**
 * Removes `login` from `group`; `changed: false` when they were not in it.
 *
 * @example
 * ```ts
 * await removeFromGroup(tailscale, "group:prod", "alice@example.com");
 * ```
 */
export function removeFromGroup(
  tailscale: TailscaleClient,
  group: string,
  login: string,
): Promise<MembershipResult> {
  return change(tailscale, (text) => removeMember(text, group, login));
}
