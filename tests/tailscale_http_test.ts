/**
 * The Tailscale client's pure parts, without a server: when a call is
 * retried and after how long, how the request headers read, and how each
 * kind of answer becomes a value or a {@linkcode TailscaleApiError}.
 */
import {
  errorMessage,
  parseAnswer,
  readWriteAnswer,
  retryAfter,
} from "../lib/tailscale/answers.ts";
import { TailscaleApiError, withScopes } from "../lib/tailscale/errors.ts";
import { requestHeaders } from "../lib/tailscale/http.ts";
import { networkError, sendWithin } from "../lib/tailscale/network.ts";
import { validationOf } from "../lib/tailscale/policy_file.ts";
import { DeviceSchema } from "../lib/tailscale/schemas.ts";
import {
  DEFAULT_RETRY,
  isTransient,
  ranOutOfTime,
  retryDelay,
  timeoutWithin,
} from "../lib/tailscale/timing.ts";
import { Deadline } from "../lib/slack/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

function apiError(kind: TailscaleApiError["kind"]): TailscaleApiError {
  return new TailscaleApiError({ operation: "testing", status: 0, kind });
}

async function rejection(p: Promise<unknown>): Promise<TailscaleApiError> {
  const e = await assertRejects(() => p);
  assert(e instanceof TailscaleApiError, `expected TailscaleApiError: ${e}`);
  return e;
}

Deno.test("retryDelay: doubling backoff, capped, jittered between half and all", () => {
  const policy = { budgetMs: 20_000, baseDelayMs: 250, maxDelayMs: 4_000 };
  assertEquals(retryDelay(policy, 1, undefined, () => 1), 250);
  assertEquals(retryDelay(policy, 1, undefined, () => 0), 125);
  assertEquals(retryDelay(policy, 3, undefined, () => 1), 1_000);
  assertEquals(retryDelay(policy, 3, undefined, () => 0.5), 750);
  // 250 · 2^9 is far past the cap: the cap, still jittered.
  assertEquals(retryDelay(policy, 10, undefined, () => 1), 4_000);
  assertEquals(retryDelay(policy, 10, undefined, () => 0), 2_000);
});

Deno.test("retryDelay: Tailscale's Retry-After wins over the backoff, even 0", () => {
  assertEquals(retryDelay(DEFAULT_RETRY, 1, 7, () => 0), 7_000);
  assertEquals(retryDelay(DEFAULT_RETRY, 5, 0, () => 1), 0);
  assertEquals(retryDelay(DEFAULT_RETRY, 1, 0.5), 500);
});

Deno.test("isTransient: only rate limits, server errors and no answer", () => {
  const kinds: TailscaleApiError["kind"][] = [
    "credentials",
    "scope",
    "not_found",
    "rejected",
    "conflict",
    "rate_limited",
    "server",
    "network",
    "bad_response",
  ];
  assertEquals(
    kinds.filter((k) => isTransient(apiError(k))),
    ["rate_limited", "server", "network"],
  );
});

Deno.test("timeoutWithin / ranOutOfTime: a deadline cuts the timeout, never below 1 ms", () => {
  assertEquals(timeoutWithin(undefined, 10_000), 10_000);
  assertEquals(ranOutOfTime(undefined, 10_000), false);
  const roomy = new Deadline(60_000);
  assertEquals(timeoutWithin(roomy, 10_000), 10_000);
  assertEquals(ranOutOfTime(roomy, 10_000), false);
  const tight = new Deadline(2_000);
  assert(timeoutWithin(tight, 10_000) <= 2_000);
  assert(timeoutWithin(tight, 10_000) > 1_000);
  const spent = new Deadline(-5);
  assertEquals(timeoutWithin(spent, 10_000), 1);
  assertEquals(ranOutOfTime(spent, 1), true);
});

Deno.test("requestHeaders: JSON by default, HuJSON without Accept, If-Match when given", () => {
  assertEquals(requestHeaders("tok", undefined), {
    Authorization: "Bearer tok",
    Accept: "application/json",
  });
  assertEquals(requestHeaders("tok", { json: { value: true } }), {
    Authorization: "Bearer tok",
    Accept: "application/json",
    "Content-Type": "application/json",
  });
  assertEquals(requestHeaders("tok", { hujson: "{}" }), {
    Authorization: "Bearer tok",
    Accept: "application/json",
    "Content-Type": "application/hujson",
  });
  assertEquals(
    requestHeaders("tok", { hujson: "{}", ifMatch: '"e1"', accept: null }),
    {
      Authorization: "Bearer tok",
      "Content-Type": "application/hujson",
      "If-Match": '"e1"',
    },
  );
  assertEquals(requestHeaders("tok", { accept: null }), {
    Authorization: "Bearer tok",
  });
});

Deno.test("retryAfter: seconds or an HTTP date, nothing for junk", () => {
  assertEquals(retryAfter(null), undefined);
  assertEquals(retryAfter(""), undefined);
  assertEquals(retryAfter("2"), 2);
  assertEquals(retryAfter("0"), 0);
  assertEquals(retryAfter("soon"), undefined);
  // A date in the past is no wait at all.
  assertEquals(retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), 0);
  const later = retryAfter(new Date(Date.now() + 30_000).toUTCString());
  assert(later !== undefined && later > 25 && later <= 30, `got ${later}`);
});

