/**
 * Tests of the fake Slack itself, driven through the real deno-slack-sdk
 * client so the wire format (form encoding, JSON-encoded values, Bearer
 * token) is the one production uses.
 */
import { SlackAPI } from "deno-slack-sdk/mod.ts";
import {
  compileExpression,
  SLACK_CLIENT_TEST_OPTIONS,
  SlackFake,
  type SlackFakeOptions,
} from "../dev/emulator/slack.ts";
import {
  validateMessageBlocks,
  validateView,
  type Violation,
} from "../dev/emulator/block_kit_rules.ts";
import { PEOPLE, slackPeople } from "../dev/emulator/slack_people.ts";
import type { SlackClient } from "../lib/context.ts";
import { assert, assertEquals } from "./assert.ts";
import { sdkTest, withFake } from "./slack_fake_helpers.ts";

type Client = SlackClient;
// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

// --- asserts for Slack's answers ---------------------------------------------

/** The response failed with `error`; returns it for further checks. */
function assertError(res: Json, error: string): Json {
  assertEquals(
    { ok: res.ok, error: res.error },
    { ok: false, error },
    `expected error ${error}, got ${JSON.stringify(res)}`,
  );
  return res;
}

function assertOk(res: Json): Json {
  assert(res.ok === true, `expected ok, got ${JSON.stringify(res)}`);
  return res;
}

/** A violation reported at exactly `path` (whose message contains `about`). */
function assertViolationAt(
  violations: Violation[],
  path: string,
  about = "",
): void {
  assert(
    violations.some((v) => v.path === path && v.message.includes(about)),
    `no violation at ${path} about "${about}"; got ${
      JSON.stringify(violations)
    }`,
  );
}

function assertPointerMessage(res: Json, path: string): void {
  const messages: string[] = res.response_metadata?.messages ?? [];
  assert(
    messages.some((m) =>
      m.startsWith("[ERROR] ") && m.endsWith(`[json-pointer:${path}]`)
    ),
    `no message for ${path}; got ${JSON.stringify(messages)}`,
  );
}

// --- fixtures ---------------------------------------------------------------

/** A test that talks to the fake through the SDK client. */

const plain = (text: string) => ({ type: "plain_text", text });
const option = (text: string, value = text) => ({ text: plain(text), value });

function modal(blocks: Json[], extra: Json = {}): Json {
  return {
    type: "modal",
    callback_id: "test_form",
    title: plain("Request access"),
    submit: plain("Send"),
    close: plain("Cancel"),
    blocks,
    ...extra,
  };
}

function selectInput(element: Json, blockId = "pick"): Json {
  return {
    type: "input",
    block_id: blockId,
    label: plain("Pick one"),
    element: { action_id: blockId, ...element },
  };
}

async function openView(fake: SlackFake, client: Client, view: Json) {
  return await client.views.open({
    interactivity_pointer: fake.newInteractivityPointer(PEOPLE.alice),
    view,
  });
}

// --- auth and routing ---------------------------------------------------------

sdkTest("auth.test answers for the bot token only", async () => {
  await withFake(async (fake, client) => {
    const res = assertOk(await client.auth.test({}));
    assertEquals(res.user_id, "U0FAKEBOT1");

    const wrong = SlackAPI("xoxb-wrong", { slackApiUrl: fake.apiUrl });
    assertError(await wrong.auth.test({}), "invalid_auth");
    const none = SlackAPI("", { slackApiUrl: fake.apiUrl });
    assertError(
      await none.chat.postMessage({ channel: "x", text: "hi" }),
      "not_authed",
    );
    // Nothing reached the method, and the token never lands in `calls`.
    assertEquals(fake.messages.length, 0);
    assert(fake.calls.every((c) => !("token" in c.args)));
  });
});

sdkTest("unknown methods answer unknown_method", async () => {
  await withFake(async (fake, client) => {
    assertError(
      await client.apiCall("chat.scheduleTeleport", {}),
      "unknown_method",
    );
    assertEquals(fake.callsTo("chat.scheduleTeleport").length, 1);
  });
});

