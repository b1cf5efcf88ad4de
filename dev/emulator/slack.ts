/**
 * An in-process fake of the Slack Web API methods this app calls, served over
 * real HTTP on 127.0.0.1 so the deno-slack-sdk client can be pointed at it
 * with `SlackAPI(token, { slackApiUrl: fake.apiUrl })` and exercise the same
 * wire format (form-encoded bodies, JSON-encoded object values, Bearer token)
 * as production.
 *
 * The fake is strict where Slack is strict: it checks the bot token, rejects
 * Block Kit that breaks Slack's published limits (see block_kit_rules.ts),
 * expires interactivity pointers after 3 s and honours view hashes, so bugs
 * that would only surface against real Slack surface in tests.
 *
 * @module
 */
import {
  formatViolation,
  validateMessageBlocks,
  validateView,
  type Violation,
} from "./block_kit_rules.ts";
import { FAKE_TEAM_ID, PEOPLE, slackPeople } from "./slack_people.ts";

/** A workspace member as the fake knows them. */
export type FakeSlackUser = {
  id: string;
  team_id?: string;
  name: string;
  real_name: string;
  email?: string;
  tz: string;
  tz_label: string;
  tz_offset: number;
  deleted?: boolean;
  is_bot?: boolean;
};

/** A channel; `is_member` says whether the bot is in it. */
export type FakeChannel = {
  id: string;
  name: string;
  is_private: boolean;
  is_member: boolean;
};

/** One Web API request as received, with the answer it got. */
export type RecordedSlackCall = {
  method: string;
  args: Record<string, unknown>;
  response: Record<string, unknown>;
  /** When the call arrived, by the fake's clock (epoch ms). */
  at?: number;
  /** The function execution whose token made the call, if one did. */
  execution?: string;
  /**
   * Datastore query and count: how many stored items the scan evaluated
   * (read, before the filter), which is what a query costs on Slack.
   */
  evaluated?: number;
};

/** A message in its latest state; `updates` counts chat.update calls on it. */
export type FakeMessage = {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  ephemeral_user?: string;
  thread_ts?: string;
  updates: number;
};

/** An open modal view. `view` is what Slack returned for it. */
export type FakeView = {
  id: string;
  hash: string;
  user: string;
  view: Record<string, unknown>;
};

/** A functions.completeSuccess / completeError call that was accepted. */
export type FakeCompletion = {
  function_execution_id: string;
  kind: "success" | "error";
  outputs?: unknown;
  error?: string;
};

/** A Block Kit problem found on a call. */
export type BlockKitViolation = {
  method: string;
  path: string;
  message: string;
};

/** A Slack user group (subteam). */
export type FakeUsergroup = {
  id: string;
  handle: string;
  name: string;
  users: string[];
  /** Non-zero when the group is disabled. */
  date_delete?: number;
};

/** How to set up a {@link SlackFake}. */
export interface SlackFakeOptions {
  /** Workspace members; default {@link slackPeople}. */
  users?: FakeSlackUser[];
  /** User groups; default S0APPROVE1 "prod-approvers" with Bob and Carol. */
  usergroups?: FakeUsergroup[];
  /**
   * Channels; default C0NOTIFY01 "access-log" (public, bot is a member) and
   * C0PRIVATE1 "secret" (private, bot is not a member).
   */
  channels?: FakeChannel[];
  /** Datastore name -> primary key attribute name. */
  datastores?: Record<string, string>;
  /** The only token accepted; default "xoxb-fake-bot-token". */
  botToken?: string;
  /**
   * Wall clock in epoch milliseconds; default Date.now. Lets a test expire
   * interactivity pointers without sleeping. Message ts values follow it too.
   */
  clock?: () => number;
  /** Added to every answer, e.g. 50 ms to benchmark as if Slack were remote. */
  latencyMs?: number;
  /**
   * Added to answers of one method, on top of `latencyMs`: e.g.
   * `{"apps.datastore.query": 50}` to price a datastore scan page (a Tier 4
   * method) above a `get`.
   */
  methodLatencyMs?: Record<string, number>;
  /**
   * Let one function execution complete another (`functions.completeSuccess`
   * / `completeError` with another execution's ID). Off by default: Slack
   * documents `access_denied` ("This actor does not have access to this
   * function execution") and nothing public shows it allowed.
   */
  allowCrossExecutionCompletion?: boolean;
  /**
   * Answer bursts of `workflows.triggers.*` calls with `token_revoked`, as
   * Slack has (see {@link TRIGGER_BURST_MS}); default true. `false` relaxes
   * that for a test that makes trigger calls back to back on purpose.
   */
  refuseTriggerBursts?: boolean;
}

/** What {@link SlackFake.failNextTriggerCalls} makes a trigger call answer. */
export type TriggerFailure = {
  /** Only calls of this method (default: any trigger method). */
  method?: "create" | "update" | "delete" | "list";
  /** Only calls whose arguments, as JSON, match (e.g. a trigger's name). */
  match?: RegExp;
  /**
   * The HTTP status: 200 by default (`{ok: false, error}`), 429 for
   * `ratelimited` (as Slack answers it, with `Retry-After`). The SDK client
   * throws for any status but 2xx.
   */
  status?: number;
  /** `Retry-After` in seconds, with 429; default 1. */
  retryAfterSeconds?: number;
};

/** The fake bot's own identity, as auth.test reports it. */
export const FAKE_BOT = {
  userId: "U0FAKEBOT1",
  botId: "B0FAKEBOT1",
  appId: "A0FAKEAPP1",
  name: "tailscale-access",
} as const;

const DEFAULT_USERGROUPS: readonly FakeUsergroup[] = [{
  id: "S0APPROVE1",
  handle: "prod-approvers",
  name: "Production approvers",
  users: [PEOPLE.bob, PEOPLE.carol],
}];

const DEFAULT_CHANNELS: readonly FakeChannel[] = [
  { id: "C0NOTIFY01", name: "access-log", is_private: false, is_member: true },
  { id: "C0PRIVATE1", name: "secret", is_private: true, is_member: false },
];

/**
 * Deno.test options for tests that reach the fake through the SDK client:
 * `Deno.test("name", SLACK_CLIENT_TEST_OPTIONS, async () => {...})`.
 *
 * The npm build of deno-slack-sdk fetches with undici, which keeps one
 * process-wide, unref'd timer that is armed during one test and fires during
 * another. Deno 1.x reports that as a leak in whichever tests it straddles
 * (even with only sanitizeOps off), so both sanitizers are off there. Deno 2's
 * default sanitizers ignore it, so on Deno 2 this is empty; note that
 * spelling out `sanitizeOps: true` would make Deno 2 report it too.
 */
export const SLACK_CLIENT_TEST_OPTIONS: {
  sanitizeOps?: boolean;
  sanitizeResources?: boolean;
} = Deno.version.deno.startsWith("1.")
  ? { sanitizeOps: false, sanitizeResources: false }
  : {};

/** Slack's interactivity pointers and trigger ids live for 3 seconds. */
const POINTER_LIFETIME_MS = 3000;
/** Slack evaluates at most this many datastore items per query by default. */
const DEFAULT_QUERY_LIMIT = 100;
/** The largest `limit` apps.datastore.query accepts. */
const MAX_QUERY_LIMIT = 1000;
/**
 * A query page holds at most 1 MB of evaluated items (DynamoDB's scan page),
 * measured here as the items' JSON.
 */
