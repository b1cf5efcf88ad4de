/**
 * What people read about a request, word for word, without Slack or
 * Tailscale: why nothing was granted, why a click changed nothing, how a
 * request was already decided, how it ended, and what a decision modal
 * accepts.
 */
import type { RequestRecord } from "../lib/requests/mod.ts";
import {
  alreadyDecidedText,
  decisionNotRecordedText,
  decisionNotSentText,
  deviceGoneText,
  deviceUnreadableText,
  grantFailedText,
  mayStillDecide,
  NO_RECORD_TEXT,
  noButtonsText,
  noLoginText,
  noLongerDecideText,
  noSelfApprovalText,
  notConnectedText,
  notRecordedText,
  onlyApproverText,
  policyUnreadableText,
  profileGoneText,
  REASON_REQUIRED_TEXT,
  recordUnreadableText,
  submittedDecision,
  tailscaleMissingText,
  tooSlowText,
  undeliveredNoticesText,
  undeliveredText,
} from "../lib/review/mod.ts";
import {
  type Block,
  decidedApprovalMessage,
  DENY_MODAL_CALLBACK_ID,
  grantInProgressText,
  MAX_NOTE_LENGTH,
  NOTE_MODAL_CALLBACK_ID,
  type Outcome,
  requesterOutcomeMessage,
  type RequestSummary,
  slackDate,
} from "../lib/blocks/mod.ts";
import { extensionRefusal } from "../lib/grants/mod.ts";
import { parseConfig } from "../lib/config_schema.ts";
import { assertEquals } from "./assert.ts";
import { pendingGroupRequest } from "./fixtures/records.ts";

const created = new Date("2030-01-01T10:00:00Z");
const decidedAt = "2030-01-01T10:05:00.000Z";
const until = "2030-01-01T12:00:00.000Z";

/** A pending request from U1, to be decided by U2. */
const pending = pendingGroupRequest(created);

const [profile] = parseConfig({
  profiles: [{
    description: "Production",
    group: "group:prod",
    maxSeconds: 7200,
    maxExtendedSeconds: 4 * 3600,
  }],
}).profiles;

Deno.test("why a request cannot go ahead, word for word", () => {
  const cases: [string, string][] = [
    [
      profileGoneText("custom:prod"),
      "The access profile `custom:prod` is no longer offered, so this request cannot go ahead. Nothing was granted.",
    ],
    [
      notConnectedText(["TAILSCALE_TAILNET", "TAILSCALE_API_KEY"]),
      "The app is not connected to Tailscale (TAILSCALE_TAILNET and TAILSCALE_API_KEY not set), so nothing was granted. Ask a tailnet admin to set them with `slack env add`.",
    ],
    [
      tailscaleMissingText(["TAILSCALE_TAILNET"], "nothing was revoked"),
      "The app is not connected to Tailscale (TAILSCALE_TAILNET not set), so nothing was revoked.",
    ],
    [
      deviceGoneText("Production", "n123"),
      "The device chosen for Production (`n123`) no longer exists in the tailnet, so nothing was granted.",
    ],
    [
      deviceUnreadableText("Tailscale is down."),
      "Could not read the chosen device from Tailscale: Tailscale is down. Nothing was granted.",
    ],
    [
      noLoginText("group:prod"),
      "This request names no Tailscale login to add to `group:prod`, so nothing was granted. Request access again.",
    ],
    [
      policyUnreadableText("Forbidden."),
      "Could not read the tailnet policy file: Forbidden. Nothing was granted.",
    ],
    [grantFailedText("Forbidden."), "The grant failed: Forbidden."],
    [
      notRecordedText("datastore down"),
      "Your request could not be recorded (datastore down), so it was not sent. Nothing was granted; please try again.",
    ],
    [
      noSelfApprovalText("Production"),
      "Production does not allow self-approval, so your request was not sent. Nothing was granted.",
    ],
    [
      noButtonsText("missing_scope"),
      "Your request could not be sent: the app could not make the approval buttons (Slack said `missing_scope`). Nothing was granted; try again.",
    ],
    [
      undeliveredText("U2", "user_not_found"),
      "Your request could not be delivered to <@U2> (Slack said `user_not_found`). Nothing was granted; try again or choose another approver.",
    ],
    [
      undeliveredNoticesText(["requester DM: x", "notify channel C1: y"]),
      "Some notifications about this request could not be delivered: requester DM: x; notify channel C1: y.",
    ],
    [
      tooSlowText(6, "timed out"),
      "Tailscale did not answer in time, 6 times: timed out",
    ],
  ];
  for (const [actual, expected] of cases) assertEquals(actual, expected);
});

