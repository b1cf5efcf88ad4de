/**
 * The device picker end to end, through the request form's real suggestion
 * handler: the requester's own devices by default, every device after them
 * where the profile allows it, and a plain sentence when Tailscale fails.
 */
import { LABEL, PEOPLE, withApp } from "./flow_helpers.ts";
import { assertEquals, assertIncludes } from "./assert.ts";

const { alice } = PEOPLE;

type Answer = {
  option_groups?: {
    label: { text: string };
    options: { text: { text: string } }[];
  }[];
  options?: { text: { text: string }; value: string }[];
};

function names(answer: Answer) {
  return (answer.option_groups ?? []).map((g) => [
    g.label.text,
    g.options.map((o) => o.text.text.split(" · ")[0]),
  ]);
}

Deno.test("by default only the requester's own devices are offered, most recent first", async () => {
  await withApp({}, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    await app.platform.choose(alice, LABEL.profile, "Production");
    assertEquals(names(await app.platform.suggest(alice, LABEL.device, "")), [
      ["Your devices", ["alice-laptop", "alice-iphone"]],
    ]);
    const none: Answer = await app.platform.suggest(
      alice,
      LABEL.device,
      "prod",
    );
    assertIncludes(
      none.options![0].text.text,
      "None of your own devices match",
    );
    assertEquals(none.options![0].value, "!error");
  });
});

Deno.test("a profile that allows any device offers the rest after yours; typing filters", async () => {
  await withApp({}, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    await app.platform.choose(alice, LABEL.profile, "Jump hosts");
    const [own, others] = names(
      await app.platform.suggest(alice, LABEL.device, ""),
    );
    assertEquals(own, ["Your devices", ["alice-laptop", "alice-iphone"]]);
    assertEquals(others[0], "Other devices");
    assertIncludes(String(others[1]), "prod-db-1");
    assertEquals(
      names(await app.platform.suggest(alice, LABEL.device, "prod")),
      [
        ["All devices", ["prod-db-1", "prod-web-1"]],
      ],
    );
    assertEquals(
      names(await app.platform.suggest(alice, LABEL.device, "100.64.0.1"))
        .length,
      2,
    );
  });
});

Deno.test("when Tailscale keeps failing the picker says why", async () => {
  await withApp({ env: { TAILSCALE_RETRY_BUDGET_MS: "300" } }, async (app) => {
    app.tailscale.failNext(
      50,
      { status: 500, body: { message: "boom" } },
      /devices/,
    );
    await app.platform.startWorkflow("request_tailscale_access", alice);
    await app.platform.choose(alice, LABEL.profile, "Production");
    const answer: Answer = await app.platform.suggest(alice, LABEL.device, "");
    assertEquals(answer.options?.length, 1);
    assertIncludes(answer.options![0].text.text, "Could not list devices");
    assertEquals(answer.options![0].value, "!error");
  });
});
