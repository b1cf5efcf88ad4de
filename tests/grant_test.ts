/**
 * The comment written with a grant in Tailscale (lib/grants/comment.ts): who
 * asked, who approved and why, within Tailscale's 200 characters.
 */
import { grantComment } from "../lib/grants/comment.ts";
import { assert, assertEquals } from "./assert.ts";

const alice = { id: "U1", name: "Alice", email: "alice@example.com" };
const bob = { id: "U2", name: "Bob", email: "bob@example.com" };

Deno.test("the comment names requester, approver and reason", () => {
  assertEquals(
    grantComment({
      requester: alice,
      requesterId: "U1",
      approver: bob,
      approverId: "U2",
      reason: "INC-1\n fix",
    }),
    "Requested in Slack by alice@example.com, approved by bob@example.com. Reason: INC-1 fix",
  );
});

Deno.test("self-approval says so", () => {
  const c = grantComment({
    requester: alice,
    requesterId: "U1",
    approver: alice,
    approverId: "U1",
    reason: "r",
  });
  assertEquals(
    c,
    "Requested in Slack by alice@example.com, self-approved. Reason: r",
  );
});

Deno.test("the comment never exceeds Tailscale's 200 characters", () => {
  const c = grantComment({
    requester: alice,
    requesterId: "U1",
    approver: bob,
    approverId: "U2",
    reason: "x".repeat(500),
  });
  assertEquals(c.length, 200);
  assert(c.endsWith("…"));
});

Deno.test("unknown people fall back to their Slack IDs", () => {
  const c = grantComment({
    requester: null,
    requesterId: "U1",
    approver: null,
    approverId: "U2",
    reason: "r",
  });
  assertEquals(c, "Requested in Slack by U1, approved by U2. Reason: r");
});
