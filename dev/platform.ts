/**
 * A small stand-in for Slack's workflow platform, for tests: it runs a
 * manifest workflow's steps in order, delivers Slack-shaped events to the
 * app's functions (through {@linkcode dispatchPayload}), and lets a test act
 * as a person would ("choose Production", "click Approve"), building every
 * payload from what the app actually rendered.
 *
 * @module
 */
import type { SlackFake } from "./emulator/slack.ts";
import type { InvocationPayload } from "./runtime/dispatch.ts";
import { HandlerTimeoutError } from "./runtime/subprocess.ts";

/** Delivers one event to the app and returns its answer. */
export type Dispatcher = (payload: InvocationPayload) => Promise<unknown>;

// deno-lint-ignore no-explicit-any
type Json = any;

/** One function execution of a workflow run. */
export type Execution = {
  id: string;
  callbackId: string;
  inputs: Record<string, unknown>;
  status: "running" | "completed" | "failed";
  outputs?: Record<string, unknown>;
  error?: string;
};

/** One run of a workflow. */
export type WorkflowRun = {
  workflowId: string;
  inputs: Record<string, unknown>;
  executions: Execution[];
  status: "running" | "completed" | "failed";
};

type WorkflowDef = {
  steps: { id: string; function_id: string; inputs: Record<string, unknown> }[];
};

/** What the platform needs to run the app. */
export type PlatformOptions = {
  slack: SlackFake;
  /** The app's environment (`slack env`), SLACK_API_URL is added. */
  env: Record<string, string>;
  /** How events reach the app (a fresh process each, like Slack). */
  dispatch: Dispatcher;
  /** The manifest's `workflows`. */
  workflows: Record<string, WorkflowDef>;
  /** Moves the emulated wall clock (Slack, Tailscale and the app) forward. */
  advanceClock?: (ms: number) => void;
};

const TEAM_ID = "T0EXAMPLE1";

/** An event Slack delivered to the app. */
export type Delivery = {
  payload: InvocationPayload;
  response: unknown;
  /** The execution the event belongs to. */
  execution: Execution;
};

/** What a person sees when Slack gave up on the app's handler. */
export const HANDLER_TIMED_OUT = { timed_out: true } as const;
/** What a click on a completed execution's message or view does: nothing. */
export const ACTION_DROPPED = { dropped: true } as const;

/** The fake Slack platform. */
export class SlackPlatform {
  readonly runs: WorkflowRun[] = [];
  /** Every payload delivered, with the app's answer. */
  readonly deliveries: Delivery[] = [];
  /**
   * Handlers Slack gave up on at its time limits (the process was killed):
   * a `function_executed` fails its execution; a person who clicked or
   * submitted sees Slack's error.
   */
  readonly timeouts: { event: string; execution: Execution }[] = [];
  /**
   * Actions on messages and views of executions that had completed: Slack
   * no longer delivers them (slackapi/bolt-js#2508).
   */
  readonly dropped: { type: string; execution: Execution }[] = [];
  readonly #opts: PlatformOptions;
  #counter = 0;
  /** view_id → execution that opened it. */
  readonly #viewOwner = new Map<string, Execution>();
  /** channel:ts → execution that posted it. */
  readonly #messageOwner = new Map<string, Execution>();
  /** view_id → block_id → action_id → entered state. */
  readonly #entered = new Map<string, Map<string, Map<string, Json>>>();
  readonly #closedViews = new Set<string>();
  /** Values typed into messages' input blocks, by person:channel:ts. */
  readonly #messageState = new Map<string, Record<string, Json>>();
  /** Scheduled triggers that have run (Slack runs a "once" trigger once). */
  /** When each scheduled trigger last ran (epoch ms). */
  readonly #fired = new Map<string, number>();

  constructor(opts: PlatformOptions) {
    this.#opts = opts;
  }

  get #env(): Record<string, string> {
    return { ...this.#opts.env, SLACK_API_URL: this.#opts.slack.apiUrl };
  }