const QUERY_PAGE_BYTES = 1024 * 1024;
/** chat.postMessage rejects text longer than this with msg_too_long. */
const MAX_MESSAGE_TEXT = 40000;
/** The trigger types workflows.triggers.create accepts. */
const TRIGGER_TYPES = new Set(["shortcut", "scheduled", "event", "webhook"]);
/** The trigger methods the burst rule and trigger failures apply to. */
const TRIGGER_METHODS = new Set([
  "workflows.triggers.create",
  "workflows.triggers.update",
  "workflows.triggers.delete",
  "workflows.triggers.list",
]);
/**
 * The emulator's burst rule for trigger methods. Slack has answered calls
 * "made too quickly in succession" with a misleading `token_revoked`
 * (slackapi/deno-slack-sdk#445) and publishes no limits, so the emulator
 * takes a stricter, deterministic choice: a trigger call that arrives less
 * than this many ms (wall time) after the previous trigger call answers
 * `token_revoked`, at most one call in {@link TRIGGER_BURST_EVERY} (so a
 * retry after a pause, or calls spaced 300 ms apart, pass; two calls back
 * to back do not).
 */
export const TRIGGER_BURST_MS = 100;
/** At most one trigger call in this many is refused as a burst. */
export const TRIGGER_BURST_EVERY = 4;
/** Values of a scheduled trigger's `schedule.frequency.type`. */
const SCHEDULE_FREQUENCIES = new Set([
  "once",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "yearly",
]);

/**
 * Argument names whose form values are JSON documents. The SDK client
 * JSON-encodes every non-string value, so anything else stays a string, just
 * as Slack itself would see it.
 */
const JSON_PARAMS = new Set([
  "schedule",
  "workflow",
  "view",
  "blocks",
  "attachments",
  "item",
  "items",
  "ids",
  "outputs",
  "expression_attributes",
  "expression_values",
  "metadata",
  "inputs",
  "event",
  "shortcut",
  "webhook",
]);

type Args = Record<string, unknown>;
type Reply = Record<string, unknown>;

/** Thrown by method handlers to answer `{ok: false, error, ...extra}`. */
class SlackApiError extends Error {
  constructor(readonly code: string, readonly extra: Reply = {}) {
    super(code);
  }
}

function invalidArguments(messages: string[]): SlackApiError {
  return new SlackApiError("invalid_arguments", {
    response_metadata: { messages },
  });
}

/** Slack's bulk datastore methods take at most 25 items or ids per call. */
function bulkLimit(list: unknown[], name: string): void {
  if (list.length > 25) {
    throw invalidArguments([
      `[ERROR] ${name} must contain at most 25 entries (got ${list.length})`,
    ]);
  }
}