Deno.test("errorMessage: Tailscale's message, then OAuth's, then the raw text", () => {
  assertEquals(errorMessage('{"message":"invalid key"}'), "invalid key");
  assertEquals(
    errorMessage('{"error":"invalid_client","error_description":"bad secret"}'),
    "bad secret",
  );
  assertEquals(errorMessage('{"error":"invalid_client"}'), "invalid_client");
  assertEquals(errorMessage("  upstream timeout \n"), "upstream timeout");
  assertEquals(errorMessage(""), undefined);
  assertEquals(errorMessage("x".repeat(400))?.length, 300);
});

Deno.test("parseAnswer: a 2xx body is checked against its schema", async () => {
  const device = await parseAnswer(
    "reading device n1",
    new Response(JSON.stringify({ nodeId: "n1", hostname: "laptop" })),
    DeviceSchema,
  );
  assertEquals(device.nodeId, "n1");
  assertEquals(device.tags, []);

  const notJson = await rejection(
    parseAnswer("reading device n1", new Response("<html>"), DeviceSchema),
  );
  assertEquals(notJson.kind, "bad_response");
  assertEquals(notJson.tailscaleMessage, "the answer was not JSON");

  const wrongShape = await rejection(
    parseAnswer("reading device n1", new Response('{"id":1}'), DeviceSchema),
  );
  assertEquals(wrongShape.tailscaleMessage, "unexpected shape at nodeId");

  const empty = await rejection(
    parseAnswer("reading device n1", new Response(""), DeviceSchema),
  );
  assertEquals(empty.tailscaleMessage, "unexpected shape at top level");
});

Deno.test("parseAnswer: an error status keeps its kind, message and Retry-After", async () => {
  const e = await rejection(parseAnswer(
    "listing the tailnet's devices",
    new Response('{"message":"slow down"}', {
      status: 429,
      headers: { "Retry-After": "3" },
    }),
    DeviceSchema,
  ));
  assertEquals(e.kind, "rate_limited");
  assertEquals(e.status, 429);
  assertEquals(e.tailscaleMessage, "slow down");
  assertEquals(e.retryAfterSeconds, 3);
  assertEquals(e.operation, "listing the tailnet's devices");
});

Deno.test("readWriteAnswer: any 2xx is a write that happened; an error is not", async () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  try {
    await readWriteAnswer(new Response("null"), "setting custom:a on n1");
    await readWriteAnswer(new Response(""), "removing custom:a from n1");
    await readWriteAnswer(new Response("{}"), "writing the policy file");
    assertEquals(warnings, []);
    await readWriteAnswer(new Response("<ok/>"), "setting custom:a on n1");
    assertEquals(warnings, [
      "setting custom:a on n1: succeeded with an undocumented answer body",
    ]);
  } finally {
    console.warn = warn;
  }
  const e = await rejection(
    readWriteAnswer(
      new Response('{"message":"precondition failed"}', { status: 412 }),
      "writing the tailnet policy file",
    ),
  );
  assertEquals(e.kind, "conflict");
});

Deno.test("networkError / sendWithin: no answer is a network error, a timeout says how long", async () => {
  const timeout = networkError(
    "reading device n1",
    new DOMException("signal timed out", "TimeoutError"),
    10_000,
  );
  assertEquals(timeout.kind, "network");
  assertEquals(timeout.status, 0);
  assertEquals(timeout.tailscaleMessage, "no answer within 10 s");
  assertEquals(timeout.outOfTime, false);
  assertEquals(
    networkError("x", new TypeError("connection refused")).tailscaleMessage,
    "connection refused",
  );

  const refused = await rejection(
    sendWithin(undefined, "reading device n1", 10_000, () => {
      throw new TypeError("connection refused");
    }),
  );
  assertEquals(refused.tailscaleMessage, "connection refused");
  assertEquals(refused.outOfTime, false);

  const late = await rejection(
    sendWithin(
      new Deadline(-5),
      "reading device n1",
      10_000,
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason))
        ),
    ),
  );
  assertEquals(late.tailscaleMessage, "no answer within 0 s");
  assertEquals(late.outOfTime, true);

  const res = await sendWithin(
    undefined,
    "x",
    10_000,
    () => Promise.resolve(new Response("ok")),
  );
  assertEquals(await res.text(), "ok");
});

Deno.test("validationOf: lines prefixed with their user; a bare message by its wording", () => {
  assertEquals(validationOf(null), { errors: [], warnings: [] });
  assertEquals(validationOf({}), { errors: [], warnings: [] });
  assertEquals(
    validationOf({
      message: "test(s) failed",
      data: [
        { user: "alice@example.com", errors: ["cannot reach 10.0.0.1:22"] },
        { warnings: ["group:ops is not syncing"] },
      ],
    }),
    {
      errors: ["alice@example.com: cannot reach 10.0.0.1:22"],
      warnings: ["group:ops is not syncing"],
    },
  );
  assertEquals(validationOf({ message: "Warning: something odd" }), {
    errors: [],
    warnings: ["Warning: something odd"],
  });
  assertEquals(validationOf({ message: " policy is bad " }), {
    errors: ["policy is bad"],
    warnings: [],
  });
});

Deno.test("withScopes: only a missing-scope error is renamed", () => {
  const scope = withScopes(apiError("scope"), ["policy_file"]);
  assert(scope instanceof TailscaleApiError);
  assert(scope.message.includes("policy_file"), scope.message);
  const other = apiError("server");
  assertEquals(withScopes(other, ["policy_file"]) === other, true);
  const plain = new Error("boom");
  assertEquals(withScopes(plain, ["policy_file"]) === plain, true);
});
