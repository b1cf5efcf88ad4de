/**
 * The shared modal helpers: opening, updating and ending on close, with
 * Slack's answers read the same way by every function.
 */
import { completeOnClose, notOpened, updateView } from "../lib/slack/mod.ts";
import type { SlackClient } from "../lib/context.ts";
import { assertEquals } from "./assert.ts";

Deno.test("a click delivered again is no failure to open", () => {
  assertEquals(
    notOpened({ error: "exchanged_trigger_id", redelivered: true }, "x"),
    { completed: false },
  );
  assertEquals(
    notOpened({ error: "ratelimited", redelivered: false }, `"My access"`),
    { error: `Could not open "My access": ratelimited` },
  );
});

/** A client that records the calls the helpers make. */
function recorder(answer: Record<string, unknown>) {
  const calls: [string, unknown][] = [];
  const record = (method: string) => (args: unknown) => {
    calls.push([method, args]);
    return Promise.resolve(answer);
  };
  const client = {
    views: { update: record("views.update") },
    functions: {
      completeSuccess: record("functions.completeSuccess"),
      completeError: record("functions.completeError"),
    },
  } as unknown as SlackClient;
  return { client, calls };
}

Deno.test("an update that lost the hash race is not logged; others are", async () => {
  const logged: unknown[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    const view = {
      type: "modal" as const,
      title: { type: "plain_text" as const, text: "t" },
      close: { type: "plain_text" as const, text: "Close" },
      blocks: [],
    };
    const lost = recorder({ ok: false, error: "hash_conflict" });
    assertEquals(await updateView(lost.client, "V1", view, "h1"), false);
    assertEquals(lost.calls, [["views.update", {
      view_id: "V1",
      hash: "h1",
      view,
    }]]);
    const failed = recorder({ ok: false, error: "not_found" });
    await updateView(failed.client, "V1", view);
    assertEquals(failed.calls, [["views.update", { view_id: "V1", view }]]);
  } finally {
    console.error = error;
  }
  assertEquals(logged, ["views.update failed: not_found"]);
});

Deno.test("closing a modal ends its execution as the function says", async () => {
  const body = { user: { id: "UANN" }, function_data: { execution_id: "Fx1" } };
  const ok = recorder({ ok: true });
  await completeOnClose(ok.client, body, "t", (user) => ({
    outputs: { actor: user },
  }));
  assertEquals(ok.calls, [["functions.completeSuccess", {
    function_execution_id: "Fx1",
    outputs: { actor: "UANN" },
  }]]);
  const closed = recorder({ ok: true });
  await completeOnClose(closed.client, body, "t", { error: "closed" });
  assertEquals(closed.calls, [["functions.completeError", {
    function_execution_id: "Fx1",
    error: "closed",
  }]]);
  const unreadable = recorder({ ok: true });
  const error = console.error;
  console.error = () => {};
  try {
    await completeOnClose(unreadable.client, {}, "t", { outputs: {} });
  } finally {
    console.error = error;
  }
  assertEquals(unreadable.calls, []);
});
