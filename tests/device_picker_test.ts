/** The device picker through the real suggestion handler. */
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

Deno.test("the requester's devices come first, then the rest; typing filters", async () => {
  await withApp({}, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    await app.platform.choose(alice, LABEL.profile, "Production");
    const all: Answer = await app.platform.suggest(alice, LABEL.device, "");
    const [own, others] = names(all);
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
      names(await app.platform.suggest(alice, LABEL.device, "100.64.0."))
        .length,
      2,
    );
  });
});

Deno.test("when Tailscale fails the picker says why", async () => {
  await withApp({}, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    await app.platform.choose(alice, LABEL.profile, "Production");
    app.tailscale.failNext(
      1,
      { status: 500, body: { message: "boom" } },
      /devices/,
    );
    const answer: Answer = await app.platform.suggest(alice, LABEL.device, "");
    assertEquals(answer.options?.length, 1);
    assertIncludes(answer.options![0].text.text, "Could not list devices");
    assertEquals(answer.options![0].value, "!error");
  });
});
