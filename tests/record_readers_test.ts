/**
 * How the grant and review code reads a record through the typed record's
 * helpers: one list of scheduled events, schedule entries read and written
 * in one place, and odd rows (a group row without its login, a grant
 * without a readable end) read as before the typed record.
 */
import { parseConfig } from "../lib/config_schema.ts";
import {
  attributeStatus,
  cancelEvents,
  extensionRefusal,
  LIFECYCLE_EVENTS,
} from "../lib/grants/mod.ts";
import {
  groupTarget,
  IncompleteRecordError,
  type RequestRecord,
  requireGroup,
  SCHEDULED_EVENTS,
} from "../lib/requests/mod.ts";
import { SlackAPI } from "deno-slack-sdk/mod.ts";
import { SLACK_CLIENT_TEST_OPTIONS, SlackFake } from "../dev/emulator/slack.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { deviceGrant, HOUR } from "./fixtures/records.ts";

const now = new Date("2025-01-01T12:00:00Z");
const at = (hours: number) => new Date(now.getTime() + hours * HOUR * 1000);

/** A device grant to alice, given an hour ago for two hours. */
const grant = (changes: Partial<RequestRecord> = {}) =>
  deviceGrant(now, changes);

/** The trigger IDs `cancelEvents` asks the Slack emulator to delete. */
async function deletedBy(
  entries: string[],
  events?: ("expiry" | "nudge")[],
): Promise<{ kept: string[]; deleted: unknown[] }> {
  const fake = await SlackFake.start();
  try {
    const client = SlackAPI(fake.botToken, { slackApiUrl: fake.apiUrl });
    const kept = await cancelEvents(client, entries, events);
    const deleted = fake.calls
      .filter((c) => c.method === "workflows.triggers.delete")
      .map((c) => c.args.trigger_id);
    return { kept, deleted };
  } finally {
    await fake.close();
  }
}

Deno.test("the lifecycle's events are the record's scheduled events", () => {
  assert(LIFECYCLE_EVENTS === SCHEDULED_EVENTS, "one list, not two");
});

Deno.test("a group row without its login reads with an empty one", () => {
  const row = grant({ attribute: "group:oncall", device_id: "" });
  assertEquals(groupTarget(row), {
    kind: "group",
    group: "group:oncall",
    login: "",
  });
  assert(
    assertThrows(() => requireGroup(row)) instanceof IncompleteRecordError,
  );
  assertEquals(
    requireGroup({ ...row, login: "ann@corp" }).login,
    "ann@corp",
  );
  const device = assertThrows(() => groupTarget(grant()));
  assert(device instanceof IncompleteRecordError);
  assertEquals((device as IncompleteRecordError).field, "attribute");
});

Deno.test(
  "cancelling deletes the named events' triggers and keeps the rest",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    const entries = ["expiry:Ft1", "nudge:Ft2", "bogus:Ft3", "timeout:"];
    assertEquals(await deletedBy(entries, ["expiry"]), {
      kept: ["nudge:Ft2", "bogus:Ft3", "timeout:"],
      deleted: ["Ft1"],
    });
    // All of them: entries that name no trigger go, with nothing to delete.
    assertEquals(await deletedBy(entries), {
      kept: [],
      deleted: ["Ft1", "Ft2"],
    });
  },
);

Deno.test("a grant without a readable end: nothing to differ from, not taken as over", () => {
  const noEnd = grant({ expires_at: undefined });
  const read = {
    attributes: { "custom:prodAccess": true },
    expiries: { "custom:prodAccess": at(1).toISOString() },
  };
  // Tailscale's expiry has nothing to differ from.
  assertEquals(attributeStatus(read, noEnd), { kind: "as_granted" });
  assertEquals(
    attributeStatus(read, grant({ expires_at: at(3).toISOString() })),
    { kind: "changed", until: at(1) },
  );
  const profile = parseConfig({
    profiles: [{
      description: "Production",
      attribute: "custom:prodAccess",
      maxSeconds: 4 * HOUR,
      maxExtendedSeconds: 8 * HOUR,
    }],
  }).profiles[0];
  const extension = grant({ id: "req-2", state: "approved", extends: "req-1" });
  // Only an end that has passed makes it nothing to extend.
  assertEquals(extensionRefusal(extension, noEnd, profile, at(2), now), null);
  assert(
    extensionRefusal(
      extension,
      grant({ expires_at: at(-0.5).toISOString() }),
      profile,
      at(2),
      now,
    )?.startsWith("The access it would extend has already ended") ?? false,
  );
});