  /** A person starts a workflow from a link trigger (the shortcut). */
  async startWorkflow(
    workflowId: string,
    userId: string,
    inputs: Record<string, unknown> = {},
  ): Promise<WorkflowRun> {
    return await this.#run(workflowId, {
      interactivity: this.#interactivity(userId),
      user: userId,
      ...inputs,
    });
  }

  async #run(
    workflowId: string,
    inputs: Record<string, unknown>,
  ): Promise<WorkflowRun> {
    const run: WorkflowRun = {
      workflowId,
      inputs,
      executions: [],
      status: "running",
    };
    this.runs.push(run);
    await this.#startStep(run, 0);
    return run;
  }

  /**
   * Runs a trigger's workflow as Slack would: `{{data.user_id}}` and
   * `{{data.interactivity}}` filled in for `userId` (link triggers),
   * customizable inputs from `custom`, literal values as given.
   */
  async runTrigger(
    trigger: Record<string, Json>,
    userId?: string,
    custom: Record<string, string> = {},
  ): Promise<WorkflowRun> {
    const inputs: Record<string, unknown> = {};
    for (const [name, input] of Object.entries(trigger.inputs ?? {})) {
      const spec = input as { value?: unknown; customizable?: boolean };
      if (spec.customizable) {
        if (name in custom) inputs[name] = custom[name];
      } else if (spec.value === "{{data.user_id}}") {
        inputs[name] = userId;
      } else if (spec.value === "{{data.interactivity}}") {
        inputs[name] = userId ? this.#interactivity(userId) : undefined;
      } else {
        inputs[name] = spec.value;
      }
    }
    return await this.#run(trigger.workflow.callback_id, inputs);
  }

  /**
   * Moves the clock forward by `ms` and runs, in time order, every
   * scheduled trigger that has come due; returns the runs started.
   */
  async advanceClock(ms: number): Promise<WorkflowRun[]> {
    if (!this.#opts.advanceClock) {
      throw new Error("this platform has no clock to move");
    }
    this.#opts.advanceClock(ms);
    const runs: WorkflowRun[] = [];
    for (;;) {
      const now = this.#opts.slack.now();
      const due = [...this.#opts.slack.triggers.values()]
        .filter((t) => t.type === "scheduled")
        .map((t) => ({ t, at: this.#nextRun(t) }))
        .filter(({ at }) => at !== null && at <= now)
        .sort((a, b) => a.at! - b.at!);
      if (!due.length) return runs;
      this.#fired.set(String(due[0].t.id), due[0].at!);
      runs.push(await this.runTrigger(due[0].t as Record<string, Json>));
    }
  }

  /**
   * When a scheduled trigger runs next (epoch ms), or null when it will not
   * again: once at its start time, or every period from it (hourly, daily,
   * weekly; `repeats_every` periods apart).
   */
  #nextRun(trigger: Record<string, unknown>): number | null {
    const schedule = trigger.schedule as Record<string, Json>;
    const start = Date.parse(String(schedule.start_time));
    const last = this.#fired.get(String(trigger.id));
    const frequency = (schedule.frequency ?? {}) as Record<string, Json>;
    const unit = {
      hourly: 3_600_000,
      daily: 86_400_000,
      weekly: 7 * 86_400_000,
    }[String(frequency.type)];
    if (!unit) return last === undefined ? start : null;
    if (last === undefined) return start;
    return last + unit * Number(frequency.repeats_every ?? 1);
  }

  /** Clicks a workflow button in a message: runs its link trigger. */
  async clickWorkflowButton(
    userId: string,
    message: { blocks?: unknown[] },
    buttonText: string,
  ): Promise<WorkflowRun> {
    const button = findElement(
      message.blocks ?? [],
      "workflow_button",
      buttonText,
    );
    const url = button.workflow?.trigger?.url;
    const trigger = [...this.#opts.slack.triggers.values()].find((t) =>
      t.shortcut_url === url
    );
    if (!trigger) throw new Error(`no link trigger has the URL ${url}`);
    const custom: Record<string, string> = {};
    for (
      const p of button.workflow.trigger.customizable_input_parameters ?? []
    ) custom[p.name] = p.value;
    return await this.runTrigger(
      trigger as Record<string, Json>,
      userId,
      custom,
    );
  }

  /**
   * Clicks the button labelled `buttonText` in the person's open view
   * (the first one, or the one whose value is `value`). `forgedValue` sends
   * another value instead, as a tampered client could.
   */
  async press(
    userId: string,
    buttonText: string,
    opts: { value?: string; forgedValue?: string } = {},
  ) {
    const { id, view } = this.openView(userId);
    const { block, element } = findButtonIn(
      view.blocks ?? [],
      buttonText,
      opts.value,
    );
    return await this.#viewAction(userId, id, block, element, {
      value: opts.forgedValue ?? element.value,
      text: element.text,
    });
  }

  // ---- acting as a person -------------------------------------------------

  /** The view currently open for a person (the latest one opened). */
  openView(userId: string): { id: string; view: Json } {
    const views = [...this.#opts.slack.views.values()].filter((v) =>
      v.user === userId && !this.#closedViews.has(v.id)
    );
    const last = views.at(-1);
    if (!last) throw new Error(`no view is open for ${userId}`);
    return { id: last.id, view: last.view };
  }

  /** Chooses an option (by its text) in the select or radio group labelled `label`. */
  async choose(userId: string, label: string, optionText: string) {
    const { id, view } = this.openView(userId);
    const { block, element } = findInput(view, label);
    const option = findOption(element, optionText);
    this.#enter(id, block.block_id, element.action_id, {
      type: element.type,
      selected_option: option,
    });
    if (block.dispatch_action || block.type === "actions") {
      return await this.#viewAction(userId, id, block, element, {
        selected_option: option,
      });
    }
    return {};
  }

  /** Picks a user in the user picker labelled `label`. */
  chooseUser(userId: string, label: string, chosenUserId: string) {
    const { id, view } = this.openView(userId);
    const { block, element } = findInput(view, label);
    if (element.type !== "users_select") {
      throw new Error(`"${label}" is a ${element.type}, not a user picker`);
    }
    this.#enter(id, block.block_id, element.action_id, {
      type: element.type,
      selected_user: chosenUserId,
    });
  }

  /** Types text into the input labelled `label`. */
  type(userId: string, label: string, text: string) {
    const { id, view } = this.openView(userId);
    const { block, element } = findInput(view, label);
    this.#enter(id, block.block_id, element.action_id, {
      type: element.type,
      value: text,
    });
  }

  /**
   * Sets a field's state to anything at all, as a tampered or stale client
   * could send it; the app must not trust what its form offered.
   */
  forge(userId: string, label: string, state: Record<string, unknown>) {
    const { id, view } = this.openView(userId);
    const { block, element } = findInput(view, label);
    this.#enter(id, block.block_id, element.action_id, {
      type: element.type,
      ...state,
    });
  }

  /** Types `query` into the external select labelled `label`; returns the app's answer. */
  async suggest(userId: string, label: string, query: string): Promise<Json> {
    const { id, view } = this.openView(userId);
    const { block, element } = findInput(view, label);
    const execution = this.#ownerOfView(id);
    return await this.#deliver(execution, {
      type: "block_suggestion",
      user: this.#user(userId),
      container: { type: "view", view_id: id },
      view: this.#viewWithState(id, view),
      action_id: element.action_id,
      block_id: block.block_id,
      value: query,
      ...this.#functionData(execution, userId),
    });
  }

  /**
   * Types `query` into an external select and picks the option whose text
   * starts with `optionText`; returns the suggestions that were shown.
   */
  async pick(
    userId: string,
    label: string,
    query: string,
    optionText: string,
  ): Promise<Json> {
    const answer = await this.suggest(userId, label, query);
    const options: Json[] = answer.options ??
      (answer.option_groups ?? []).flatMap((g: Json) => g.options);
    const option = options.find((o) => o.text.text.startsWith(optionText));
    if (!option) {
      throw new Error(
        `no suggestion starting "${optionText}" among ${
          options.map((o) => o.text.text).join(" | ")
        }`,
      );
    }
    this.selectSuggested(userId, label, option);
    return answer;
  }

  /** Selects an option the app offered in an external select (after {@linkcode suggest}). */
  selectSuggested(userId: string, label: string, option: Json) {
    const { id, view } = this.openView(userId);
    const { block, element } = findInput(view, label);
    this.#enter(id, block.block_id, element.action_id, {
      type: element.type,
      selected_option: option,
    });
  }

  /** Presses the modal's submit button; returns the app's answer. */
  async submit(userId: string): Promise<Json> {
    const { id, view } = this.openView(userId);
    if (!view.submit) throw new Error("this view has no submit button");
    const execution = this.#ownerOfView(id);
    const response = await this.#deliver(execution, {
      type: "view_submission",
      user: this.#user(userId),
      view: this.#viewWithState(id, view),
      ...this.#functionData(execution, userId),
    });
    if (response?.response_action !== "errors") this.#closedViews.add(id);
    return response;
  }

  /** Closes the modal with its close button. */
  async closeView(userId: string) {
    const { id, view } = this.openView(userId);
    this.#closedViews.add(id);
    if (!view.notify_on_close) return {};
    const execution = this.#ownerOfView(id);
    return await this.#deliver(execution, {
      type: "view_closed",
      user: this.#user(userId),
      view: this.#viewWithState(id, view),
      is_cleared: false,
      ...this.#functionData(execution, userId),
    });
  }

  /** Types into the input labelled `label` in a message (kept per person). */
  typeInMessage(
    userId: string,
    message: { channel: string; ts: string; blocks?: unknown[] },
    label: string,
    text: string,
  ) {
    const { block, element } = findInput({ blocks: message.blocks }, label);
    const key = `${userId}:${message.channel}:${message.ts}`;
    const values = this.#messageState.get(key) ?? {};
    values[block.block_id] = {
      [element.action_id]: { type: element.type, value: text },
    };
    this.#messageState.set(key, values);
  }

  /**
   * Clicks the button labelled `buttonText` in a message: a workflow button
   * runs its link trigger; a plain button's action goes to the execution
   * that posted the message (dropped if it has completed).
   */
  async click(
    userId: string,
    message: { channel: string; ts: string; blocks?: unknown[] },
    buttonText: string,
  ) {
    if (hasElement(message.blocks ?? [], "workflow_button", buttonText)) {
      return await this.clickWorkflowButton(userId, message, buttonText);
    }
    const found = findButton(message.blocks ?? [], buttonText);
    const values = this.#messageState.get(
      `${userId}:${message.channel}:${message.ts}`,
    ) ?? {};
    const execution = this.#messageOwner.get(
      `${message.channel}:${message.ts}`,
    );
    if (!execution) throw new Error("no function posted that message");
    return await this.#deliver(execution, {
      type: "block_actions",
      user: this.#user(userId),
      container: {
        type: "message",
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
      },
      channel: { id: message.channel },
      message: { ts: message.ts, blocks: message.blocks },
      state: { values },
      actions: [{
        type: "button",
        block_id: found.block.block_id,
        action_id: found.button.action_id,
        text: found.button.text,
        value: found.button.value,
        action_ts: String(Date.now() / 1000),
      }],
      ...this.#functionData(execution, userId),
    });
  }

  // ---- the engine -----------------------------------------------------------

  async #startStep(run: WorkflowRun, index: number) {
    const def = this.#opts.workflows[run.workflowId];
    if (!def) throw new Error(`unknown workflow ${run.workflowId}`);
    const step = def.steps[index];
    if (!step) {
      run.status = "completed";
      return;
    }
    const callbackId = step.function_id.replace("#/functions/", "");
    const execution: Execution = {
      id: `Fx${String(++this.#counter).padStart(8, "0")}`,
      callbackId,
      inputs: resolveInputs(step.inputs, run),
      status: "running",
    };
    run.executions.push(execution);
    await this.#deliver(execution, null);
  }

  /** Delivers an event (null: function_executed) and advances the run. */
  async #deliver(execution: Execution, body: Json | null): Promise<Json> {
    if (body !== null && execution.status !== "running") {
      this.dropped.push({ type: String(body.type), execution });
      return ACTION_DROPPED;
    }
    const slack = this.#opts.slack;
    const token = slack.executionToken(execution.id);
    const payload: InvocationPayload = {
      body: body ?? {
        type: "event_callback",
        team_id: TEAM_ID,
        event: {
          type: "function_executed",
          function: { callback_id: execution.callbackId },
          function_execution_id: execution.id,
          inputs: execution.inputs,
          bot_access_token: token,
          event_ts: String(Date.now() / 1000),
        },
      },
      context: {
        bot_access_token: token,
        team_id: TEAM_ID,
        variables: this.#env,
      },
    };
    return await this.#send(execution, payload);
  }

  /**
   * Delivers again an event Slack already delivered (the same payload), as
   * its at-least-once delivery may: the last one of the function
   * `callbackId` (and event type `type`, default any), or the last of all.
   */
  async redeliver(
    callbackId?: string,
    type?: string,
  ): Promise<Json> {
    const found = this.deliveries.findLast((d) =>
      (callbackId === undefined || d.execution.callbackId === callbackId) &&
      (type === undefined || eventTypeOf(d.payload) === type)
    );
    if (!found) throw new Error(`no delivery of ${callbackId ?? "anything"}`);
    return await this.#send(found.execution, found.payload);
  }

  async #send(execution: Execution, payload: InvocationPayload): Promise<Json> {
    const slack = this.#opts.slack;
    const before = slack.calls.length;
    const violationsBefore = slack.blockKitViolations.length;
    let response: Json;
    try {
      response = await this.#opts.dispatch(payload) as Json;
    } catch (e) {
      if (!(e instanceof HandlerTimeoutError)) throw e;
      this.timeouts.push({ event: e.event, execution });
      const completed = slack.completions.some((c) =>
        c.function_execution_id === execution.id
      );
      if (
        e.event === "function_executed" && execution.status === "running" &&
        !completed
      ) {
        execution.status = "failed";
        execution.error = e.message;
        const run = this.runs.find((r) => r.executions.includes(execution));
        if (run) run.status = "failed";
      }
      response = HANDLER_TIMED_OUT;
    }
    this.deliveries.push({ payload, response, execution });
    this.#attribute(execution, slack.calls.slice(before));
    const violations = slack.blockKitViolations.slice(violationsBefore);
    if (violations.length) {
      // Real Slack would refuse these; a run that hit one is not a pass.
      throw new Error(
        `the app sent Block Kit that Slack rejects:\n${
          violations.map((v) => `  ${v.method} ${v.path}: ${v.message}`)
            .join("\n")
        }`,
      );
    }
    await this.#advance();
    return response;
  }

  /** Remembers which execution opened which views and posted which messages. */
  #attribute(execution: Execution, calls: SlackFake["calls"]) {
    for (const call of calls) {
      const res = call.response as Json;
      if (!res?.ok) continue;
      // Made during this delivery, but by another execution's event.
      if (call.execution !== undefined && call.execution !== execution.id) {
        continue;
      }
      if (call.method === "views.open" || call.method === "views.push") {
        this.#viewOwner.set(res.view.id, execution);
      } else if (call.method === "chat.postMessage") {
        this.#messageOwner.set(`${res.channel}:${res.ts}`, execution);
      }
    }
  }

  /** Applies functions.complete* calls to the runs, starting next steps. */
  async #advance() {
    for (const run of this.runs) {
      const current = run.executions.at(-1);
      if (!current || current.status !== "running") continue;
      const done = this.#opts.slack.completions.find((c) =>
        c.function_execution_id === current.id
      );
      if (!done) continue;
      if (done.kind === "success") {
        current.status = "completed";
        current.outputs = (done.outputs ?? {}) as Record<string, unknown>;
        await this.#startStep(run, run.executions.length);
      } else {
        current.status = "failed";
        current.error = done.error;
        run.status = "failed";
      }
    }
  }

  // ---- payload pieces -------------------------------------------------------

  async #viewAction(
    userId: string,
    viewId: string,
    block: Json,
    element: Json,
    value: Json,
  ) {
    const execution = this.#ownerOfView(viewId);
    const { view } = this.openView(userId);
    return await this.#deliver(execution, {
      type: "block_actions",
      user: this.#user(userId),
      container: { type: "view", view_id: viewId },
      view: this.#viewWithState(viewId, view),
      actions: [{
        type: element.type,
        block_id: block.block_id,
        action_id: element.action_id,
        ...value,
        action_ts: String(Date.now() / 1000),
      }],
      ...this.#functionData(execution, userId),
    });
  }

  #ownerOfView(viewId: string): Execution {
    const execution = this.#viewOwner.get(viewId);
    if (!execution) throw new Error(`no function opened view ${viewId}`);
    return execution;
  }

  #functionData(execution: Execution, userId: string) {
    return {
      function_data: {
        execution_id: execution.id,
        function: { callback_id: execution.callbackId },
        inputs: execution.inputs,
      },
      interactivity: this.#interactivity(userId),
      bot_access_token: this.#opts.slack.executionToken(execution.id),
      team: { id: TEAM_ID },
      enterprise: null,
    };
  }

  #interactivity(userId: string) {
    return {
      interactivity_pointer: this.#opts.slack.newInteractivityPointer(userId),
      interactor: { id: userId, secret: "interactor-secret" },
    };
  }

  #user(userId: string) {
    return { id: userId, team_id: TEAM_ID };
  }

  #enter(viewId: string, blockId: string, actionId: string, state: Json) {
    const blocks = this.#entered.get(viewId) ?? new Map();
    const actions = blocks.get(blockId) ?? new Map();
    actions.set(actionId, state);
    blocks.set(blockId, actions);
    this.#entered.set(viewId, blocks);
  }

  /**
   * The view with `state.values` as Slack reports them: what the person
   * entered in blocks that still exist, else the element's initial value.
   */
  #viewWithState(viewId: string, view: Json): Json {
    const values: Json = {};
    const entered = this.#entered.get(viewId);
    for (const block of view.blocks ?? []) {
      if (block.type !== "input") continue;
      const el = block.element;
      const typed = entered?.get(block.block_id)?.get(el.action_id);
      values[block.block_id] = {
        [el.action_id]: typed ?? initialState(el),
      };
    }
    return { ...view, id: viewId, state: { values } };
  }
}