sdkTest("application/json bodies are accepted", async () => {
  await withFake(async (fake) => {
    const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${fake.botToken}`,
        "content-type": "application/json; charset=utf-8",
      },
      body: JSON.stringify({
        channel: "C0NOTIFY01",
        blocks: [{ type: "divider" }],
        unfurl_links: false,
      }),
    });
    assertEquals(res.status, 200);
    assertOk(await res.json());
    assertEquals(fake.messages[0].blocks, [{ type: "divider" }]);
  });
});

sdkTest("failMethod fails the next N calls, then recovers", async () => {
  await withFake(async (fake, client) => {
    fake.failMethod("users.info", "ratelimited", 2);
    assertError(await client.users.info({ user: PEOPLE.bob }), "ratelimited");
    assertError(await client.users.info({ user: PEOPLE.bob }), "ratelimited");
    assertOk(await client.users.info({ user: PEOPLE.bob }));
  });
});

// --- views --------------------------------------------------------------------

sdkTest(
  "views.open returns the view with id, hash and empty state",
  async () => {
    await withFake(async (fake, client) => {
      const view = modal([selectInput({
        type: "static_select",
        options: [option("One hour", "3600"), option("Two hours", "7200")],
        initial_option: option("One hour", "3600"),
      })]);
      const res = assertOk(await openView(fake, client, view));
      assert(/^V/.test(res.view.id), res.view.id);
      assert(typeof res.view.hash === "string" && res.view.hash.length > 0);
      assertEquals(res.view.state, { values: {} });
      assertEquals(res.view.blocks, view.blocks);
      const stored = fake.views.get(res.view.id);
      assertEquals(stored?.user, PEOPLE.alice);
      assertEquals(stored?.hash, res.view.hash);
      // The wire format: `view` arrived JSON-encoded and was decoded.
      assertEquals(fake.callsTo("views.open")[0].args.view, view);
    });
  },
);

sdkTest(
  "views.open rejects a 25-character title with Slack's pointer",
  async () => {
    await withFake(async (fake, client) => {
      const res = assertError(
        await openView(
          fake,
          client,
          modal([], { title: plain("x".repeat(25)) }),
        ),
        "invalid_arguments",
      );
      assertPointerMessage(res, "/view/title/text");
      assertEquals(fake.blockKitViolations, [{
        method: "views.open",
        path: "/view/title/text",
        message: "must be less than 25 characters",
      }]);
      assertEquals(fake.views.size, 0);
    });
  },
);

sdkTest("views.open rejects 101 select options", async () => {
  await withFake(async (fake, client) => {
    const options = Array.from({ length: 101 }, (_, i) => option(`n${i}`));
    const res = assertError(
      await openView(
        fake,
        client,
        modal([selectInput({ type: "static_select", options })]),
      ),
      "invalid_arguments",
    );
    assertPointerMessage(res, "/view/blocks/0/element/options");
  });
});

sdkTest("views.open rejects 11 radio buttons", async () => {
  await withFake(async (fake, client) => {
    const options = Array.from({ length: 11 }, (_, i) => option(`r${i}`));
    const res = assertError(
      await openView(
        fake,
        client,
        modal([selectInput({ type: "radio_buttons", options })]),
      ),
      "invalid_arguments",
    );
    assertPointerMessage(res, "/view/blocks/0/element/options");
  });
});

sdkTest("views.open rejects duplicate action_ids", async () => {
  await withFake(async (fake, client) => {
    const res = assertError(
      await openView(
        fake,
        client,
        modal([{
          type: "actions",
          elements: [
            { type: "button", text: plain("Yes"), action_id: "go" },
            { type: "button", text: plain("No"), action_id: "go" },
          ],
        }]),
      ),
      "invalid_arguments",
    );
    assertPointerMessage(res, "/view/blocks/0/elements/1/action_id");
  });
});

sdkTest(
  "views.open rejects an initial_option that is not offered",
  async () => {
    await withFake(async (fake, client) => {
      const res = assertError(
        await openView(
          fake,
          client,
          modal([selectInput({
            type: "static_select",
            options: [option("One hour", "3600")],
            // Same value, different text: Slack wants an exact match.
            initial_option: option("1 hour", "3600"),
          })]),
        ),
        "invalid_arguments",
      );
      assertPointerMessage(res, "/view/blocks/0/element/initial_option");
    });
  },
);

sdkTest("interactivity pointers work once and only for 3 seconds", async () => {
  let now = 1_700_000_000_000;
  await withFake(async (fake, client) => {
    const pointer = fake.newInteractivityPointer(PEOPLE.bob);
    const view = modal([]);
    assertOk(await client.views.open({ interactivity_pointer: pointer, view }));
    assertError(
      await client.views.open({ interactivity_pointer: pointer, view }),
      "exchanged_trigger_id",
    );
    assertError(
      await client.views.open({ trigger_id: "12345.98765.abcd", view }),
      "invalid_trigger_id",
    );
    const late = fake.newInteractivityPointer(PEOPLE.bob);
    now += 3001;
    assertError(
      await client.views.open({ interactivity_pointer: late, view }),
      "expired_trigger_id",
    );
  }, { clock: () => now });
});

sdkTest(
  "views.update honours hashes and finds views by id or external_id",
  async () => {
    await withFake(async (fake, client) => {
      const opened = assertOk(
        await openView(fake, client, modal([], { external_id: "req-1" })),
      );
      const { id, hash } = opened.view;
      const next = modal([{ type: "section", text: plain("Loading…") }], {
        external_id: "req-1",
      });

      const updated = assertOk(
        await client.views.update({ view_id: id, hash, view: next }),
      );
      assertEquals(updated.view.id, id);
      assert(updated.view.hash !== hash, "update must issue a new hash");
      assertEquals(fake.views.get(id)?.view.blocks, next.blocks);

      // The old hash is now stale.
      assertError(
        await client.views.update({ view_id: id, hash, view: next }),
        "hash_conflict",
      );
      // Without a hash the update always applies; external_id also finds it.
      assertOk(await client.views.update({ external_id: "req-1", view: next }));
      assertError(
        await client.views.update({ view_id: "V0NOPE", view: next }),
        "not_found",
      );
    });
  },
);

sdkTest("views.push stacks on the user's open view", async () => {
  await withFake(async (fake, client) => {
    const root = assertOk(await openView(fake, client, modal([]))).view;
    const pushed = assertOk(
      await client.views.push({
        interactivity_pointer: fake.newInteractivityPointer(PEOPLE.alice),
        view: modal([], { title: plain("Details") }),
      }),
    ).view;
    assertEquals(pushed.root_view_id, root.id);
    assertEquals(pushed.previous_view_id, root.id);
  });
});

// --- chat -------------------------------------------------------------------

sdkTest("chat.postMessage to a user ID lands in their DM", async () => {
  await withFake(async (fake, client) => {
    const res = assertOk(
      await client.chat.postMessage({ channel: PEOPLE.bob, text: "Approve?" }),
    );
    assertEquals(res.channel, "D0BOB0001");
    assert(/^\d{10}\.\d{6}$/.test(res.ts), res.ts);
    assertEquals(res.message.text, "Approve?");
    assertEquals(fake.messagesIn(PEOPLE.bob).map((m) => m.text), ["Approve?"]);
    assertEquals(fake.messagesIn("D0BOB0001").length, 1);

    const second = assertOk(
      await client.chat.postMessage({ channel: "D0BOB0001", text: "Again" }),
    );
    assert(second.ts > res.ts, "ts must increase");
    assertError(
      await client.chat.postMessage({ channel: PEOPLE.gone, text: "hi" }),
      "user_not_found",
    );
  });
});

sdkTest("chat.postMessage channel rules", async () => {
  await withFake(async (fake, client) => {
    // Private and the bot is not in it: invisible.
    assertError(
      await client.chat.postMessage({ channel: "C0PRIVATE1", text: "x" }),
      "channel_not_found",
    );
    assertError(
      await client.chat.postMessage({ channel: "C0DOESNOT1", text: "x" }),
      "channel_not_found",
    );
    // chat:write.public lets the bot post in public channels it is not in.
    assertOk(
      await client.chat.postMessage({ channel: "C0PUBLIC01", text: "x" }),
    );
    assertError(
      // The typed client refuses this, so go through apiCall.
      await client.apiCall("chat.postMessage", { channel: "C0NOTIFY01" }),
      "no_text",
    );
    const threaded = assertOk(
      await client.chat.postMessage({
        channel: "C0NOTIFY01",
        text: "reply",
        thread_ts: "1700000000.000100",
      }),
    );
    assertEquals(threaded.message.thread_ts, "1700000000.000100");
    assertEquals(
      fake.messagesIn("C0NOTIFY01")[0].thread_ts,
      "1700000000.000100",
    );
  }, {
    channels: [
      {
        id: "C0NOTIFY01",
        name: "access-log",
        is_private: false,
        is_member: true,
      },
      { id: "C0PRIVATE1", name: "secret", is_private: true, is_member: false },
      { id: "C0PUBLIC01", name: "random", is_private: false, is_member: false },
    ],
  });
});

sdkTest("chat.postMessage validates message blocks", async () => {
  await withFake(async (fake, client) => {
    const blocks = [
      { type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } },
      ...Array.from({ length: 50 }, () => ({ type: "divider" })),
    ];
    const res = assertError(
      await client.chat.postMessage({
        channel: "C0NOTIFY01",
        text: "t",
        blocks,
      }),
      "invalid_blocks",
    );
    assertPointerMessage(res, "/blocks");
    assertPointerMessage(res, "/blocks/0/text/text");
    assertEquals(fake.messages.length, 0);
    assertEquals(
      fake.blockKitViolations.map((v) => v.method),
      ["chat.postMessage", "chat.postMessage"],
    );
  });
});

sdkTest("chat.update edits the message in place", async () => {
  await withFake(async (fake, client) => {
    const blocks = [{ type: "section", text: plain("Pending") }];
    const posted = assertOk(
      await client.chat.postMessage({
        channel: "C0NOTIFY01",
        text: "Pending",
        blocks,
      }),
    );
    const newBlocks = [{ type: "section", text: plain("Approved") }];
    const res = assertOk(
      await client.chat.update({
        channel: posted.channel,
        ts: posted.ts,
        text: "Approved",
        blocks: newBlocks,
      }),
    );
    assertEquals(res.ts, posted.ts);
    assertEquals(fake.messages.length, 1);
    assertEquals(fake.messages[0].text, "Approved");
    assertEquals(fake.messages[0].blocks, newBlocks);
    assertEquals(fake.messages[0].updates, 1);
    // The recorded response of the first call is history, not live state.
    assertEquals(fake.callsTo("chat.postMessage")[0].response.message, {
      ...posted.message,
    });
    assertError(
      await client.chat.update({
        channel: "C0NOTIFY01",
        ts: "1.000001",
        text: "x",
      }),
      "message_not_found",
    );
  });
});

sdkTest("chat.postEphemeral records the recipient", async () => {
  await withFake(async (fake, client) => {
    const res = assertOk(
      await client.chat.postEphemeral({
        channel: "C0NOTIFY01",
        user: PEOPLE.carol,
        text: "Only you can see this",
      }),
    );
    assertEquals(fake.messagesIn("C0NOTIFY01"), [{
      channel: "C0NOTIFY01",
      ts: res.message_ts,
      text: "Only you can see this",
      ephemeral_user: PEOPLE.carol,
      updates: 0,
    }]);
    assertError(
      await client.chat.postEphemeral({
        channel: "C0NOTIFY01",
        user: "U0NOBODY1",
        text: "x",
      }),
      "user_not_found",
    );
  });
});

// --- users and conversations -------------------------------------------------

sdkTest("users.info and users.lookupByEmail", async () => {
  await withFake(async (_fake, client) => {
    const bob = assertOk(await client.users.info({ user: PEOPLE.bob })).user;
    assertEquals(
      [bob.real_name, bob.tz, bob.tz_offset, bob.profile.email, bob.deleted],
      ["Bob Baker", "America/New_York", -18000, "bob@example.com", false],
    );
    const found = assertOk(
      await client.users.lookupByEmail({ email: "Carol@Example.COM" }),
    );
    assertEquals(found.user.id, PEOPLE.carol);
    // Deactivated accounts are visible by ID but not findable by email.
    assertEquals(
      assertOk(await client.users.info({ user: PEOPLE.gone })).user.deleted,
      true,
    );
    assertError(
      await client.users.lookupByEmail({ email: "gone@example.com" }),
      "users_not_found",
    );
    const nomail = assertOk(await client.users.info({ user: PEOPLE.nomail }));
    assertEquals(nomail.user.profile.email, undefined);
    assertError(
      await client.users.info({ user: "U0NOBODY1" }),
      "user_not_found",
    );
  });
});

sdkTest(
  "conversations.info hides private channels the bot is not in",
  async () => {
    await withFake(async (_fake, client) => {
      const res = assertOk(
        await client.conversations.info({ channel: "C0NOTIFY01" }),
      );
      assertEquals(
        [res.channel.name, res.channel.is_private, res.channel.is_member],
        ["access-log", false, true],
      );
      assertError(
        await client.conversations.info({ channel: "C0PRIVATE1" }),
        "channel_not_found",
      );
    });
  },
);

sdkTest("missing required arguments answer invalid_arguments", async () => {
  await withFake(async (_fake, client) => {
    const res = assertError(await client.users.info({}), "invalid_arguments");
    assertEquals(res.response_metadata.messages, [
      "[ERROR] missing required field: user",
    ]);
  });
});

// --- datastores ---------------------------------------------------------------

sdkTest("datastore put/get/query/delete", async () => {
  await withFake(async (fake, client) => {
    const grants = "grants";
    for (
      const [id, user, status] of [
        ["g1", PEOPLE.alice, "active"],
        ["g2", PEOPLE.bob, "active"],
        ["g3", PEOPLE.alice, "expired"],
        ["g4", PEOPLE.alice, "active"],
      ]
    ) {
      assertOk(
        await client.apps.datastore.put({
          datastore: grants,
          item: { id, user, status, expires_at: 100 },
        }),
      );
    }
    const got = assertOk(
      await client.apps.datastore.get({ datastore: grants, id: "g2" }),
    );
    // Numbers survive the form encoding as numbers.
    assertEquals(got.item, {
      id: "g2",
      user: PEOPLE.bob,
      status: "active",
      expires_at: 100,
    });
    assertEquals(
      assertOk(
        await client.apps.datastore.get({ datastore: grants, id: "nope" }),
      ).item,
      {},
    );

    const query = {
      datastore: grants,
      expression: "#user = :user AND #status = :status",
      expression_attributes: { "#user": "user", "#status": "status" },
      expression_values: { ":user": PEOPLE.alice, ":status": "active" },
    };
    const all = assertOk(await client.apps.datastore.query(query));
    assertEquals(all.items.map((i: Json) => i.id), ["g1", "g4"]);
    assertEquals(all.response_metadata.next_cursor, "");

    // `limit` caps items evaluated, so follow next_cursor to the end.
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = assertOk(
        await client.apps.datastore.query({ ...query, limit: 2, cursor }),
      );
      ids.push(...page.items.map((i: Json) => i.id));
      cursor = page.response_metadata.next_cursor || undefined;
      pages++;
    } while (cursor);
    assertEquals([ids, pages], [["g1", "g4"], 2]);

    assertEquals(
      assertOk(
        await client.apps.datastore.bulkGet({
          datastore: grants,
          ids: ["g1", "g9"],
        }),
      )
        .items.map((i: Json) => i.id),
      ["g1"],
    );
    assertOk(
      await client.apps.datastore.delete({ datastore: grants, id: "g1" }),
    );
    assertEquals([...fake.datastore(grants).keys()], ["g2", "g3", "g4"]);

    const noKey = assertError(
      await client.apps.datastore.put({
        datastore: grants,
        item: { user: "x" },
      }),
      "datastore_error",
    );
    assertEquals(noKey.errors[0].pointer, "/item/id");
    assertError(
      await client.apps.datastore.get({ datastore: "nope", id: "x" }),
      "datastore_error",
    );
  }, { datastores: { grants: "id" } });
});

/** Follows every page of a query; returns the pages' item IDs. */
async function allPages(
  client: Client,
  query: Json & { datastore: string },
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = assertOk(
      await client.apps.datastore.query({ ...query, cursor }),
    );
    pages.push(page.items.map((i: Json) => i.id));
    cursor = page.response_metadata.next_cursor || undefined;
  } while (cursor);
  return pages;
}

Deno.test(
  "datastore query is a scan: limit counts items evaluated, and empty pages carry a cursor",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      const store = fake.datastore("grants");
      for (let i = 0; i < 2_500; i++) {
        store.set(`old${i}`, { id: `old${i}`, status: "expired" });
      }
      for (const id of ["live1", "live2", "live3"]) {
        store.set(id, { id, status: "active" });
      }
      const query = {
        datastore: "grants",
        expression: "#status = :s",
        expression_attributes: { "#status": "status" },
        expression_values: { ":s": "active" },
      };
      // Default limit 100: the first page evaluates 100 items, matches none,
      // and still says there is more.
      const first = assertOk(await client.apps.datastore.query(query));
      assertEquals(first.items, []);
      assert(first.response_metadata.next_cursor, "an empty page has a cursor");
      assertEquals(fake.calls.at(-1)!.evaluated, 100);

      const from = fake.calls.length;
      const pages = await allPages(client, { ...query, limit: 1000 });
      assertEquals(pages, [[], [], ["live1", "live2", "live3"]]);
      assertEquals(fake.callCounts(from), {
        methods: { "apps.datastore.query": 3 },
        evaluated: 2_503,
      });
      assertEquals(
        fake.calls.slice(from).map((c) => c.evaluated),
        [1000, 1000, 503],
      );
      // By default, following cursors costs one call per 100 items.
      const small = fake.calls.length;
      assertEquals((await allPages(client, query)).flat(), [
        "live1",
        "live2",
        "live3",
      ]);
      assertEquals(fake.callCounts(small).methods["apps.datastore.query"], 26);
      // count agrees with the scan, and evaluates the whole datastore.
      assertEquals(assertOk(await client.apps.datastore.count(query)).count, 3);
      assertEquals(fake.calls.at(-1)!.evaluated, 2_503);
    }, { datastores: { grants: "id" } });
  },
);

Deno.test(
  "datastore query refuses a limit above 1,000 with invalid_arguments",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (_fake, client) => {
      for (const limit of [1001, 5000, 0]) {
        assertError(
          await client.apps.datastore.query({ datastore: "grants", limit }),
          "invalid_arguments",
        );
      }
      assertOk(
        await client.apps.datastore.query({ datastore: "grants", limit: 1000 }),
      );
    }, { datastores: { grants: "id" } });
  },
);

Deno.test(
  "datastore query pages stop at 1 MB of evaluated items",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      const store = fake.datastore("grants");
      // Ten items of 300 KB (under the 400 KB item limit): three fit in 1 MB.
      for (let i = 0; i < 10; i++) {
        store.set(`g${i}`, { id: `g${i}`, blob: "x".repeat(300_000) });
      }
      const from = fake.calls.length;
      const pages = await allPages(client, {
        datastore: "grants",
        limit: 1000,
      });
      assertEquals(pages.map((p) => p.length), [3, 3, 3, 1]);
      assertEquals(fake.calls.slice(from).map((c) => c.evaluated), [
        3,
        3,
        3,
        1,
      ]);
    }, { datastores: { grants: "id" } });
  },
);

Deno.test(
  "datastore query cursors resume after the last evaluated item, deletions or not",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      const ids = ["a", "b", "c", "d", "e", "f", "g"];
      for (const id of ids) fake.datastore("grants").set(id, { id, n: 1 });
      const first = assertOk(
        await client.apps.datastore.query({ datastore: "grants", limit: 3 }),
      );
      assertEquals(first.items.map((i: Json) => i.id), ["a", "b", "c"]);
      // The page's last item and one before it go: nothing is skipped.
      for (const id of ["c", "a"]) {
        assertOk(
          await client.apps.datastore.delete({ datastore: "grants", id }),
        );
      }
      const rest = await allPages(client, {
        datastore: "grants",
        limit: 3,
        cursor: first.response_metadata.next_cursor,
      });
      const seen = new Set(rest.flat());
      for (const id of ["d", "e", "f", "g"]) {
        assert(seen.has(id), `missed ${id}`);
      }
      assertError(
        await client.apps.datastore.query({
          datastore: "grants",
          cursor: "not-a-cursor",
        }),
        "invalid_cursor",
      );
    }, { datastores: { grants: "id" } });
  },
);

Deno.test(
  "datastore bulk methods take at most 25 ids or items, and an item is under 400 KB",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      const items = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ id: `g${i}` }));
      const ids = (n: number) => items(n).map((i) => i.id);
      assertOk(
        await client.apps.datastore.bulkPut({
          datastore: "grants",
          items: items(25),
        }),
      );
      assertError(
        await client.apps.datastore.bulkPut({
          datastore: "grants",
          items: items(26),
        }),
        "invalid_arguments",
      );
      const got = assertOk(
        await client.apps.datastore.bulkGet({
          datastore: "grants",
          ids: ids(25),
        }),
      );
      assertEquals(got.items.length, 25);
      for (const method of ["bulkGet", "bulkDelete"] as const) {
        assertError(
          await client.apps.datastore[method]({
            datastore: "grants",
            ids: ids(26),
          }),
          "invalid_arguments",
        );
      }
      const big = assertError(
        await client.apps.datastore.put({
          datastore: "grants",
          item: { id: "big", blob: "x".repeat(400_000) },
        }),
        "datastore_error",
      );
      assertEquals(big.errors[0].code, "item_too_large");
      assertEquals(fake.datastore("grants").size, 25);
    }, { datastores: { grants: "id" } });
  },
);

Deno.test(
  "methodLatencyMs slows down only the methods it names",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (_fake, client) => {
      const timed = async (fn: () => Promise<unknown>) => {
        const start = performance.now();
        await fn();
        return performance.now() - start;
      };
      const query = await timed(() =>
        client.apps.datastore.query({ datastore: "grants" })
      );
      assert(query >= 190, `query answered after ${query} ms`);
      const get = await timed(() =>
        client.apps.datastore.get({ datastore: "grants", id: "x" })
      );
      assert(get < query, `get (${get} ms) is not slowed`);
    }, {
      datastores: { grants: "id" },
      methodLatencyMs: { "apps.datastore.query": 200 },
    });
  },
);

Deno.test("datastore expressions beyond equality", () => {
  const items = [
    { id: "a", n: 1, tag: "prod-db" },
    { id: "b", n: 5, tag: "dev-db" },
    { id: "c", n: 9 },
  ];
  const run = (expr: string, values: Json = {}) =>
    items.filter(compileExpression(expr, { "#n": "n", "#t": "tag" }, values))
      .map((i) => i.id);
  assertEquals(run("#n < :v", { ":v": 5 }), ["a"]);
  assertEquals(run("#n BETWEEN :lo AND :hi", { ":lo": 2, ":hi": 9 }), [
    "b",
    "c",
  ]);
  assertEquals(
    run("begins_with(#t, :p) OR NOT attribute_exists(#t)", { ":p": "prod" }),
    [
      "a",
      "c",
    ],
  );
  let threw = false;
  try {
    run("#n = :undefined");
  } catch {
    threw = true;
  }
  assert(threw, "undefined placeholders must fail loudly");
});

// --- functions -------------------------------------------------------------

sdkTest(
  "functions.completeSuccess works once per execution, with its own token",
  async () => {
    await withFake(async (fake, client) => {
      const outputs = { grant_id: "g1", approved: true };
      const as = (execution: string) =>
        SlackAPI(fake.executionToken(execution), { slackApiUrl: fake.apiUrl });
      // The bot token, or another execution's, may not complete it.
      assertError(
        await client.functions.completeSuccess({
          function_execution_id: "Fx1",
          outputs,
        }),
        "access_denied",
      );
      assertError(
        await as("Fx2").functions.completeSuccess({
          function_execution_id: "Fx1",
          outputs,
        }),
        "access_denied",
      );
      assertOk(
        await as("Fx1").functions.completeSuccess({
          function_execution_id: "Fx1",
          outputs,
        }),
      );
      assertError(
        await as("Fx1").functions.completeSuccess({
          function_execution_id: "Fx1",
          outputs,
        }),
        "function_execution_not_found",
      );
      assertOk(
        await as("Fx2").functions.completeError({
          function_execution_id: "Fx2",
          error: "denied",
        }),
      );
      assertEquals(fake.completions, [
        { function_execution_id: "Fx1", kind: "success", outputs },
        { function_execution_id: "Fx2", kind: "error", error: "denied" },
      ]);
    });
  },
);

sdkTest(
  "every call records the execution whose token made it, so concurrent events' views and messages are told apart",
  async () => {
    await withFake(async (fake, client) => {
      const as = (execution: string) =>
        SlackAPI(fake.executionToken(execution), { slackApiUrl: fake.apiUrl });
      assertOk(await as("Fx1").auth.test());
      assertOk(await client.auth.test());
      assertOk(await as("Fx2").auth.test());
      assertEquals(
        fake.calls.map((c) => c.execution ?? "bot"),
        ["Fx1", "bot", "Fx2"],
      );
    });
  },
);

// --- the validator on its own -----------------------------------------------------

Deno.test("validateView: structural rules", () => {
  const input = selectInput({ type: "plain_text_input", max_length: 3001 });
  const v = validateView(
    modal([input, { ...input }], {
      submit: undefined,
      close: plain("x".repeat(25)),
      private_metadata: "m".repeat(3001),
    }),
  );
  for (
    const path of [
      "/view/submit",
      "/view/close/text",
      "/view/private_metadata",
      "/view/blocks/0/element/max_length",
      "/view/blocks/1/block_id",
      "/view/blocks/1/element/action_id",
    ]
  ) assertViolationAt(v, path);

  assertViolationAt(validateView({ ...modal([]), type: "home" }), "/view/type");
  assertViolationAt(
    validateView(
      modal(Array.from({ length: 101 }, () => ({ type: "divider" }))),
    ),
    "/view/blocks",
  );
  assertViolationAt(
    validateView(modal([{ type: "input", label: plain("x") }])),
    "/view/blocks/0",
    "missing required field: element",
  );
  assertViolationAt(
    validateView(modal([{ type: "header", text: plain("h".repeat(151)) }])),
    "/view/blocks/0/text/text",
  );
  assertEquals(validateView(modal([])), []);
});

Deno.test("validateView: element rules", () => {
  const groups = [{ label: plain("g".repeat(76)), options: [option("a")] }];
  const v = validateView(modal([
    selectInput({
      type: "static_select",
      options: [option("a")],
      option_groups: groups,
    }, "both"),
    selectInput({ type: "static_select" }, "neither"),
    selectInput({
      type: "static_select",
      options: [{ text: plain("t".repeat(76)), value: "v".repeat(151) }],
    }, "long"),
    {
      type: "actions",
      elements: [{
        type: "button",
        text: plain("Go"),
        action_id: "b",
        style: "secondary",
        value: "v".repeat(2001),
      }],
    },
    { type: "context", elements: Array.from({ length: 11 }, () => plain("c")) },
    { type: "section", text: { type: "markdown", text: "x" } },
    { type: "section", text: plain("") },
    { type: "section", fields: Array.from({ length: 11 }, () => plain("f")) },
    { type: "divider", colour: "red" },
  ]));
  for (
    const path of [
      "/view/blocks/0/element",
      "/view/blocks/1/element",
      "/view/blocks/2/element/options/0/text/text",
      "/view/blocks/2/element/options/0/value",
      "/view/blocks/3/elements/0/style",
      "/view/blocks/3/elements/0/value",
      "/view/blocks/4/elements",
      "/view/blocks/5/text/type",
      "/view/blocks/6/text/text",
      "/view/blocks/7/fields",
    ]
  ) assertViolationAt(v, path);
  // Unknown fields are reported on their object, as Slack does.
  assertViolationAt(v, "/view/blocks/8", "invalid additional property: colour");
});

Deno.test("validateMessageBlocks: limits and a valid approval card", () => {
  assertViolationAt(
    validateMessageBlocks(
      Array.from({ length: 51 }, () => ({ type: "divider" })),
    ),
    "/blocks",
  );
  const card = [
    { type: "header", text: plain("Access request") },
    {
      type: "section",
      text: { type: "mrkdwn", text: "*<@U0ALICE01>* wants *prod-db*" },
      fields: [{ type: "mrkdwn", text: "*For*\n1 hour" }],
    },
    {
      type: "actions",
      block_id: "decision",
      elements: [
        {
          type: "button",
          text: plain("Approve"),
          action_id: "approve",
          style: "primary",
          value: "g1",
        },
        {
          type: "button",
          text: plain("Deny"),
          action_id: "deny",
          style: "danger",
          value: "g1",
          confirm: {
            title: plain("Deny?"),
            text: plain("They will be told."),
            confirm: plain("Deny"),
            deny: plain("Back"),
          },
        },
      ],
    },
    {
      type: "context",
      elements: [{ type: "mrkdwn", text: "Expires in 1 hour" }],
    },
  ];
  assertEquals(validateMessageBlocks(card), []);
  // `emoji` belongs to plain_text only; Slack rejects it on mrkdwn.
  assertViolationAt(
    validateMessageBlocks([{
      type: "section",
      text: { type: "mrkdwn", text: "hi", emoji: true },
    }]),
    "/blocks/0/text",
    "invalid additional property: emoji",
  );
});

Deno.test("slackPeople returns fresh copies", () => {
  const a = slackPeople();
  a[0].real_name = "Mallory";
  assertEquals(slackPeople()[0].real_name, "Alice Archer");
  assertEquals(slackPeople().length, 7);
});

Deno.test("close() stops the server and may be called twice", async () => {
  const fake = await SlackFake.start();
  await fake.close();
  await fake.close();
  let refused = false;
  try {
    await fetch(`${fake.apiUrl}auth.test`, { method: "POST" });
  } catch {
    refused = true;
  }
  assert(refused, "the port must be closed");
});

// --- addUser, user groups, workflow triggers --------------------------------

sdkTest("addUser adds a person, or replaces the one with that ID", async () => {
  await withFake(async (fake, client) => {
    const zoe = {
      id: "U0ZOE0001",
      name: "zoe",
      real_name: "Zoe Quinn",
      email: "zoe@corp.example",
      tz: "UTC",
      tz_label: "Coordinated Universal Time",
      tz_offset: 0,
    };
    fake.addUser(zoe);
    const found = assertOk(
      await client.users.lookupByEmail({ email: "Zoe@corp.example" }),
    );
    assertEquals(found.user.id, zoe.id);
    assertEquals(found.user.team_id, "T0FAKETEAM");

    fake.addUser({ ...zoe, real_name: "Zoe Q.", email: "zq@corp.example" });
    const info = assertOk(await client.users.info({ user: zoe.id }));
    assertEquals(info.user.real_name, "Zoe Q.");
    assertError(
      await client.users.lookupByEmail({ email: "zoe@corp.example" }),
      "users_not_found",
    );
    // The new person can be messaged like any seed user.
    assertOk(await client.chat.postMessage({ channel: zoe.id, text: "hi" }));
    assertEquals(fake.messagesIn(zoe.id).length, 1);
  });
});

sdkTest("usergroups.list: default group, users and count", async () => {
  await withFake(async (_fake, client) => {
    const list = assertOk(await client.usergroups.list({}));
    assertEquals(list.usergroups, [{
      id: "S0APPROVE1",
      team_id: "T0FAKETEAM",
      is_usergroup: true,
      handle: "prod-approvers",
      name: "Production approvers",
      date_delete: 0,
      user_count: 2,
    }]);
    const withUsers = assertOk(
      await client.usergroups.list({ include_users: true }),
    );
    assertEquals(withUsers.usergroups[0].users, [PEOPLE.bob, PEOPLE.carol]);
  });
});

sdkTest("usergroups.list hides disabled groups unless asked", async () => {
  const usergroups = [
    { id: "S0LIVE0001", handle: "live", name: "Live", users: [PEOPLE.alice] },
    {
      id: "S0OLD00001",
      handle: "old",
      name: "Old",
      users: [PEOPLE.dave],
      date_delete: 1700000000,
    },
  ];
  await withFake(async (_fake, client) => {
    const live = assertOk(await client.usergroups.list({}));
    assertEquals(live.usergroups.map((g: Json) => g.id), ["S0LIVE0001"]);
    const all = assertOk(
      await client.usergroups.list({ include_disabled: true }),
    );
    assertEquals(all.usergroups.map((g: Json) => [g.id, g.date_delete]), [
      ["S0LIVE0001", 0],
      ["S0OLD00001", 1700000000],
    ]);

    assertError(
      await client.usergroups.users.list({ usergroup: "S0OLD00001" }),
      "no_such_subteam",
    );
    const old = assertOk(
      await client.usergroups.users.list({
        usergroup: "S0OLD00001",
        include_disabled: true,
      }),
    );
    assertEquals(old.users, [PEOPLE.dave]);
  }, { usergroups });
});

sdkTest("usergroups.users.list follows membership changes", async () => {
  await withFake(async (fake, client) => {
    const before = assertOk(
      await client.apiCall("usergroups.users.list", {
        usergroup: "S0APPROVE1",
      }),
    );
    assertEquals(before.users, [PEOPLE.bob, PEOPLE.carol]);

    // e.g. Carol leaves the group between a request and her click.
    fake.setUsergroupMembers("S0APPROVE1", [PEOPLE.bob, PEOPLE.dave]);
    const after = assertOk(
      await client.usergroups.users.list({ usergroup: "S0APPROVE1" }),
    );
    assertEquals(after.users, [PEOPLE.bob, PEOPLE.dave]);
    const list = assertOk(await client.usergroups.list({}));
    assertEquals(list.usergroups[0].user_count, 2);

    assertError(
      await client.usergroups.users.list({ usergroup: "S0NOPE0001" }),
      "no_such_subteam",
    );
    assertError(await client.usergroups.users.list({}), "invalid_arguments");
    let threw = false;
    try {
      fake.setUsergroupMembers("S0NOPE0001", []);
    } catch {
      threw = true;
    }
    assert(threw, "setUsergroupMembers must reject an unknown group");
  });
});

/**
 * A fake that lets trigger calls come back to back: for tests of what the
 * trigger methods answer, not of the burst rule (relaxing only).
 */
function withBurstyFake(
  fn: (fake: SlackFake, client: Client) => Promise<void>,
  opts: SlackFakeOptions = {},
): Promise<void> {
  return withFake(fn, { refuseTriggerBursts: false, ...opts });
}

/** A fixed, movable clock for trigger tests. */
function movableClock(iso: string) {
  let now = Date.parse(iso);
  return {
    clock: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

sdkTest("workflows.triggers.create: a scheduled trigger", async () => {
  const time = movableClock("2030-01-01T09:00:00Z");
  await withFake(async (fake, client) => {
    const res: Json = await client.workflows.triggers.create({
      type: "scheduled",
      name: "Expire grant r1",
      workflow: "#/workflows/expire_grant",
      inputs: { request_id: { value: "r1" } },
      schedule: {
        start_time: "2030-01-01T10:00:00Z",
        frequency: { type: "once" },
      },
    });
    assertOk(res);
    const t = res.trigger;
    assert(/^Ft0FAKE/.test(t.id), `trigger id ${t.id}`);
    assertEquals(t.type, "scheduled");
    assertEquals(t.name, "Expire grant r1");
    assertEquals(t.workflow.callback_id, "expire_grant");
    assertEquals(t.inputs, { request_id: { value: "r1" } });
    assertEquals(t.schedule, {
      start_time: "2030-01-01T10:00:00Z",
      frequency: { type: "once" },
      timezone: "UTC",
    });
    assertEquals(t.date_created, Date.parse("2030-01-01T09:00:00Z") / 1000);
    assertEquals(t.shortcut_url, undefined);
    // The emulator sees the same trigger in `triggers`.
    assertEquals(fake.triggers.get(t.id), t);
  }, { clock: time.clock });
});

sdkTest("workflows.triggers.create: shortcut, webhook and event", async () => {
  await withBurstyFake(async (fake, client) => {
    const shortcut: Json = await client.workflows.triggers.create({
      type: "shortcut",
      name: "Request access",
      workflow: "#/workflows/request_access",
      inputs: { interactivity: { value: "{{data.interactivity}}" } },
    });
    assertOk(shortcut);
    assert(
      new RegExp(`^https://slack\\.com/shortcuts/${shortcut.trigger.id}/\\w+$`)
        .test(shortcut.trigger.shortcut_url),
      shortcut.trigger.shortcut_url,
    );
    const webhook: Json = await client.workflows.triggers.create({
      type: "webhook",
      name: "Hook",
      workflow: "#/workflows/request_access",
    });
    assertOk(webhook);
    assert(String(webhook.trigger.webhook_url).startsWith("https://hooks."));
    const event: Json = await client.workflows.triggers.create({
      type: "event",
      name: "On reaction",
      workflow: "#/workflows/request_access",
      event: {
        event_type: "slack#/events/reaction_added",
        all_resources: true,
      },
    });
    assertOk(event);
    assertEquals(
      event.trigger.event.event_type,
      "slack#/events/reaction_added",
    );
    assertEquals(fake.triggers.size, 3);
    assertError(
      await client.apiCall("workflows.triggers.create", {
        type: "event",
        name: "No event",
        workflow: "#/workflows/request_access",
      }),
      "invalid_arguments",
    );
  });
});