function datastoreError(code: string, message: string, pointer: string) {
  // Slack's datastore methods explain failures in an `errors` array.
  return new SlackApiError("datastore_error", {
    errors: [{ code, message, pointer }],
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Form values arrive as strings; JSON bodies may carry numbers or booleans. */
function asString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  return undefined;
}

/** A boolean argument: form bodies carry "true" or "1". */
function flag(value: unknown): boolean {
  const s = asString(value);
  return s === "true" || s === "1";
}

/**
 * Trigger inputs map each workflow input to `{value}` (or to
 * `{customizable: true}` for link triggers); anything else is refused.
 */
function checkTriggerInputs(inputs: unknown): void {
  if (!isObject(inputs)) {
    throw invalidArguments([
      "[ERROR] inputs must be an object [json-pointer:/inputs]",
    ]);
  }
  for (const [name, input] of Object.entries(inputs)) {
    if (
      !isObject(input) || !("value" in input || input.customizable === true)
    ) {
      throw invalidArguments([
        `[ERROR] each input needs a value, e.g. {"value": "..."} [json-pointer:/inputs/${name}]`,
      ]);
    }
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** How far `tz`'s wall clock is ahead of UTC at instant `ms`. */
function zoneOffsetMs(tz: string, ms: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(ms);
  const part = (type: string) =>
    Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * Epoch ms of a schedule's ISO 8601 start_time. A time without an offset is
 * wall time in the schedule's timezone, as Slack reads it.
 */
function startTimeMs(start: string, tz: string): number | undefined {
  const match =
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i
      .exec(start);
  if (!match) return undefined;
  const asUtc = Date.parse(match[1] ? start : `${start}Z`);
  if (Number.isNaN(asUtc)) return undefined;
  if (match[1]) return asUtc;
  const guess = asUtc - zoneOffsetMs(tz, asUtc);
  return asUtc - zoneOffsetMs(tz, guess);
}

function required(args: Args, ...names: string[]): void {
  const missing = names.filter((n) => {
    const v = args[n];
    return v === undefined || v === null || v === "";
  });
  if (missing.length) {
    throw invalidArguments(
      missing.map((n) => `[ERROR] missing required field: ${n}`),
    );
  }
}

/**
 * A fake Slack Web API server. Start with {@link SlackFake.start}, point the
 * SDK client at {@link SlackFake.apiUrl}, and always {@link SlackFake.close}.
 */
export class SlackFake {
  /** Base URL for the SDK's `slackApiUrl` (ends with a slash). */
  readonly apiUrl: string;
  /** The token requests must carry. */
  readonly botToken: string;
  /** Every request in arrival order, failures included. */
  readonly calls: RecordedSlackCall[] = [];
  /** Open views by id. */
  readonly views: Map<string, FakeView> = new Map();
  /**
   * Every posted message in its latest state (chat.update mutates it),
   * ephemeral ones included.
   */
  readonly messages: FakeMessage[] = [];
  /** Accepted function completions, in order. */
  readonly completions: FakeCompletion[] = [];
  /** Block Kit problems found on any call so far. */
  readonly blockKitViolations: BlockKitViolation[] = [];
  /**
   * Current workflow triggers by ID, as workflows.triggers.* return them, so
   * an emulator can fire scheduled ones when its clock moves.
   */
  readonly triggers: Map<string, Record<string, unknown>> = new Map();

  #server: Deno.HttpServer<Deno.NetAddr>;
  #clock: () => number;
  #latencyMs: number;
  #methodLatencyMs: Record<string, number>;
  /** Items the datastore method being answered evaluated (query, count). */
  #evaluated: number | undefined;
  /** Items deleted through the API per datastore, for resuming cursors. */
  #deletes = new Map<string, number>();
  #users = new Map<string, FakeSlackUser>();
  #channels = new Map<string, FakeChannel>();
  /** DM channel id -> user id. */
  #dms = new Map<string, string>();
  #usergroups = new Map<string, FakeUsergroup>();
  #pointers = new Map<
    string,
    { user: string; issuedAt: number; used: boolean }
  >();
  #datastoreKeys: Record<string, string>;
  #datastores = new Map<string, Map<string, Record<string, unknown>>>();
  #failures = new Map<string, { error: string; remaining: number }[]>();
  /** Failures queued by failNextTriggerCalls, each with calls left. */
  #triggerFailures: (TriggerFailure & { error: string; remaining: number })[] =
    [];
  #refuseTriggerBursts: boolean;
  /** Wall time (performance.now()) of the last trigger call. */
  #lastTriggerCall = Number.NEGATIVE_INFINITY;
  /** Trigger calls since the last one refused as a burst. */
  #sinceBurstRefusal = TRIGGER_BURST_EVERY;
  /** HTTP status and headers of answers that are not a plain 200. */
  #httpAnswers = new WeakMap<
    Reply,
    { status: number; headers: Record<string, string> }
  >();
  #completed = new Set<string>();
  /** Function execution tokens ("xwfp-…") → the execution each belongs to. */
  readonly #executionTokens = new Map<string, string>();
  /** The execution whose token made the call being answered, if any. */
  #caller: string | undefined;
  readonly #crossCompletion: boolean;
  #counter = 0;
  #lastTsMicros = 0;
  #closed?: Promise<void>;
  #methods: Record<string, (args: Args) => Reply>;

  private constructor(opts: SlackFakeOptions) {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req) => this.#handle(req),
    );
    this.apiUrl = `http://127.0.0.1:${this.#server.addr.port}/api/`;
    this.botToken = opts.botToken ?? "xoxb-fake-bot-token";
    this.#crossCompletion = opts.allowCrossExecutionCompletion ?? false;
    this.#refuseTriggerBursts = opts.refuseTriggerBursts ?? true;
    this.#clock = opts.clock ?? Date.now;
    this.#latencyMs = opts.latencyMs ?? 0;
    this.#methodLatencyMs = { ...opts.methodLatencyMs };
    for (const u of opts.users ?? slackPeople()) {
      this.#users.set(u.id, { team_id: FAKE_TEAM_ID, ...u });
    }
    for (const c of opts.channels ?? DEFAULT_CHANNELS) {
      this.#channels.set(c.id, { ...c });
    }
    for (const g of opts.usergroups ?? DEFAULT_USERGROUPS) {
      this.#usergroups.set(g.id, { ...g, users: [...g.users] });
    }
    this.#datastoreKeys = { ...opts.datastores };
    for (const name of Object.keys(this.#datastoreKeys)) {
      this.#datastores.set(name, new Map());
    }
    this.#methods = {
      "auth.test": () => this.#authTest(),
      "views.open": (a) => this.#viewsOpen(a),
      "views.push": (a) => this.#viewsPush(a),
      "views.update": (a) => this.#viewsUpdate(a),
      "chat.postMessage": (a) => this.#postMessage(a),
      "chat.postEphemeral": (a) => this.#postEphemeral(a),
      "chat.update": (a) => this.#chatUpdate(a),
      "users.info": (a) => this.#usersInfo(a),
      "users.lookupByEmail": (a) => this.#lookupByEmail(a),
      "conversations.info": (a) => this.#conversationsInfo(a),
      "conversations.open": (a) => this.#conversationsOpen(a),
      "usergroups.list": (a) => this.#usergroupsList(a),
      "usergroups.users.list": (a) => this.#usergroupsUsersList(a),
      "workflows.triggers.create": (a) => this.#triggersCreate(a),
      "workflows.triggers.update": (a) => this.#triggersUpdate(a),
      "workflows.triggers.delete": (a) => this.#triggersDelete(a),
      "workflows.triggers.list": (a) => this.#triggersList(a),
      "apps.datastore.put": (a) => this.#dsPut(a),
      "apps.datastore.update": (a) => this.#dsUpdate(a),
      "apps.datastore.bulkPut": (a) => this.#dsBulkPut(a),
      "apps.datastore.get": (a) => this.#dsGet(a),
      "apps.datastore.bulkGet": (a) => this.#dsBulkGet(a),
      "apps.datastore.delete": (a) => this.#dsDelete(a),
      "apps.datastore.bulkDelete": (a) => this.#dsBulkDelete(a),
      "apps.datastore.query": (a) => this.#dsQuery(a),
      "apps.datastore.count": (a) => this.#dsCount(a),
      "functions.completeSuccess": (a) => this.#complete(a, "success"),
      "functions.completeError": (a) => this.#complete(a, "error"),
    };
  }

  /** Starts a fake on an ephemeral 127.0.0.1 port. */
  static start(opts: SlackFakeOptions = {}): Promise<SlackFake> {
    return Promise.resolve(new SlackFake(opts));
  }

  /** Stops the server and waits until it has fully shut down. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#server.shutdown();
      await this.#server.finished;
    })();
    return this.#closed;
  }

  /** Calls of one method, in order. */
  callsTo(method: string): RecordedSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * Calls per method since call number `from` (an index into `calls`), and
   * the datastore items their queries and counts evaluated.
   */
  callCounts(from = 0): { methods: Record<string, number>; evaluated: number } {
    const methods: Record<string, number> = {};
    let evaluated = 0;
    for (const c of this.calls.slice(from)) {
      methods[c.method] = (methods[c.method] ?? 0) + 1;
      evaluated += c.evaluated ?? 0;
    }
    return { methods, evaluated };
  }

  /**
   * The token Slack hands a function execution's events (`bot_access_token`
   * of `function_executed` and of its interactivity payloads): it works as
   * the bot token does, and completes only its own execution.
   */
  executionToken(executionId: string): string {
    for (const [token, id] of this.#executionTokens) {
      if (id === executionId) return token;
    }
    const token = `xwfp-${executionId}-${
      crypto.randomUUID().replaceAll("-", "").slice(0, 16)
    }`;
    this.#executionTokens.set(token, executionId);
    return token;
  }

  /**
   * Issues an interactivity pointer as Slack does for a click or shortcut:
   * valid for one views.open/push, within 3 s of wall time.
   */
  newInteractivityPointer(userId: string): string {
    const n = ++this.#counter;
    const secret = crypto.randomUUID().replaceAll("-", "");
    const pointer = `${n}.${Math.floor(this.#clock() / 1000)}.${secret}`;
    this.#pointers.set(pointer, {
      user: userId,
      issuedAt: this.#clock(),
      used: false,
    });
    return pointer;
  }

  /**
   * Messages in a channel, oldest first. A user ID finds the DM the bot has
   * with that user.
   */
  messagesIn(channelOrUserId: string): FakeMessage[] {
    const channel = this.#users.has(channelOrUserId)
      ? dmChannelId(channelOrUserId)
      : channelOrUserId;
    return this.messages.filter((m) => m.channel === channel);
  }

  /**
   * The live contents of a datastore, keyed by primary key value. Tests may
   * seed or inspect it directly. Throws for a datastore not configured in
   * {@link SlackFakeOptions.datastores}.
   */
  datastore(name: string): Map<string, Record<string, unknown>> {
    const store = this.#datastores.get(name);
    if (!store) {
      throw new Error(
        `SlackFake: datastore "${name}" is not configured; pass it in options.datastores`,
      );
    }
    return store;
  }

  /** Adds a person (or replaces the one with the same ID). */
  addUser(user: FakeSlackUser): void {
    this.#users.set(user.id, { team_id: FAKE_TEAM_ID, ...user });
  }

  /** Changes a user group's members, e.g. between a request and a click. */
  setUsergroupMembers(id: string, users: string[]): void {
    const group = this.#usergroups.get(id);
    if (!group) throw new Error(`no user group ${id}`);
    group.users = [...users];
  }

  /** Makes the next `times` calls of `method` answer `{ok: false, error}`. */
  failMethod(method: string, error: string, times = 1): void {
    const queue = this.#failures.get(method) ?? [];
    queue.push({ error, remaining: times });
    this.#failures.set(method, queue);
  }

  // -------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (!url.pathname.startsWith("/api/")) {
      return new Response("not found", { status: 404 });
    }
    const method = url.pathname.slice("/api/".length);
    let args: Args = {};
    let reply: Reply;
    try {
      args = await parseArgs(req, url);
    } catch (e) {
      reply = { ok: false, error: "invalid_form_data", detail: String(e) };
    }
    // Set by #dispatch for this call; nothing else runs until it is recorded.
    this.#caller = undefined;
    try {
      reply ??= this.#dispatch(method, req, args);
    } catch (e) {
      // A bug in the fake itself: answer loudly rather than hang the caller.
      reply = { ok: false, error: "fake_internal_error", detail: String(e) };
    }
    // Private copies, so later state changes cannot rewrite recorded history
    // (handlers keep parts of `args`, such as blocks, in live state).
    const response = structuredClone(reply);
    const http = this.#httpAnswers.get(reply);
    // #dispatch runs synchronously, so this is the count of this call.
    const evaluated = this.#evaluated;
    this.#evaluated = undefined;
    this.calls.push({
      method,
      at: this.#clock(),
      args: structuredClone(args),
      response,
      ...(evaluated !== undefined ? { evaluated } : {}),
      ...(this.#caller !== undefined ? { execution: this.#caller } : {}),
    });
    const latency = this.#latencyMs + (this.#methodLatencyMs[method] ?? 0);
    if (latency > 0) {
      await new Promise((r) => setTimeout(r, latency));
    }
    return new Response(JSON.stringify(response), {
      status: http?.status ?? 200,
      headers: {
        ...http?.headers,
        "content-type": "application/json; charset=utf-8",
        // Every fake gets a fresh port, so pooled keep-alive sockets in the
        // SDK's HTTP client would only outlive close(); one per call is cheap.
        "connection": "close",
      },
    });
  }

  #dispatch(method: string, req: Request, args: Args): Reply {
    const header = req.headers.get("authorization") ?? "";
    const bearer = /^Bearer\s+(.*)$/i.exec(header)?.[1]?.trim();
    const token = bearer || asString(args.token);
    // The token is a credential, not an argument; keep it out of `calls`.
    delete args.token;

    const handler = Object.hasOwn(this.#methods, method)
      ? this.#methods[method]
      : undefined;
    if (!handler) return { ok: false, error: "unknown_method" };
    if (!token) return { ok: false, error: "not_authed" };
    const execution = this.#executionTokens.get(token);
    if (token !== this.botToken && execution === undefined) {
      return { ok: false, error: "invalid_auth" };
    }
    this.#caller = execution;

    if (TRIGGER_METHODS.has(method)) {
      const refused = this.#triggerGate(method, args);
      if (refused) return refused;
    }

    const queue = this.#failures.get(method);
    if (queue?.length) {
      const failure = queue[0];
      if (--failure.remaining <= 0) queue.shift();
      return { ok: false, error: failure.error };
    }

    try {
      return handler(args);
    } catch (e) {
      if (e instanceof SlackApiError) {
        return { ok: false, error: e.code, ...e.extra };
      }
      throw e;
    }
  }

  // -------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------

  #nextId(prefix: string): string {
    return `${prefix}0FAKE${String(++this.#counter).padStart(5, "0")}`;
  }

  #newHash(): string {
    const n = ++this.#counter;
    return `${Math.floor(this.#clock() / 1000)}.${n.toString(36)}fake`;
  }

  /** Unique, increasing "seconds.micros" timestamps that track the clock. */
  #nextTs(): string {
    const micros = Math.max(
      this.#lastTsMicros + 100,
      Math.floor(this.#clock()) * 1000,
    );
    this.#lastTsMicros = micros;
    const seconds = Math.floor(micros / 1e6);
    const frac = String(micros % 1e6).padStart(6, "0");
    return `${seconds}.${frac}`;
  }

  /** Records violations and turns them into Slack's error reply. */
  #rejectBlocks(
    method: string,
    violations: Violation[],
    error: "invalid_arguments" | "invalid_blocks",
  ): void {
    if (!violations.length) return;
    for (const v of violations) this.blockKitViolations.push({ method, ...v });
    const messages = violations.map(formatViolation);
    // views.* say invalid_arguments; chat.* say invalid_blocks and also list
    // the bare messages under `errors`, as Slack does.
    throw new SlackApiError(error, {
      ...(error === "invalid_blocks"
        ? {
          errors: violations.map((v) =>
            `${v.message} [json-pointer:${v.path}]`
          ),
        }
        : {}),
      response_metadata: { messages },
    });
  }

  #consumePointer(args: Args): string {
    const pointer = asString(args.interactivity_pointer ?? args.trigger_id);
    if (!pointer) {
      throw invalidArguments([
        "[ERROR] missing required field: interactivity_pointer or trigger_id",
      ]);
    }
    const record = this.#pointers.get(pointer);
    if (!record) throw new SlackApiError("invalid_trigger_id");
    if (record.used) throw new SlackApiError("exchanged_trigger_id");
    if (this.#clock() - record.issuedAt > POINTER_LIFETIME_MS) {
      throw new SlackApiError("expired_trigger_id");
    }
    record.used = true;
    return record.user;
  }

  #storeView(
    base: Record<string, unknown>,
    identity: { id: string; user: string; root: string; previous: unknown },
  ): Record<string, unknown> {
    const hash = this.#newHash();
    const view = {
      private_metadata: "",
      callback_id: "",
      external_id: "",
      clear_on_close: false,
      notify_on_close: false,
      ...base,
      id: identity.id,
      team_id: FAKE_TEAM_ID,
      state: { values: {} },
      hash,
      root_view_id: identity.root,
      previous_view_id: identity.previous,
      app_id: FAKE_BOT.appId,
      bot_id: FAKE_BOT.botId,
    };
    this.views.set(identity.id, {
      id: identity.id,
      hash,
      user: identity.user,
      view,
    });
    return view;
  }

  #assertExternalIdFree(view: Record<string, unknown>, except?: string) {
    const ext = view.external_id;
    if (typeof ext !== "string" || ext === "") return;
    for (const v of this.views.values()) {
      if (v.id !== except && v.view.external_id === ext) {
        throw new SlackApiError("duplicate_external_id");
      }
    }
  }

  #user(id: string): FakeSlackUser | undefined {
    return this.#users.get(id);
  }

  /** Resolves a channel argument the way chat.* methods do. */
  #resolveChannel(raw: string): string {
    if (/^[UW]/.test(raw)) return this.#openDm(raw);
    if (this.#dms.has(raw)) return raw;
    if (raw.startsWith("D")) {
      // A DM id derived from a known user is valid even if not opened yet.
      const user = [...this.#users.keys()].find((u) => dmChannelId(u) === raw);
      if (user) return this.#openDm(user);
    }
    const name = raw.replace(/^#/, "");
    const channel = this.#channels.get(raw) ??
      [...this.#channels.values()].find((c) => c.name === name);
    // Bots hold chat:write.public, so public channels need no membership;
    // private ones the bot is not in are invisible to it.
    if (!channel || (channel.is_private && !channel.is_member)) {
      throw new SlackApiError("channel_not_found");
    }
    return channel.id;
  }

  #openDm(userId: string): string {
    const user = this.#user(userId);
    if (!user) throw new SlackApiError("channel_not_found");
    if (user.deleted) throw new SlackApiError("user_not_found");
    if (user.is_bot) throw new SlackApiError("cannot_dm_bot");
    const id = dmChannelId(userId);
    this.#dms.set(id, userId);
    return id;
  }

  /** Text and blocks for chat.* calls; throws no_text / invalid_blocks. */
  #messageContent(method: string, args: Args, requireContent: boolean) {
    const text = asString(args.text);
    const blocks = args.blocks;
    const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
    if (requireContent && !text && !hasBlocks) {
      throw new SlackApiError("no_text");
    }
    if (blocks !== undefined && blocks !== "") {
      this.#rejectBlocks(
        method,
        validateMessageBlocks(blocks),
        "invalid_blocks",
      );
    }
    if (text !== undefined && [...text].length > MAX_MESSAGE_TEXT) {
      throw new SlackApiError("msg_too_long");
    }
    return {
      text,
      blocks: Array.isArray(blocks) ? blocks as unknown[] : undefined,
    };
  }

  #messageJson(m: FakeMessage): Reply {
    return {
      type: "message",
      subtype: "bot_message",
      text: m.text ?? "",
      ...(m.blocks ? { blocks: m.blocks } : {}),
      user: FAKE_BOT.userId,
      bot_id: FAKE_BOT.botId,
      app_id: FAKE_BOT.appId,
      team: FAKE_TEAM_ID,
      ts: m.ts,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    };
  }

  #userJson(u: FakeSlackUser): Reply {
    return {
      id: u.id,
      team_id: u.team_id ?? FAKE_TEAM_ID,
      name: u.name,
      real_name: u.real_name,
      deleted: u.deleted ?? false,
      is_bot: u.is_bot ?? false,
      tz: u.tz,
      tz_label: u.tz_label,
      tz_offset: u.tz_offset,
      profile: {
        real_name: u.real_name,
        real_name_normalized: u.real_name,
        display_name: u.name,
        display_name_normalized: u.name,
        ...(u.email ? { email: u.email } : {}),
      },
    };
  }

  // -------------------------------------------------------------------------
  // Methods
  // -------------------------------------------------------------------------

  #authTest(): Reply {
    return {
      ok: true,
      url: "https://fake-workspace.slack.com/",
      team: "Fake Workspace",
      user: FAKE_BOT.name,
      team_id: FAKE_TEAM_ID,
      user_id: FAKE_BOT.userId,
      bot_id: FAKE_BOT.botId,
      is_enterprise_install: false,
    };
  }

  #viewsOpen(args: Args): Reply {
    required(args, "view");
    this.#rejectBlocks(
      "views.open",
      validateView(args.view),
      "invalid_arguments",
    );
    const view = args.view as Record<string, unknown>;
    this.#assertExternalIdFree(view);
    const user = this.#consumePointer(args);
    const id = this.#nextId("V");
    return {
      ok: true,
      view: this.#storeView(view, { id, user, root: id, previous: null }),
    };
  }

  #viewsPush(args: Args): Reply {
    required(args, "view");
    this.#rejectBlocks(
      "views.push",
      validateView(args.view),
      "invalid_arguments",
    );
    const view = args.view as Record<string, unknown>;
    this.#assertExternalIdFree(view);
    const user = this.#consumePointer(args);
    // Pushed onto the newest view this user has open, if any.
    const top = [...this.views.values()].filter((v) => v.user === user).at(-1);
    const id = this.#nextId("V");
    return {
      ok: true,
      view: this.#storeView(view, {
        id,
        user,
        root: top ? String(top.view.root_view_id) : id,
        previous: top?.id ?? null,
      }),
    };
  }

  #viewsUpdate(args: Args): Reply {
    required(args, "view");
    const viewId = asString(args.view_id);
    const externalId = asString(args.external_id);
    if (!viewId && !externalId) {
      throw invalidArguments([
        "[ERROR] missing required field: view_id or external_id",
      ]);
    }
    const current = viewId
      ? this.views.get(viewId)
      : [...this.views.values()].find((v) => v.view.external_id === externalId);
    if (!current) throw new SlackApiError("not_found");
    const hash = asString(args.hash);
    if (hash && hash !== current.hash) {
      throw new SlackApiError("hash_conflict");
    }
    this.#rejectBlocks(
      "views.update",
      validateView(args.view),
      "invalid_arguments",
    );
    const view = args.view as Record<string, unknown>;
    this.#assertExternalIdFree(view, current.id);
    return {
      ok: true,
      view: this.#storeView(view, {
        id: current.id,
        user: current.user,
        root: String(current.view.root_view_id),
        previous: current.view.previous_view_id,
      }),
    };
  }

  #postMessage(args: Args): Reply {
    required(args, "channel");
    const channel = this.#resolveChannel(String(args.channel));
    const { text, blocks } = this.#messageContent(
      "chat.postMessage",
      args,
      true,
    );
    const threadTs = asString(args.thread_ts);
    const message: FakeMessage = {
      channel,
      ts: this.#nextTs(),
      ...(text !== undefined ? { text } : {}),
      ...(blocks ? { blocks } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      updates: 0,
    };
    this.messages.push(message);
    return {
      ok: true,
      channel,
      ts: message.ts,
      message: this.#messageJson(message),
    };
  }

  #postEphemeral(args: Args): Reply {
    required(args, "channel", "user");
    const userId = String(args.user);
    const user = this.#user(userId);
    if (!user || user.deleted) throw new SlackApiError("user_not_found");
    const channel = this.#resolveChannel(String(args.channel));
    const { text, blocks } = this.#messageContent(
      "chat.postEphemeral",
      args,
      true,
    );
    const threadTs = asString(args.thread_ts);
    const message: FakeMessage = {
      channel,
      ts: this.#nextTs(),
      ...(text !== undefined ? { text } : {}),
      ...(blocks ? { blocks } : {}),
      ephemeral_user: userId,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      updates: 0,
    };
    this.messages.push(message);
    return { ok: true, message_ts: message.ts };
  }

  #chatUpdate(args: Args): Reply {
    required(args, "channel", "ts");
    const channel = this.#resolveChannel(String(args.channel));
    const ts = String(args.ts);
    // Ephemeral messages cannot be edited through chat.update.
    const message = this.messages.find((m) =>
      m.channel === channel && m.ts === ts && !m.ephemeral_user
    );
    if (!message) throw new SlackApiError("message_not_found");
    const { text, blocks } = this.#messageContent("chat.update", args, false);
    if (text === undefined && blocks === undefined) {
      throw new SlackApiError("no_text");
    }
    if (text !== undefined) message.text = text;
    // Slack keeps old blocks unless `blocks` is sent; [] removes them.
    if (blocks !== undefined) {
      if (blocks.length) message.blocks = blocks;
      else delete message.blocks;
    }
    message.updates++;
    return {
      ok: true,
      channel,
      ts,
      text: message.text ?? "",
      message: this.#messageJson(message),
    };
  }

  #usersInfo(args: Args): Reply {
    required(args, "user");
    const user = this.#user(String(args.user));
    if (!user) throw new SlackApiError("user_not_found");
    return { ok: true, user: this.#userJson(user) };
  }

  #lookupByEmail(args: Args): Reply {
    required(args, "email");
    const email = String(args.email).toLowerCase();
    // Deactivated accounts are not found by email, as in Slack.
    const user = [...this.#users.values()].find((u) =>
      !u.deleted && u.email?.toLowerCase() === email
    );
    if (!user) throw new SlackApiError("users_not_found");
    return { ok: true, user: this.#userJson(user) };
  }

  #conversationsInfo(args: Args): Reply {
    required(args, "channel");
    const id = String(args.channel);
    const dmUser = this.#dms.get(id);
    if (dmUser) {
      return {
        ok: true,
        channel: {
          id,
          is_im: true,
          user: dmUser,
          is_private: true,
          is_member: true,
        },
      };
    }
    const c = this.#channels.get(id);
    // A private channel the bot is not in does not exist as far as it knows.
    if (!c || (c.is_private && !c.is_member)) {
      throw new SlackApiError("channel_not_found");
    }
    return {
      ok: true,
      channel: {
        id: c.id,
        name: c.name,
        is_channel: !c.is_private,
        is_group: c.is_private,
        is_im: false,
        is_private: c.is_private,
        is_member: c.is_member,
        is_archived: false,
      },
    };
  }

  // --- user groups ----------------------------------------------------------

  #usergroupsList(args: Args): Reply {
    const withUsers = flag(args.include_users);
    const withDisabled = flag(args.include_disabled);
    return {
      ok: true,
      usergroups: [...this.#usergroups.values()]
        .filter((g) => withDisabled || !g.date_delete)
        .map((g) => ({
          id: g.id,
          team_id: FAKE_TEAM_ID,
          is_usergroup: true,
          handle: g.handle,
          name: g.name,
          date_delete: g.date_delete ?? 0,
          user_count: g.users.length,
          ...(withUsers ? { users: [...g.users] } : {}),
        })),
    };
  }

  #usergroupsUsersList(args: Args): Reply {
    required(args, "usergroup");
    const group = this.#usergroups.get(String(args.usergroup));
    // A disabled group is only visible with include_disabled.
    if (!group || (group.date_delete && !flag(args.include_disabled))) {
      throw new SlackApiError("no_such_subteam");
    }
    return { ok: true, users: [...group.users] };
  }

  // --- workflow triggers ----------------------------------------------------

  /**
   * Validates create/update arguments and builds the trigger Slack would
   * store. Slack replaces the whole definition on update, so this is used
   * for both; `previous` carries what an update keeps (id, URLs, created).
   */
  #buildTrigger(
    args: Args,
    previous?: Record<string, unknown>,
  ): Record<string, unknown> {
    required(args, "type", "name", "workflow");
    const type = String(args.type);
    if (!TRIGGER_TYPES.has(type)) {
      throw invalidArguments([
        `[ERROR] type must be one of ${
          [...TRIGGER_TYPES].join(", ")
        } [json-pointer:/type]`,
      ]);
    }
    const workflow = asString(args.workflow) ?? "";
    const callbackId = /^#\/workflows\/([A-Za-z0-9_-]+)$/.exec(workflow)?.[1];
    if (!callbackId) {
      throw invalidArguments([
        "[ERROR] workflow must look like #/workflows/<callback_id> [json-pointer:/workflow]",
      ]);
    }
    const inputs = args.inputs ?? {};
    checkTriggerInputs(inputs);
    let schedule: Record<string, unknown> | undefined;
    if (type === "scheduled") schedule = this.#checkSchedule(args.schedule);
    if (type === "event") {
      const event = args.event;
      if (!isObject(event) || typeof event.event_type !== "string") {
        throw invalidArguments([
          "[ERROR] event triggers need event.event_type [json-pointer:/event]",
        ]);
      }
    }

    const now = Math.floor(this.#clock() / 1000);
    const id = previous ? String(previous.id) : this.#nextId("Ft");
    const secret = () => crypto.randomUUID().replaceAll("-", "");
    const {
      trigger_id: _id,
      type: _type,
      name: _name,
      workflow: _workflow,
      inputs: _inputs,
      schedule: _schedule,
      ...extra
    } = args;
    return {
      ...extra,
      id,
      type,
      name: String(args.name),
      description: asString(args.description) ?? "",
      workflow: {
        id: `Fn0FAKE${callbackId}`,
        callback_id: callbackId,
        app_id: FAKE_BOT.appId,
      },
      inputs,
      ...(schedule ? { schedule } : {}),
      ...(type === "shortcut"
        ? {
          shortcut_url: previous?.shortcut_url ??
            `https://slack.com/shortcuts/${id}/${secret()}`,
        }
        : {}),
      ...(type === "webhook"
        ? {
          webhook_url: previous?.webhook_url ??
            `https://hooks.slack.com/triggers/${FAKE_TEAM_ID}/${id}/${secret()}`,
        }
        : {}),
      date_created: previous?.date_created ?? now,
      date_updated: now,
    };
  }

  /** Slack refuses schedules without a valid start time in the future. */
  #checkSchedule(raw: unknown): Record<string, unknown> {
    if (!isObject(raw) || typeof raw.start_time !== "string") {
      throw new SlackApiError("invalid_scheduled_trigger", {
        response_metadata: {
          messages: [
            "[ERROR] scheduled triggers need schedule.start_time [json-pointer:/schedule/start_time]",
          ],
        },
      });
    }
    const timezone = raw.timezone === undefined ? "UTC" : raw.timezone;
    if (typeof timezone !== "string" || !isTimeZone(timezone)) {
      throw new SlackApiError("invalid_scheduled_trigger", {
        response_metadata: {
          messages: [
            `[ERROR] unknown timezone ${
              JSON.stringify(timezone)
            } [json-pointer:/schedule/timezone]`,
          ],
        },
      });
    }
    const start = startTimeMs(raw.start_time, timezone);
    if (start === undefined) {
      throw new SlackApiError("invalid_scheduled_trigger", {
        response_metadata: {
          messages: [
            `[ERROR] start_time must be an ISO 8601 time in the future [json-pointer:/schedule/start_time]`,
          ],
        },
      });
    }
    // Slack's answer to a start that is not in the future
    // (slack-samples/deno-triage-rotation#27).
    if (start <= this.#clock()) {
      throw new SlackApiError("invalid_start_before_now");
    }
    const frequency = raw.frequency;
    if (frequency !== undefined) {
      const repeats = isObject(frequency) ? frequency.repeats_every : undefined;
      if (
        !isObject(frequency) || typeof frequency.type !== "string" ||
        !SCHEDULE_FREQUENCIES.has(frequency.type) ||
        (repeats !== undefined &&
          !(Number.isInteger(repeats) && (repeats as number) >= 1))
      ) {
        throw invalidArguments([
          `[ERROR] frequency.type must be one of ${
            [...SCHEDULE_FREQUENCIES].join(", ")
          } and repeats_every a positive integer [json-pointer:/schedule/frequency]`,
        ]);
      }
    }
    return { ...raw, timezone };
  }

  /**
   * Creates a trigger as `slack trigger create --trigger-def …` would (the
   * app's own link triggers); throws SlackApiError on an invalid definition.
   */
  addTrigger(def: Record<string, unknown>): Record<string, unknown> {
    const trigger = this.#buildTrigger(structuredClone(def));
    this.triggers.set(String(trigger.id), trigger);
    return trigger;
  }

  /** The current time of this fake's clock, in epoch milliseconds. */
  now(): number {
    return this.#clock();
  }

  /**
   * Makes the next `times` trigger calls (`workflows.triggers.create`,
   * `update`, `delete`, `list`; or only those `failure` picks) answer
   * `{ok: false, error}`: 429 with `Retry-After` for `ratelimited`, as Slack
   * does; another status when `failure.status` says so.
   */
  failNextTriggerCalls(
    times: number,
    error = "internal_error",
    failure: TriggerFailure = {},
  ): void {
    this.#triggerFailures.push({ ...failure, error, remaining: times });
  }

  /**
   * Trigger methods only: queued failures first, then the burst rule
   * ({@link TRIGGER_BURST_MS}). Every trigger call counts for the rule,
   * refused ones included.
   */
  #triggerGate(method: string, args: Args): Reply | undefined {
    const wall = performance.now();
    const burst = wall - this.#lastTriggerCall < TRIGGER_BURST_MS;
    this.#lastTriggerCall = wall;
    this.#sinceBurstRefusal++;
    const name = method.slice("workflows.triggers.".length);
    const i = this.#triggerFailures.findIndex((f) =>
      f.remaining > 0 && (!f.method || f.method === name) &&
      (!f.match || f.match.test(JSON.stringify(args)))
    );
    if (i >= 0) {
      const f = this.#triggerFailures[i];
      if (--f.remaining <= 0) this.#triggerFailures.splice(i, 1);
      const reply: Reply = { ok: false, error: f.error };
      const status = f.status ?? (f.error === "ratelimited" ? 429 : 200);
      if (status !== 200) {
        this.#httpAnswers.set(reply, {
          status,
          headers: status === 429
            ? { "retry-after": String(f.retryAfterSeconds ?? 1) }
            : {},
        });
      }
      return reply;
    }
    if (
      this.#refuseTriggerBursts && burst &&
      this.#sinceBurstRefusal >= TRIGGER_BURST_EVERY
    ) {
      this.#sinceBurstRefusal = 0;
      return { ok: false, error: "token_revoked" };
    }
    return undefined;
  }

  #triggersCreate(args: Args): Reply {
    const trigger = this.#buildTrigger(args);
    this.triggers.set(String(trigger.id), trigger);
    return { ok: true, trigger };
  }

  #triggersUpdate(args: Args): Reply {
    required(args, "trigger_id");
    const id = String(args.trigger_id);
    const previous = this.triggers.get(id);
    if (!previous) throw new SlackApiError("trigger_not_found");
    const trigger = this.#buildTrigger(args, previous);
    this.triggers.set(id, trigger);
    return { ok: true, trigger };
  }

  #triggersDelete(args: Args): Reply {
    required(args, "trigger_id");
    if (!this.triggers.delete(String(args.trigger_id))) {
      throw new SlackApiError("trigger_not_found");
    }
    return { ok: true };
  }

  #triggersList(args: Args): Reply {
    const limit = args.limit === undefined || args.limit === ""
      ? DEFAULT_QUERY_LIMIT
      : Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      throw invalidArguments(["[ERROR] limit must be a positive integer"]);
    }
    const cursor = asString(args.cursor);
    const start = cursor ? decodeCursor(cursor) : 0;
    if (start === undefined) throw new SlackApiError("invalid_cursor");
    const type = asString(args.type);
    const all = [...this.triggers.values()].filter((t) =>
      !type || t.type === type
    );
    const end = Math.min(start + limit, all.length);
    return {
      ok: true,
      triggers: all.slice(start, end),
      response_metadata: {
        next_cursor: end < all.length ? encodeCursor(end) : "",
      },
    };
  }

  #conversationsOpen(args: Args): Reply {
    required(args, "users");
    const users = String(args.users).split(",").map((s) => s.trim());
    if (users.length !== 1) {
      throw invalidArguments(["[ERROR] the fake only opens 1:1 DMs"]);
    }
    return { ok: true, channel: { id: this.#openDm(users[0]) } };
  }

  // --- datastores ----------------------------------------------------------

  #ds(args: Args) {
    required(args, "datastore");
    const name = String(args.datastore);
    const items = this.#datastores.get(name);
    const key = this.#datastoreKeys[name];
    if (!items || !key) {
      throw datastoreError(
        "datastore_not_found",
        `datastore "${name}" is not defined in this app (configure it in SlackFakeOptions.datastores)`,
        "/datastore",
      );
    }
    return { name, items, key };
  }

  #keyOf(item: unknown, key: string, pointer: string): string {
    if (!isObject(item)) {
      throw datastoreError("invalid_item", "item must be an object", pointer);
    }
    // Slack datastores are backed by DynamoDB: an item holds at most 400 KB.
    if (new TextEncoder().encode(JSON.stringify(item)).length > 400_000) {
      throw datastoreError(
        "item_too_large",
        "item is larger than the 400 KB datastore limit",
        pointer,
      );
    }
    const id = asString(item[key]);
    if (!id) {
      throw datastoreError(
        "primary_key_missing",
        `item is missing its primary key "${key}"`,
        `${pointer}/${key}`,
      );
    }
    return id;
  }

  #dsPut(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "item");
    const id = this.#keyOf(args.item, ds.key, "/item");
    ds.items.set(id, structuredClone(args.item as Record<string, unknown>));
    return { ok: true, datastore: ds.name, item: ds.items.get(id) };
  }

  #dsUpdate(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "item");
    const id = this.#keyOf(args.item, ds.key, "/item");
    const merged = {
      ...ds.items.get(id),
      ...structuredClone(args.item as Record<string, unknown>),
    };
    ds.items.set(id, merged);
    return { ok: true, datastore: ds.name, item: merged };
  }

  #dsBulkPut(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "items");
    if (!Array.isArray(args.items)) {
      throw invalidArguments(["[ERROR] items must be an array"]);
    }
    bulkLimit(args.items, "items");
    const ids = args.items.map((item, i) =>
      this.#keyOf(item, ds.key, `/items/${i}`)
    );
    const items = args.items as Record<string, unknown>[];
    ids.forEach((id, i) => ds.items.set(id, structuredClone(items[i])));
    return { ok: true, datastore: ds.name, failed_items: [] };
  }

  #dsGet(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "id");
    // Slack answers ok with an empty item when nothing has that key.
    return {
      ok: true,
      datastore: ds.name,
      item: ds.items.get(String(args.id)) ?? {},
    };
  }

  #dsBulkGet(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "ids");
    if (!Array.isArray(args.ids)) {
      throw invalidArguments(["[ERROR] ids must be an array"]);
    }
    bulkLimit(args.ids, "ids");
    const items = args.ids
      .map((id) => ds.items.get(String(id)))
      .filter((item) => item !== undefined);
    return { ok: true, datastore: ds.name, items, failed_items: [] };
  }

  #dsDelete(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "id");
    if (ds.items.delete(String(args.id))) this.#deleted(ds.name, 1);
    return { ok: true, datastore: ds.name };
  }

  #dsBulkDelete(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "ids");
    if (!Array.isArray(args.ids)) {
      throw invalidArguments(["[ERROR] ids must be an array"]);
    }
    bulkLimit(args.ids, "ids");
    for (const id of args.ids) {
      if (ds.items.delete(String(id))) this.#deleted(ds.name, 1);
    }
    return { ok: true, datastore: ds.name, ids: [] };
  }

  #deleted(name: string, n: number): void {
    this.#deletes.set(name, (this.#deletes.get(name) ?? 0) + n);
  }

  #filterFor(args: Args): (item: Record<string, unknown>) => boolean {
    const expression = asString(args.expression);
    if (!expression) return () => true;
    try {
      return compileExpression(
        expression,
        isObject(args.expression_attributes) ? args.expression_attributes : {},
        isObject(args.expression_values) ? args.expression_values : {},
      );
    } catch (e) {
      throw datastoreError(
        "invalid_expression",
        e instanceof Error ? e.message : String(e),
        "/expression",
      );
    }
  }

  #dsQuery(args: Args): Reply {
    const ds = this.#ds(args);
    const matches = this.#filterFor(args);
    const limit = args.limit === undefined || args.limit === ""
      ? DEFAULT_QUERY_LIMIT
      : Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      throw invalidArguments(["[ERROR] limit must be a positive integer"]);
    }
    if (limit > MAX_QUERY_LIMIT) {
      throw invalidArguments([
        `[ERROR] limit must be at most ${MAX_QUERY_LIMIT} (got ${limit})`,
      ]);
    }
    const all = [...ds.items.entries()];
    const cursorText = asString(args.cursor);
    let start = 0;
    if (cursorText) {
      const cursor = decodeScanCursor(cursorText);
      if (!cursor) throw new SlackApiError("invalid_cursor");
      start = this.#resume(ds.name, all, cursor);
    }
    // Slack's query is a DynamoDB scan: `limit` caps the items *evaluated*
    // (read, before the filter), and so does 1 MB of them; the filter then
    // applies to that page alone. A page may hold fewer matches than the
    // limit, or none, and still carry a next cursor: callers follow it.
    let end = start, bytes = 0;
    const items: Record<string, unknown>[] = [];
    while (end < all.length && end - start < limit) {
      const item = all[end][1];
      const size = new TextEncoder().encode(JSON.stringify(item)).length;
      if (end > start && bytes + size > QUERY_PAGE_BYTES) break;
      bytes += size;
      end++;
      if (matches(item)) items.push(item);
    }
    this.#evaluated = end - start;
    return {
      ok: true,
      datastore: ds.name,
      items,
      response_metadata: {
        next_cursor: end < all.length
          ? encodeScanCursor({
            key: all[end - 1][0],
            offset: end,
            deletes: this.#deletes.get(ds.name) ?? 0,
          })
          : "",
      },
    };
  }

  /**
   * Where a cursor's page begins: after the last evaluated key, as
   * DynamoDB's LastEvaluatedKey does, so items deleted meanwhile never make
   * a scan skip one. If that key itself was deleted, back off by the
   * deletions since (re-evaluating some items rather than missing one).
   */
  #resume(
    name: string,
    all: [string, unknown][],
    cursor: { key: string; offset: number; deletes: number },
  ): number {
    if (all[cursor.offset - 1]?.[0] === cursor.key) return cursor.offset;
    const at = all.findIndex(([key]) => key === cursor.key);
    if (at >= 0) return at + 1;
    const since = (this.#deletes.get(name) ?? 0) - cursor.deletes;
    return Math.max(
      0,
      Math.min(all.length, cursor.offset - Math.max(1, since)),
    );
  }

  #dsCount(args: Args): Reply {
    const ds = this.#ds(args);
    const matches = this.#filterFor(args);
    // Counts every item matching the filter, as one answer; it evaluates
    // (and is priced by) the whole datastore, like a scan to the end.
    const all = [...ds.items.values()];
    this.#evaluated = all.length;
    return {
      ok: true,
      datastore: ds.name,
      count: all.filter(matches).length,
    };
  }

  // --- functions -----------------------------------------------------------

  #complete(args: Args, kind: "success" | "error"): Reply {
    required(
      args,
      "function_execution_id",
      kind === "success" ? "outputs" : "error",
    );
    const id = String(args.function_execution_id);
    if (!this.#crossCompletion && this.#caller !== id) {
      // Only the execution's own token may complete it.
      throw new SlackApiError("access_denied");
    }
    // Slack answers a second completion of one execution like this.
    if (this.#completed.has(id)) {
      throw new SlackApiError("function_execution_not_found");
    }
    this.#completed.add(id);
    this.completions.push(
      kind === "success"
        ? { function_execution_id: id, kind, outputs: args.outputs }
        : { function_execution_id: id, kind, error: String(args.error) },
    );
    return { ok: true };
  }
}