function initialState(el: Json): Json {
  switch (el.type) {
    case "plain_text_input":
      return { type: el.type, value: el.initial_value ?? null };
    case "users_select":
      return { type: el.type, selected_user: el.initial_user ?? null };
    default:
      return { type: el.type, selected_option: el.initial_option ?? null };
  }
}

function resolveInputs(
  inputs: Record<string, unknown>,
  run: WorkflowRun,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, ref] of Object.entries(inputs)) {
    const m = typeof ref === "string"
      ? ref.match(/^\{\{(inputs|steps\.(\d+))\.([\w]+)\}\}$/)
      : null;
    if (!m) {
      out[key] = ref;
    } else if (m[1] === "inputs") {
      out[key] = run.inputs[m[3]];
    } else {
      out[key] = run.executions[Number(m[2])]?.outputs?.[m[3]];
    }
  }
  return out;
}

function findInput(view: Json, label: string): { block: Json; element: Json } {
  const block = (view.blocks ?? []).find((b: Json) =>
    b.type === "input" && b.label?.text === label
  );
  if (!block) {
    const labels = (view.blocks ?? []).filter((b: Json) => b.type === "input")
      .map((b: Json) => b.label?.text);
    throw new Error(`no field "${label}" in the view (fields: ${labels})`);
  }
  return { block, element: block.element };
}