sdkTest("workflows.triggers.create: argument errors", async () => {
  const time = movableClock("2030-01-01T09:00:00Z");
  await withBurstyFake(async (fake, client) => {
    const base = {
      type: "shortcut",
      name: "x",
      workflow: "#/workflows/request_access",
    };
    for (const missing of ["type", "name", "workflow"]) {
      const args: Json = { ...base };
      delete args[missing];
      const res = assertError(
        await client.apiCall("workflows.triggers.create", args),
        "invalid_arguments",
      );
      assertEquals(res.response_metadata.messages, [
        `[ERROR] missing required field: ${missing}`,
      ]);
    }
    for (
      const workflow of ["request_access", "#/workflows/", "#/functions/x"]
    ) {
      assertPointerMessage(
        assertError(
          await client.apiCall("workflows.triggers.create", {
            ...base,
            workflow,
          }),
          "invalid_arguments",
        ),
        "/workflow",
      );
    }
    assertPointerMessage(
      assertError(
        await client.apiCall("workflows.triggers.create", {
          ...base,
          type: "cron",
        }),
        "invalid_arguments",
      ),
      "/type",
    );
    assertPointerMessage(
      assertError(
        await client.apiCall("workflows.triggers.create", {
          ...base,
          inputs: { request_id: "r1" },
        }),
        "invalid_arguments",
      ),
      "/inputs/request_id",
    );
    assertEquals(fake.triggers.size, 0);
  }, { clock: time.clock });
});