Deno.test("why a click changed nothing, word for word", () => {
  const cases: [string, string][] = [
    [
      recordUnreadableText("datastore down"),
      "This request could not be read (datastore down). Nothing was changed; try again.",
    ],
    [NO_RECORD_TEXT, "This request has no record, so it cannot be decided."],
    [
      onlyApproverText("U2"),
      "Only <@U2> can approve or deny this request. Nothing was changed.",
    ],
    [
      noLongerDecideText("You are not an approver."),
      "You can no longer decide this request: You are not an approver. Nothing was changed.",
    ],
    [
      decisionNotRecordedText("request req-1 disappeared"),
      "Your decision could not be recorded (request req-1 disappeared). Nothing was changed; try again.",
    ],
    [
      decisionNotSentText("internal_error"),
      "Your decision could not be sent (internal_error). Try again.",
    ],
  ];
  for (const [actual, expected] of cases) assertEquals(actual, expected);
});

Deno.test("how a request was already decided", () => {
  const when = ` (${slackDate(new Date(decidedAt))})`;
  const decided = { ...pending, decided_by: "U2", decided_at: decidedAt };
  const cases: [RequestRecord, string][] = [
    [
      { ...decided, state: "denied" },
      `This request was already denied by <@U2>${when}.`,
    ],
    [{ ...pending, state: "denied" }, "This request was already denied."],
    [
      { ...decided, state: "granted", expires_at: until },
      `This request was already approved by <@U2>${when}; access is active until ${
        slackDate(new Date(until))
      }.`,
    ],
    [
      { ...decided, state: "approved" },
      `This request was already approved by <@U2>${when}; access is being granted.`,
    ],
    [
      { ...decided, state: "failed", error: "Forbidden." },
      `This request already ended by <@U2>${when}: Forbidden.`,
    ],
    [
      { ...pending, state: "expired", granted_at: decidedAt },
      "This access has already ended.",
    ],
    [
      { ...pending, state: "expired" },
      "This request expired: nobody decided in time.",
    ],
    [
      { ...pending, state: "cancelled" },
      "The requester cancelled this request.",
    ],
    [
      { ...pending, state: "revoked", ended_by: "U3" },
      "This access was revoked by <@U3>.",
    ],
    [{ ...pending, state: "revoked" }, "This access was revoked."],
    [pending, "This request is pending."],
  ];
  for (const [record, expected] of cases) {
    assertEquals(alreadyDecidedText(record), expected, record.state);
  }
});

/** A group request's summary, as messages show it. */
const summary: RequestSummary = {
  requesterId: "U1",
  approverId: "U2",
  profile,
  target: { kind: "group", group: "group:prod", login: "alice@example.com" },
  durationSeconds: 7200,
  reason: "INC-1",
};

/** The mrkdwn of a message's block `blockId` (a section or context). */
function blockText(blocks: Block[], blockId: string): string {
  const block = blocks.find((b) => b.block_id === blockId);
  if (block?.type === "section") return block.text?.text ?? "";
  if (block?.type === "context") return block.elements[0]?.text ?? "";
  throw new Error(`no block ${blockId}`);
}

Deno.test("how a request ended, for the requester, approver and channel", () => {
  const end = slackDate(new Date(until));
  const what = "*Production* in `group:prod` as `alice@example.com`";
  const cases: [Outcome, string, string, string][] = [
    [
      { kind: "granted", expiresAt: new Date(until), selfApproved: false },
      `:white_check_mark: Your access to ${what} is active until ${end} (approved by <@U2>).`,
      `:white_check_mark: Approved by <@U2>. Access is active until ${end}.`,
      `<@U1> was granted Production in group:prod (alice@example.com) until ${end}`,
    ],
    [
      { kind: "denied", reason: "Use staging" },
      `:x: <@U2> denied your request for ${what}. Reason: “Use staging”`,
      ":x: Denied by <@U2>. Reason: “Use staging” Nothing was changed in Tailscale.",
      "<@U1>'s request for Production in group:prod (alice@example.com) was denied",
    ],
    [
      { kind: "failed", error: "Forbidden." },
      `:warning: <@U2> approved your request for ${what}, but the grant *failed*: Forbidden. You do not have access. Try again later or ask a tailnet admin.`,
      ":warning: Approved by <@U2>, but the grant *failed*: Forbidden. Access was not granted.",
      "<@U1>'s request for Production in group:prod (alice@example.com) was approved but the grant failed",
    ],
    [
      { kind: "expired" },
      `:hourglass: Your request for ${what} expired: <@U2> did not decide in time. Nothing was granted; you can ask again.`,
      ":hourglass: Nobody decided in time, so the request expired. Nothing was changed in Tailscale.",
      "<@U1>'s request for Production in group:prod (alice@example.com) expired undecided",
    ],
    [
      { kind: "cancelled" },
      `:leftwards_arrow_with_hook: You cancelled your request for ${what}.`,
      ":leftwards_arrow_with_hook: Cancelled by <@U1>. Nothing was changed in Tailscale.",
      "<@U1> cancelled their request for Production in group:prod (alice@example.com)",
    ],
    [
      { kind: "in_progress" },
      `:hourglass_flowing_sand: <@U2> approved your request for ${what}. Tailscale is slow to answer, so the grant is being finished; you will hear here when it is done.`,
      ":hourglass_flowing_sand: Approved by <@U2>. Tailscale is slow to answer, so the grant is being finished; everyone is told when it is done.",
      "<@U1>'s request for Production in group:prod (alice@example.com) was approved; the grant is in progress",
    ],
  ];
  for (const [outcome, requester, decided, plain] of cases) {
    const toRequester = requesterOutcomeMessage(summary, outcome);
    assertEquals(blockText(toRequester.blocks, "outcome"), requester);
    assertEquals(toRequester.text, plain);
    const toChannel = decidedApprovalMessage(summary, outcome);
    assertEquals(blockText(toChannel.blocks, "outcome"), decided);
    assertEquals(toChannel.text, plain);
  }
});