function findOption(element: Json, text: string): Json {
  const options: Json[] = element.options ??
    (element.option_groups ?? []).flatMap((g: Json) => g.options);
  const option = options.find((o) =>
    o.text.text === text || o.text.text.startsWith(text)
  );
  if (!option) {
    throw new Error(
      `no option "${text}" (options: ${options.map((o) => o.text.text)})`,
    );
  }
  return option;
}

/** The type of event a payload delivers. */
function eventTypeOf(payload: InvocationPayload): string {
  const body = payload.body as Json;
  return body.event?.type ?? body.type ?? "";
}

/** Whether the blocks have an element of `type` labelled `text`. */
function hasElement(blocks: Json[], type: string, text: string): boolean {
  return blocks.some((b) =>
    (b.elements ?? (b.accessory ? [b.accessory] : [])).some((el: Json) =>
      el.type === type && el.text?.text === text
    )
  );
}

function findButton(blocks: Json[], text: string) {
  const { block, element } = findButtonIn(blocks, text);
  return { block, button: element };
}

/** The first button labelled `text` in actions blocks or section accessories. */
function findButtonIn(blocks: Json[], text: string, value?: string) {
  for (const block of blocks) {
    for (
      const el of block.elements ?? (block.accessory ? [block.accessory] : [])
    ) {
      if (
        el.type === "button" && el.text?.text === text &&
        (value === undefined || el.value === value)
      ) {
        return { block, element: el };
      }
    }
  }
  const all = blocks.flatMap((b) =>
    b.elements ?? (b.accessory ? [b.accessory] : [])
  ).filter((e: Json) => e.type === "button").map((e: Json) => e.text?.text);
  throw new Error(`no button "${text}" (buttons: ${all.join(" | ")})`);
}

function findElement(blocks: Json[], type: string, text: string): Json {
  for (const block of blocks) {
    for (
      const el of block.elements ?? (block.accessory ? [block.accessory] : [])
    ) {
      if (el.type === type && el.text?.text === text) return el;
    }
  }
  throw new Error(`no ${type} "${text}" in the message`);
}