sdkTest("scheduled triggers need a start_time in the future", async () => {
  const time = movableClock("2030-01-01T09:00:00Z");
  await withBurstyFake(async (fake, client) => {
    const scheduled = (schedule: unknown) =>
      client.apiCall("workflows.triggers.create", {
        type: "scheduled",
        name: "Expire",
        workflow: "#/workflows/expire_grant",
        ...(schedule === undefined ? {} : { schedule }),
      });
    assertError(await scheduled(undefined), "invalid_scheduled_trigger");
    assertError(await scheduled({}), "invalid_scheduled_trigger");
    assertError(
      await scheduled({ start_time: "tomorrow" }),
      "invalid_scheduled_trigger",
    );
    assertPointerMessage(
      assertError(
        await scheduled({ start_time: "tomorrow" }),
        "invalid_scheduled_trigger",
      ),
      "/schedule/start_time",
    );
    assertError(
      await scheduled({ start_time: "2030-01-01T08:59:59Z" }),
      "invalid_start_before_now",
    );
    assertError(
      await scheduled({
        start_time: "2030-01-01T10:00:00Z",
        timezone: "Mars/Olympus_Mons",
      }),
      "invalid_scheduled_trigger",
    );
    assertError(
      await scheduled({
        start_time: "2030-01-01T10:00:00Z",
        frequency: { type: "fortnightly" },
      }),
      "invalid_arguments",
    );
    assertError(
      await scheduled({
        start_time: "2030-01-01T10:00:00Z",
        frequency: { type: "daily", repeats_every: 0 },
      }),
      "invalid_arguments",
    );
    // Without an offset, start_time is wall time in the schedule's timezone:
    // 09:30 in Tokyo is 00:30 UTC, already past; 19:00 there is 10:00 UTC.
    assertError(
      await scheduled({
        start_time: "2030-01-01T09:30:00",
        timezone: "Asia/Tokyo",
      }),
      "invalid_start_before_now",
    );
    assertOk(
      await scheduled({
        start_time: "2030-01-01T19:00:00",
        timezone: "Asia/Tokyo",
        frequency: { type: "weekly", repeats_every: 2 },
      }),
    );
    assertOk(await scheduled({ start_time: "2030-01-01T09:00:01+00:00" }));
    assertEquals(fake.triggers.size, 2);

    // The same start time is refused once the clock has passed it.
    time.advance(60 * 60 * 1000);
    assertError(
      await scheduled({ start_time: "2030-01-01T09:30:00Z" }),
      "invalid_start_before_now",
    );
  }, { clock: time.clock });
});

