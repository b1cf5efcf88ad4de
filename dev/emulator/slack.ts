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
 * This file is the surface (HTTP, tokens, the method table, what tests
 * inspect); the methods live in `slack/`: `datastore.ts` (with its query
 * compiler in `query.ts`), `triggers.ts` (with `schedule.ts`),
 * `methods_views.ts`, `methods_chat.ts`, `methods_people.ts`,
 * `methods_conversations.ts` and `methods_functions.ts`, over the shared
 * state in `workspace.ts`.
 *
 * @module
 */
import {
  type Args,
  asString,
  type MethodTable,
  parseArgs,
  type Reply,
  SlackApiError,
} from "./slack/api.ts";
import { FakeDatastores } from "./slack/datastore.ts";
import { chatMethods } from "./slack/methods_chat.ts";
import { conversationMethods } from "./slack/methods_conversations.ts";
import { functionMethods } from "./slack/methods_functions.ts";
import { peopleMethods } from "./slack/methods_people.ts";
import { issuePointer, viewMethods } from "./slack/methods_views.ts";
import {
  type HttpAnswer,
  type StoredTrigger,
  TriggerStore,
} from "./slack/triggers.ts";
import type {
  BlockKitViolation,
  FakeCompletion,
  FakeMessage,
  FakeSlackUser,
  FakeView,
  RecordedSlackCall,
  SlackFakeOptions,
  TriggerFailure,
} from "./slack/types.ts";
import { dmChannelId, SlackWorkspace } from "./slack/workspace.ts";

export type * from "./slack/types.ts";
export { FAKE_BOT } from "./slack/types.ts";
export { compileExpression } from "./slack/query.ts";
export { TRIGGER_BURST_EVERY, TRIGGER_BURST_MS } from "./slack/triggers.ts";

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

/**
 * A fake Slack Web API server. Start with {@link SlackFake.start}, point the
 * SDK client at {@link SlackFake.apiUrl}, and always {@link SlackFake.close}.
 *
 * @example
 * ```ts
 * const fake = await SlackFake.start({ datastores: { requests: "id" } });
 * const client = SlackAPI(fake.botToken, { slackApiUrl: fake.apiUrl });
 * await client.chat.postMessage({ channel: PEOPLE.alice, text: "Hi" });
 * fake.messagesIn(PEOPLE.alice); // [{ text: "Hi", … }]
 * await fake.close();
 * ```
 */
export class SlackFake {
  /** Base URL for the SDK's `slackApiUrl` (ends with a slash). */
  readonly apiUrl: string;
  /** The token requests must carry. */
  readonly botToken: string;
  /** Every request in arrival order, failures included. */
  readonly calls: RecordedSlackCall[] = [];
  /** Open views by id. */
  readonly views: Map<string, FakeView>;
  /**
   * Every posted message in its latest state (chat.update mutates it),
   * ephemeral ones included.
   */
  readonly messages: FakeMessage[];
  /** Accepted function completions, in order. */
  readonly completions: FakeCompletion[] = [];
  /** Block Kit problems found on any call so far. */
  readonly blockKitViolations: BlockKitViolation[];
  /**
   * Current workflow triggers by ID, as workflows.triggers.* return them, so
   * an emulator can fire scheduled ones when its clock moves.
   */
  readonly triggers: Map<string, StoredTrigger>;

  #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #workspace: SlackWorkspace;
  readonly #datastores: FakeDatastores;
  readonly #triggerStore: TriggerStore;
  #latencyMs: number;
  #methodLatencyMs: Record<string, number>;
  #failures = new Map<string, { error: string; remaining: number }[]>();
  /** HTTP status and headers of answers that are not a plain 200. */
  #httpAnswers = new WeakMap<Reply, HttpAnswer>();
  /** Function execution tokens ("xwfp-…") → the execution each belongs to. */
  readonly #executionTokens = new Map<string, string>();
  /** The execution whose token made the call being answered, if any. */
  #caller: string | undefined;
  #closed?: Promise<void>;
  /** The Web API: method name → handler, one table per method family. */
  readonly #methods: MethodTable;

  private constructor(opts: SlackFakeOptions) {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req) => this.#handle(req),
    );
    this.apiUrl = `http://127.0.0.1:${this.#server.addr.port}/api/`;
    this.botToken = opts.botToken ?? "xoxb-fake-bot-token";
    this.#latencyMs = opts.latencyMs ?? 0;
    this.#methodLatencyMs = { ...opts.methodLatencyMs };
    const ws = this.#workspace = new SlackWorkspace(opts);
    this.views = ws.views;
    this.messages = ws.messages;
    this.blockKitViolations = ws.blockKitViolations;
    this.#datastores = new FakeDatastores(opts.datastores ?? {});
    this.#triggerStore = new TriggerStore({
      clock: ws.clock,
      nextId: (prefix) => ws.nextId(prefix),
      refuseBursts: opts.refuseTriggerBursts ?? true,
    });
    this.triggers = this.#triggerStore.triggers;
    this.#methods = {
      ...peopleMethods(ws),
      ...viewMethods(ws),
      ...chatMethods(ws),
      ...conversationMethods(ws),
      ...this.#triggerStore.methods(),
      ...this.#datastores.methods(),
      ...functionMethods({
        completions: this.completions,
        allowCrossExecution: opts.allowCrossExecutionCompletion ?? false,
        caller: () => this.#caller,
      }),
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
    return issuePointer(this.#workspace, userId);
  }

  /**
   * Messages in a channel, oldest first. A user ID finds the DM the bot has
   * with that user.
   */
  messagesIn(channelOrUserId: string): FakeMessage[] {
    const channel = this.#workspace.users.has(channelOrUserId)
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
    const store = this.#datastores.store(name);
    if (!store) {
      throw new Error(
        `SlackFake: datastore "${name}" is not configured; pass it in options.datastores`,
      );
    }
    return store;
  }

  /** Adds a person (or replaces the one with the same ID). */
  addUser(user: FakeSlackUser): void {
    this.#workspace.addUser(user);
  }

  /** Changes a user group's members, e.g. between a request and a click. */
  setUsergroupMembers(id: string, users: string[]): void {
    const group = this.#workspace.usergroups.get(id);
    if (!group) throw new Error(`no user group ${id}`);
    group.users = [...users];
  }

  /** Makes the next `times` calls of `method` answer `{ok: false, error}`. */
  failMethod(method: string, error: string, times = 1): void {
    const queue = this.#failures.get(method) ?? [];
    queue.push({ error, remaining: times });
    this.#failures.set(method, queue);
  }

  /**
   * Creates a trigger as `slack trigger create --trigger-def …` would (the
   * app's own link triggers); throws SlackApiError on an invalid definition.
   */
  addTrigger(def: Record<string, unknown>): Record<string, unknown> {
    return this.#triggerStore.add(def);
  }

  /** The current time of this fake's clock, in epoch milliseconds. */
  now(): number {
    return this.#workspace.clock();
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
    this.#triggerStore.failNext(times, error, failure);
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
    const evaluated = this.#datastores.takeEvaluated();
    this.calls.push({
      method,
      at: this.#workspace.clock(),
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

    if (TriggerStore.isTriggerMethod(method)) {
      const refused = this.#triggerStore.gate(method, args);
      if (refused) {
        if (refused.http) this.#httpAnswers.set(refused.reply, refused.http);
        return refused.reply;
      }
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
}
