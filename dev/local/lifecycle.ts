/**
 * The lifecycle story of `deno task local --lifecycle`: an attribute grant
 * is extended through "My Tailscale access", the requester is reminded
 * before the end and told at it (the emulators' clock moved forward, so the
 * app's scheduled triggers fire), and a second grant is revoked. Every
 * message is shown as it arrives.
 *
 * @module
 */
import { formatDuration } from "../../lib/durations.ts";
import { REMINDER_BEFORE_MS } from "../../lib/grants/mod.ts";
import type { RequestRecord } from "../../lib/requests/mod.ts";
import { renderView } from "../render.ts";
import {
  decide,
  fillInTheForm,
  openMyAccess,
  openTheForm,
  pickApprover,
} from "./scenes.ts";
import { judgeLifecycle, type Lived } from "./lifecycle_outcome.ts";
import {
  attribute,
  inputBlock,
  type Json,
  moveClock,
  newestRecord,
  recordById,
  showNewMessages,
  type Stage,
  Stopped,
  type Transcript,
} from "./stage.ts";

const MINUTE = 60_000;

/** Plays the lifecycle story on `s`. */
export async function playLifecycle(s: Stage): Promise<Transcript> {
  const first = await grant(s, "the first grant");
  const talkers = [s.requester.id, first.approverId].concat(
    s.profile.notifyChannel ?? [],
  );
  const extendedBy = await extend(s, first.record);
  showNewMessages(s, talkers, "After the extension");
  const extended = recordById(s, first.record.id);
  const attrAfterExtension = attribute(s, first.device);

  const end = Date.parse(extended.expires_at!);
  await moveClock(s, end - REMINDER_BEFORE_MS + MINUTE, "the reminder");
  const reminders = showNewMessages(s, [s.requester.id], "The reminder");
  await moveClock(s, end + MINUTE, "the end");
  const endMessages = showNewMessages(s, talkers, "At the end");
  const expired = recordById(s, first.record.id);
  const attrAfterExpiry = attribute(s, first.device);

  const second = await grant(s, "a second grant");
  await revoke(s);
  const revokeMessages = showNewMessages(s, talkers, "After the revoke");
  const lived: Lived = {
    first: first.record,
    extendedBy,
    extended,
    attrAfterExtension,
    reminders,
    endMessages,
    expired,
    attrAfterExpiry,
    revoked: recordById(s, second.record.id),
    attrAfterRevoke: attribute(s, second.device),
    revokeMessages,
  };
  return judgeLifecycle(s, lived);
}

/** A request for the profile, approved; the grant must go through. */
async function grant(s: Stage, what: string) {
  s.sections.push({ title: s.style.bold(`— ${what} —`), lines: [] });
  const { form } = await openTheForm(s);
  const request = await fillInTheForm(s, form);
  await decide(s, request.approverId);
  const record = newestRecord(s);
  if (record.state !== "granted" || !record.expires_at) {
    throw new Stopped(
      `${what} did not go through (${record.state}${
        record.error ? `: ${record.error}` : ""
      })`,
    );
  }
  showNewMessages(
    s,
    [s.requester.id, request.approverId].concat(
      s.profile.notifyChannel ?? [],
    ),
    `After ${what}`,
  );
  return { ...request, record, device: request.device.value as string };
}

/**
 * The requester extends the grant from "My Tailscale access" by the first
 * hour (or the first length offered), and the approver approves; returns the seconds asked.
 */
async function extend(s: Stage, record: RequestRecord): Promise<number> {
  const { platform } = s.app;
  const me = s.requester.id;
  const list = await openMyAccess(
    s,
    `${s.who(me)} opens “My Tailscale access”`,
  );
  if (!JSON.stringify(list.blocks).includes('"Extend…"')) {
    throw new Stopped(
      `${s.profile.description} offers no extension (its maxExtendedSeconds leaves no room after ${
        formatDuration(record.duration_seconds)
      })`,
    );
  }
  await platform.press(me, "Extend…");
  const form = platform.openView(me).view;
  const lengths: Json[] =
    inputBlock(form, "For how much longer?")?.element.options ?? [];
  // An hour when offered: long enough to see the reminder apart from it.
  const length = lengths.find((o) => o.value === "3600") ?? lengths[0];
  if (!length) throw new Stopped("the extension form offered no length");
  await platform.choose(me, "For how much longer?", length.text.text);
  const approverId = await pickApprover(s, form);
  const reason = "The incident is still open";
  platform.type(me, "Why do you need it?", reason);
  s.sections.push({
    title: `${
      s.who(me)
    } presses “Extend…”, asks for ${length.text.text} (“${reason}”) and sends it`,
    lines: renderView(form, s.nameOf, s.style),
  });
  const answer = await platform.submit(me);
  if (answer?.response_action === "errors") {
    throw new Stopped(
      `the extension was refused: ${JSON.stringify(answer.errors)}`,
    );
  }
  await decide(s, approverId);
  return Number(length.value);
}

/** The requester revokes the newest grant from "My Tailscale access". */
async function revoke(s: Stage): Promise<void> {
  const { platform } = s.app;
  const me = s.requester.id;
  await openMyAccess(
    s,
    `${s.who(me)} opens “My Tailscale access” and presses “Revoke”`,
  );
  await platform.press(me, "Revoke");
  s.sections.push({
    title: "“My Tailscale access” afterwards",
    lines: renderView(platform.openView(me).view, s.nameOf, s.style),
  });
  await platform.closeView(me);
}