sdkTest("workflows.triggers.update replaces the definition", async () => {
  const time = movableClock("2030-01-01T09:00:00Z");
  await withBurstyFake(async (fake, client) => {
    const created: Json = await client.workflows.triggers.create({
      type: "scheduled",
      name: "Expire",
      workflow: "#/workflows/expire_grant",
      inputs: { request_id: { value: "r1" } },
      schedule: { start_time: "2030-01-01T10:00:00Z" },
    });
    const id = assertOk(created).trigger.id;
    time.advance(1000);
    const updated: Json = await client.workflows.triggers.update({
      trigger_id: id,
      type: "scheduled",
      name: "Expire later",
      workflow: "#/workflows/expire_grant",
      inputs: { request_id: { value: "r1" } },
      schedule: { start_time: "2030-01-02T10:00:00Z", timezone: "UTC" },
    });
    assertOk(updated);
    assertEquals(updated.trigger.id, id);
    assertEquals(updated.trigger.name, "Expire later");
    assertEquals(updated.trigger.schedule.start_time, "2030-01-02T10:00:00Z");
    assertEquals(updated.trigger.date_created, created.trigger.date_created);
    assertEquals(
      updated.trigger.date_updated,
      created.trigger.date_updated + 1,
    );
    assertEquals(fake.triggers.get(id)?.name, "Expire later");

    // Updates are validated like creates, and need an existing trigger.
    assertError(
      await client.apiCall("workflows.triggers.update", {
        trigger_id: id,
        type: "scheduled",
        name: "Expire",
        workflow: "#/workflows/expire_grant",
        schedule: { start_time: "2029-12-31T00:00:00Z" },
      }),
      "invalid_start_before_now",
    );
    assertEquals(fake.triggers.get(id)?.name, "Expire later");
    assertError(
      await client.apiCall("workflows.triggers.update", {
        trigger_id: "Ft0NOPE",
        type: "shortcut",
        name: "x",
        workflow: "#/workflows/expire_grant",
      }),
      "trigger_not_found",
    );
    assertError(
      await client.apiCall("workflows.triggers.update", {
        type: "shortcut",
        name: "x",
        workflow: "#/workflows/expire_grant",
      }),
      "invalid_arguments",
    );
  }, { clock: time.clock });
});