/** The DM channel the bot shares with a user: D + the user ID's tail. */
function dmChannelId(userId: string): string {
  return `D${userId.slice(1)}`;
}

/** Arguments from the query string and a form or JSON body. */
async function parseArgs(req: Request, url: URL): Promise<Args> {
  const args: Args = {};
  const fromForm = (params: URLSearchParams) => {
    for (const [key, value] of params) {
      args[key] = JSON_PARAMS.has(key) ? parseJsonValue(value) : value;
    }
  };
  fromForm(url.searchParams);
  const body = await req.text();
  if (!body.trim()) return args;
  const type = req.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    const parsed: unknown = JSON.parse(body);
    if (!isObject(parsed)) throw new Error("JSON body must be an object");
    Object.assign(args, parsed);
  } else {
    fromForm(new URLSearchParams(body));
  }
  return args;
}

/** JSON text becomes its value; anything unparsable stays the raw string. */
function parseJsonValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function encodeCursor(offset: number): string {
  return btoa(`fake-offset:${offset}`);
}

function decodeCursor(cursor: string): number | undefined {
  try {
    const match = /^fake-offset:(\d+)$/.exec(atob(cursor));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** A query cursor: the last key evaluated, where it was, deletions then. */
type QueryCursor = { key: string; offset: number; deletes: number };

function encodeScanCursor(cursor: QueryCursor): string {
  const bytes = new TextEncoder().encode(
    `fake-scan:${JSON.stringify(cursor)}`,
  );
  return btoa(String.fromCharCode(...bytes));
}

function decodeScanCursor(text: string): QueryCursor | undefined {
  try {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const match = /^fake-scan:(.*)$/s.exec(new TextDecoder().decode(bytes));
    const c = match ? JSON.parse(match[1]) : undefined;
    return isObject(c) && typeof c.key === "string" &&
        Number.isInteger(c.offset) && Number.isInteger(c.deletes)
      ? { key: c.key, offset: c.offset as number, deletes: c.deletes as number }
      : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Datastore filter expressions
// ---------------------------------------------------------------------------

type Item = Record<string, unknown>;
type Operand = (item: Item) => unknown;
type Predicate = (item: Item) => boolean;

const MISSING = Symbol("missing");

/**
 * Compiles the DynamoDB-style filter expressions Slack datastores accept:
 * comparisons (= <> < <= > >=), BETWEEN, IN, AND / OR / NOT, parentheses,
 * and the functions attribute_exists, attribute_not_exists, begins_with and
 * contains. `#name` and `:value` placeholders must be defined; nested
 * attributes use dots (`#a.#b`). Anything else throws, so an expression the
 * fake does not understand fails loudly instead of matching wrongly.
 */
export function compileExpression(
  expression: string,
  attributes: Record<string, unknown>,
  values: Record<string, unknown>,
): Predicate {
  const tokens = expression.match(
    /#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|<>|<=|>=|[=<>(),.]|\S/g,
  ) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const peekWord = () => peek()?.toUpperCase();
  const next = () => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error(`unexpected end of "${expression}"`);
    return t;
  };
  const expect = (t: string) => {
    const got = next();
    if (got !== t) throw new Error(`expected "${t}" but found "${got}"`);
  };

  const attributeName = (token: string): string => {
    if (token.startsWith("#")) {
      const name = attributes[token];
      if (typeof name !== "string") {
        throw new Error(`${token} is not defined in expression_attributes`);
      }
      return name;
    }
    if (/^[A-Za-z_]/.test(token)) return token;
    throw new Error(`expected an attribute name but found "${token}"`);
  };

  const path = (): Operand => {
    const names = [attributeName(next())];
    while (peek() === ".") {
      next();
      names.push(attributeName(next()));
    }
    return (item) => {
      let v: unknown = item;
      for (const n of names) {
        if (!isObject(v) || !(n in v)) return MISSING;
        v = v[n];
      }
      return v;
    };
  };

  const operand = (): Operand => {
    const t = peek();
    if (t?.startsWith(":")) {
      next();
      if (!(t in values)) {
        throw new Error(`${t} is not defined in expression_values`);
      }
      const value = values[t];
      return () => value;
    }
    return path();
  };

  const COMPARATORS: Record<string, (a: unknown, b: unknown) => boolean> = {
    "=": (a, b) => a !== MISSING && sameValue(a, b),
    "<>": (a, b) => a !== MISSING && !sameValue(a, b),
    "<": (a, b) => ordered(a, b, (x, y) => x < y),
    "<=": (a, b) => ordered(a, b, (x, y) => x <= y),
    ">": (a, b) => ordered(a, b, (x, y) => x > y),
    ">=": (a, b) => ordered(a, b, (x, y) => x >= y),
  };

  const FUNCTIONS: Record<string, () => Predicate> = {
    ATTRIBUTE_EXISTS: () => {
      const p = path();
      return (item) => p(item) !== MISSING;
    },
    ATTRIBUTE_NOT_EXISTS: () => {
      const p = path();
      return (item) => p(item) === MISSING;
    },
    BEGINS_WITH: () => {
      const p = path();
      expect(",");
      const v = operand();
      return (item) => {
        const a = p(item), b = v(item);
        return typeof a === "string" && typeof b === "string" &&
          a.startsWith(b);
      };
    },
    CONTAINS: () => {
      const p = path();
      expect(",");
      const v = operand();
      return (item) => {
        const a = p(item), b = v(item);
        if (typeof a === "string" && typeof b === "string") {
          return a.includes(b);
        }
        return Array.isArray(a) && a.some((x) => sameValue(x, b));
      };
    },
  };

  const primary = (): Predicate => {
    if (peek() === "(") {
      next();
      const inner = or();
      expect(")");
      return inner;
    }
    const fn = FUNCTIONS[peekWord() ?? ""];
    if (fn && tokens[pos + 1] === "(") {
      next();
      next();
      const predicate = fn();
      expect(")");
      return predicate;
    }
    const left = operand();
    const op = next();
    if (op.toUpperCase() === "BETWEEN") {
      const low = operand();
      if (next().toUpperCase() !== "AND") throw new Error("BETWEEN needs AND");
      const high = operand();
      return (item) =>
        COMPARATORS[">="](left(item), low(item)) &&
        COMPARATORS["<="](left(item), high(item));
    }
    if (op.toUpperCase() === "IN") {
      expect("(");
      const options = [operand()];
      while (peek() === ",") {
        next();
        options.push(operand());
      }
      expect(")");
      return (item) => options.some((o) => sameValue(left(item), o(item)));
    }
    const compare = COMPARATORS[op];
    if (!compare) throw new Error(`unsupported operator "${op}"`);
    const right = operand();
    return (item) => compare(left(item), right(item));
  };

  const not = (): Predicate => {
    if (peekWord() === "NOT") {
      next();
      const inner = not();
      return (item) => !inner(item);
    }
    return primary();
  };

  const and = (): Predicate => {
    const parts = [not()];
    while (peekWord() === "AND") {
      next();
      parts.push(not());
    }
    return (item) => parts.every((p) => p(item));
  };

  const or = (): Predicate => {
    const parts = [and()];
    while (peekWord() === "OR") {
      next();
      parts.push(and());
    }
    return (item) => parts.some((p) => p(item));
  };

  const predicate = or();
  if (pos !== tokens.length) {
    throw new Error(`unexpected "${tokens[pos]}" in "${expression}"`);
  }
  return predicate;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** DynamoDB only orders numbers with numbers and strings with strings. */
function ordered(
  a: unknown,
  b: unknown,
  cmp: (x: number | string, y: number | string) => boolean,
): boolean {
  if (typeof a === "number" && typeof b === "number") return cmp(a, b);
  if (typeof a === "string" && typeof b === "string") return cmp(a, b);
  return false;
}
