/**
 * The emulator's workflow triggers: workflows.triggers.* over an in-memory
 * store, checked as Slack checks them (types, `#/workflows/<callback_id>`,
 * inputs, schedules), with Slack's misleading `token_revoked` answer to
 * bursts and failures a test can queue.
 *
 * @module
 */
import {
  type Args,
  asString,
  invalidArguments,
  isObject,
  type MethodTable,
  pageLimit,
  type Reply,
  required,
  SlackApiError,
} from "./api.ts";
import { checkSchedule } from "./schedule.ts";
import { FAKE_BOT, type TriggerFailure } from "./types.ts";
import { FAKE_TEAM_ID } from "../slack_people.ts";

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

/** A stored trigger, as workflows.triggers.* return it. */
export type StoredTrigger = Record<string, unknown>;

/** An answer other than a plain 200, e.g. 429 with `Retry-After`. */
export type HttpAnswer = { status: number; headers: Record<string, string> };

/** What a trigger call is refused with, before its handler runs. */
export type Refusal = { reply: Reply; http?: HttpAnswer };

/** What the trigger store needs from the emulator around it. */
export type TriggerStoreOptions = {
  /** The emulator's clock, in epoch ms. */
  clock: () => number;
  /** A new emulator-wide ID with this prefix ("Ft" for triggers). */
  nextId: (prefix: string) => string;
  /** Whether bursts are refused ({@link TRIGGER_BURST_MS}). */
  refuseBursts: boolean;
};

/**
 * Workflow triggers by ID, with the workflows.triggers.* methods and the
 * gate every trigger call passes first.
 *
 * @example
 * ```ts
 * const store = new TriggerStore({
 *   clock: Date.now,
 *   nextId: (p) => `${p}1`,
 *   refuseBursts: true,
 * });
 * store.add({ type: "shortcut", name: "Ask", workflow: "#/workflows/ask" });
 * ```
 */
export class TriggerStore {
  /** Current triggers by ID. */
  readonly triggers: Map<string, StoredTrigger> = new Map();
  readonly #opts: TriggerStoreOptions;
  /** Failures queued by failNext, each with calls left. */
  #failures: (TriggerFailure & { error: string; remaining: number })[] = [];
  /** Wall time (performance.now()) of the last trigger call. */
  #lastCall = Number.NEGATIVE_INFINITY;
  /** Trigger calls since the last one refused as a burst. */
  #sinceBurstRefusal = TRIGGER_BURST_EVERY;

  constructor(opts: TriggerStoreOptions) {
    this.#opts = opts;
  }

  /** Whether `method` is a trigger method (the gate applies to it). */
  static isTriggerMethod(method: string): boolean {
    return TRIGGER_METHODS.has(method);
  }

  /** The workflows.triggers.* methods. */
  methods(): MethodTable {
    return {
      "workflows.triggers.create": (a) => this.#create(a),
      "workflows.triggers.update": (a) => this.#update(a),
      "workflows.triggers.delete": (a) => this.#delete(a),
      "workflows.triggers.list": (a) => this.#list(a),
    };
  }

  /** Creates a trigger without a call; throws SlackApiError when invalid. */
  add(def: StoredTrigger): StoredTrigger {
    const trigger = this.#build(structuredClone(def));
    this.triggers.set(String(trigger.id), trigger);
    return trigger;
  }

  /** Queues a failure for the next `times` matching trigger calls. */
  failNext(times: number, error: string, failure: TriggerFailure): void {
    this.#failures.push({ ...failure, error, remaining: times });
  }

  /**
   * Trigger methods only: queued failures first, then the burst rule
   * ({@link TRIGGER_BURST_MS}). Every trigger call counts for the rule,
   * refused ones included.
   */
  gate(method: string, args: Args): Refusal | undefined {
    const wall = performance.now();
    const burst = wall - this.#lastCall < TRIGGER_BURST_MS;
    this.#lastCall = wall;
    this.#sinceBurstRefusal++;
    const name = method.slice("workflows.triggers.".length);
    const i = this.#failures.findIndex((f) =>
      f.remaining > 0 && (!f.method || f.method === name) &&
      (!f.match || f.match.test(JSON.stringify(args)))
    );
    if (i >= 0) {
      const f = this.#failures[i];
      if (--f.remaining <= 0) this.#failures.splice(i, 1);
      const reply: Reply = { ok: false, error: f.error };
      const status = f.status ?? (f.error === "ratelimited" ? 429 : 200);
      if (status === 200) return { reply };
      return {
        reply,
        http: {
          status,
          headers: status === 429
            ? { "retry-after": String(f.retryAfterSeconds ?? 1) }
            : {},
        },
      };
    }
    if (
      this.#opts.refuseBursts && burst &&
      this.#sinceBurstRefusal >= TRIGGER_BURST_EVERY
    ) {
      this.#sinceBurstRefusal = 0;
      return { reply: { ok: false, error: "token_revoked" } };
    }
    return undefined;
  }

  /**
   * Validates create/update arguments and builds the trigger Slack would
   * store. Slack replaces the whole definition on update, so this is used
   * for both; `previous` carries what an update keeps (id, URLs, created).
   */
  #build(args: Args, previous?: StoredTrigger): StoredTrigger {
    const { type, callbackId, inputs, schedule } = this.#checkDefinition(args);
    const now = Math.floor(this.#opts.clock() / 1000);
    const id = previous ? String(previous.id) : this.#opts.nextId("Ft");
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

  /** The parts of a definition Slack checks, refused when invalid. */
  #checkDefinition(args: Args) {
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
    if (type === "scheduled") {
      schedule = checkSchedule(args.schedule, this.#opts.clock());
    }
    if (type === "event") {
      const event = args.event;
      if (!isObject(event) || typeof event.event_type !== "string") {
        throw invalidArguments([
          "[ERROR] event triggers need event.event_type [json-pointer:/event]",
        ]);
      }
    }
    return { type, callbackId, inputs, schedule };
  }

  #create(args: Args): Reply {
    const trigger = this.#build(args);
    this.triggers.set(String(trigger.id), trigger);
    return { ok: true, trigger };
  }

  #update(args: Args): Reply {
    required(args, "trigger_id");
    const id = String(args.trigger_id);
    const previous = this.triggers.get(id);
    if (!previous) throw new SlackApiError("trigger_not_found");
    const trigger = this.#build(args, previous);
    this.triggers.set(id, trigger);
    return { ok: true, trigger };
  }

  #delete(args: Args): Reply {
    required(args, "trigger_id");
    if (!this.triggers.delete(String(args.trigger_id))) {
      throw new SlackApiError("trigger_not_found");
    }
    return { ok: true };
  }

  #list(args: Args): Reply {
    const limit = pageLimit(args);
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