sdkTest("a shortcut trigger keeps its URL across updates", async () => {
  await withBurstyFake(async (_fake, client) => {
    const created: Json = await client.workflows.triggers.create({
      type: "shortcut",
      name: "Request access",
      workflow: "#/workflows/request_access",
    });
    const updated: Json = await client.workflows.triggers.update({
      trigger_id: created.trigger.id,
      type: "shortcut",
      name: "Ask for access",
      workflow: "#/workflows/request_access",
    });
    assertEquals(updated.trigger.shortcut_url, created.trigger.shortcut_url);
  });
});

sdkTest("workflows.triggers.list and delete", async () => {
  await withBurstyFake(async (fake, client) => {
    const ids: string[] = [];
    for (const name of ["a", "b", "c"]) {
      const res: Json = await client.workflows.triggers.create({
        type: "shortcut",
        name,
        workflow: "#/workflows/request_access",
      });
      ids.push(assertOk(res).trigger.id);
    }
    const all = assertOk(await client.workflows.triggers.list());
    assertEquals(all.triggers.map((t: Json) => t.name), ["a", "b", "c"]);
    assertEquals(all.response_metadata.next_cursor, "");

    const page1 = assertOk(await client.workflows.triggers.list({ limit: 2 }));
    assertEquals(page1.triggers.map((t: Json) => t.name), ["a", "b"]);
    const page2 = assertOk(
      await client.workflows.triggers.list({
        limit: 2,
        cursor: page1.response_metadata.next_cursor,
      }),
    );
    assertEquals(page2.triggers.map((t: Json) => t.name), ["c"]);

    assertOk(await client.workflows.triggers.delete({ trigger_id: ids[1] }));
    assertEquals([...fake.triggers.keys()], [ids[0], ids[2]]);
    assertError(
      await client.workflows.triggers.delete({ trigger_id: ids[1] }),
      "trigger_not_found",
    );
    assertError(
      await client.apiCall("workflows.triggers.delete", {}),
      "invalid_arguments",
    );
    const after = assertOk(await client.workflows.triggers.list());
    assertEquals(after.triggers.map((t: Json) => t.name), ["a", "c"]);
  });
});