Deno.test("a grant's note, self-approval and a membership found", () => {
  const end = slackDate(new Date(until));
  const outcome: Outcome = {
    kind: "granted",
    expiresAt: new Date(until),
    selfApproved: true,
    note: "Until Friday",
    alreadyMember: true,
  };
  const member =
    " `alice@example.com` was already a member of `group:prod` before this grant, so the app added nothing and will not remove them when it ends.";
  assertEquals(
    blockText(requesterOutcomeMessage(summary, outcome).blocks, "outcome"),
    `:white_check_mark: Your access to *Production* in \`group:prod\` as \`alice@example.com\` is active until ${end} (self-approved). Note: “Until Friday”${member}`,
  );
  assertEquals(
    blockText(decidedApprovalMessage(summary, outcome).blocks, "outcome"),
    `:white_check_mark: Self-approved by <@U2>. Access is active until ${end}. Note: “Until Friday”${member}`,
  );
});

Deno.test("an extension's outcome says it extends", () => {
  const extension = { ...summary, extendsUntil: new Date(until) };
  const text = (o: Outcome) =>
    blockText(requesterOutcomeMessage(extension, o).blocks, "outcome");
  assertEquals(
    text({ kind: "granted", expiresAt: new Date(until), selfApproved: false })
      .startsWith(":white_check_mark: Your extended access to *Production*"),
    true,
  );
  assertEquals(
    text({ kind: "denied" }),
    ":x: <@U2> denied your extension request for *Production* in `group:prod` as `alice@example.com`.",
  );
});

Deno.test("the decider of a grant handed on hears it is in progress", () => {
  assertEquals(
    grantInProgressText(summary, "U2"),
    ":hourglass_flowing_sand: <@U2>, your approval of <@U1>'s request for *Production* is recorded. Tailscale is slow to answer, so the grant is being finished in the background (within a few minutes); you and <@U1> will be told when it is done, or if it fails.",
  );
});

Deno.test("only the approver of a pending request gets a decision modal", () => {
  assertEquals(mayStillDecide(pending, "U2"), true);
  assertEquals(mayStillDecide(pending, "U1"), false);
  assertEquals(mayStillDecide({ ...pending, state: "approved" }, "U2"), false);
});

Deno.test("a denial needs a reason; a note is optional and cut short", () => {
  assertEquals(submittedDecision(DENY_MODAL_CALLBACK_ID, ""), {
    ok: false,
    error: REASON_REQUIRED_TEXT,
  });
  assertEquals(REASON_REQUIRED_TEXT, "Say why, so the requester knows.");
  assertEquals(submittedDecision(DENY_MODAL_CALLBACK_ID, "Use staging"), {
    ok: true,
    decision: "deny",
    note: "Use staging",
  });
  assertEquals(submittedDecision(NOTE_MODAL_CALLBACK_ID, ""), {
    ok: true,
    decision: "approve",
    note: "",
  });
  const long = submittedDecision(NOTE_MODAL_CALLBACK_ID, "x".repeat(400));
  assertEquals(long.ok && long.note.length, MAX_NOTE_LENGTH);
});

Deno.test("an extension needs a live grant, within the profile's limit", () => {
  const now = new Date("2030-01-01T11:00:00Z");
  const original: RequestRecord = {
    ...pending,
    state: "granted",
    granted_at: created.toISOString(),
    expires_at: until,
  };
  const extension = { ...pending, id: "req-2", extends: "req-1" };
  // Granted at 10:00 with a 4 h limit in all: it may run until 14:00.
  const within = new Date("2030-01-01T14:00:00Z");
  assertEquals(
    extensionRefusal(extension, original, profile, within, now),
    null,
  );
  assertEquals(
    extensionRefusal(
      extension,
      original,
      profile,
      new Date("2030-01-01T15:00:00Z"),
      now,
    ),
    "Extending by 2 hours would run the access past Production's limit of 4 hours in all (it may run until 1 Jan 2030, 14:00 UTC).",
  );
  const ended =
    "The access it would extend has already ended, so there is nothing to extend. Request access anew.";
  assertEquals(
    extensionRefusal(
      extension,
      { ...original, state: "expired" },
      profile,
      within,
      now,
    ),
    ended,
  );
  assertEquals(
    extensionRefusal(extension, original, profile, within, new Date(until)),
    ended,
  );
});