// --- trigger methods: start times, bursts, failures -------------------------

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A scheduled trigger definition starting at `start_time`. */
function scheduledAt(start_time: string, name = "Expire"): Json {
  return {
    type: "scheduled",
    name,
    workflow: "#/workflows/expire_grant",
    schedule: { start_time, frequency: { type: "once" } },
  };
}

Deno.test(
  "triggers: a scheduled start at or before the emulator's clock is invalid_start_before_now, on create and update",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    const time = movableClock("2030-01-01T09:00:00Z");
    await withBurstyFake(async (fake, client) => {
      for (const start of ["2030-01-01T09:00:00Z", "2030-01-01T08:00:00Z"]) {
        assertError(
          await client.apiCall("workflows.triggers.create", scheduledAt(start)),
          "invalid_start_before_now",
        );
      }
      const created = assertOk(
        await client.apiCall(
          "workflows.triggers.create",
          scheduledAt("2030-01-01T09:00:00.001Z"),
        ),
      );
      assertError(
        await client.apiCall("workflows.triggers.update", {
          trigger_id: created.trigger.id,
          ...scheduledAt("2030-01-01T09:00:00Z"),
        }),
        "invalid_start_before_now",
      );
      assertEquals(
        fake.triggers.get(created.trigger.id)?.schedule,
        {
          start_time: "2030-01-01T09:00:00.001Z",
          frequency: { type: "once" },
          timezone: "UTC",
        },
      );
    }, { clock: time.clock });
  },
);

Deno.test(
  "triggers: calls back to back answer token_revoked (at most one in four), spaced calls pass",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      const answers: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res: Json = await client.workflows.triggers.list();
        answers.push(res.ok ? "ok" : res.error);
      }
      assertEquals(answers, [
        "ok",
        "token_revoked",
        "ok",
        "ok",
        "ok",
        "token_revoked",
      ]);
      // Within four calls of the last refusal, bursts pass.
      for (let i = 0; i < 2; i++) {
        assertOk(
          await client.apiCall(
            "workflows.triggers.create",
            scheduledAt("2099-01-01T00:00:00Z"),
          ),
        );
      }
      // Spaced 150 ms apart (the app spaces 300 ms), nothing is refused.
      for (let i = 0; i < 6; i++) {
        await sleepMs(150);
        assertOk(await client.workflows.triggers.list());
      }
      // Other methods neither count nor break up a burst; a refused create
      // creates nothing.
      await sleepMs(150);
      assertOk(await client.workflows.triggers.list());
      assertOk(await client.auth.test());
      assertError(
        await client.apiCall(
          "workflows.triggers.create",
          scheduledAt("2099-01-01T00:00:00Z"),
        ),
        "token_revoked",
      );
      assertEquals(fake.triggers.size, 2);
    });
  },
);

Deno.test(
  "triggers: failNextTriggerCalls fails the next trigger calls, by method and name; ratelimited is a 429 with Retry-After",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withBurstyFake(async (fake, client) => {
      fake.failNextTriggerCalls(2, "token_revoked");
      assertError(await client.workflows.triggers.list(), "token_revoked");
      assertError(
        await client.apiCall(
          "workflows.triggers.create",
          scheduledAt("2099-01-01T00:00:00Z"),
        ),
        "token_revoked",
      );
      assertOk(await client.workflows.triggers.list());
      assertEquals(fake.triggers.size, 0);

      // Only the calls it picks: creates of an "expiry" trigger.
      fake.failNextTriggerCalls(5, "internal_error", {
        method: "create",
        match: /expiry/,
      });
      assertOk(await client.workflows.triggers.list());
      assertOk(
        await client.apiCall(
          "workflows.triggers.create",
          scheduledAt("2099-01-01T00:00:00Z", "reminder r1"),
        ),
      );
      assertError(
        await client.apiCall(
          "workflows.triggers.create",
          scheduledAt("2099-01-01T00:00:00Z", "expiry r1"),
        ),
        "internal_error",
      );
      // Other methods never fail from it.
      assertOk(await client.auth.test());

      // ratelimited comes as Slack sends it: HTTP 429 with Retry-After,
      // which the SDK client throws.
      fake.failNextTriggerCalls(1, "ratelimited", { retryAfterSeconds: 3 });
      let thrown: Json | undefined;
      try {
        await client.workflows.triggers.list();
      } catch (e) {
        thrown = e as Json;
      }
      assert(thrown, "a 429 throws in the SDK client");
      assertEquals(thrown.status, 429);
      assertEquals(thrown.headers.get("retry-after"), "3");
      assert(String(thrown.message).includes('"error":"ratelimited"'));
      assertEquals(
        fake.callsTo("workflows.triggers.list").at(-1)?.response,
        { ok: false, error: "ratelimited" },
      );
      assertOk(await client.workflows.triggers.list());
    });
  },
);

Deno.test(
  "triggers: refuseTriggerBursts false lets one test make trigger calls back to back",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (_fake, client) => {
      for (let i = 0; i < 10; i++) {
        assertOk(await client.workflows.triggers.list());
      }
    }, { refuseTriggerBursts: false });
  },
);
