/**
 * The workflow engine of the fake Slack platform: it runs a manifest
 * workflow's steps in order, one function execution each, delivers
 * Slack-shaped events to the app (through the {@link Dispatcher}), applies
 * `functions.complete*` calls to the runs, fires scheduled triggers as the
 * clock moves, and remembers which execution opened each view and posted
 * each message so people's actions reach the right one.
 *
 * @module
 */
import type { SlackFake } from "../emulator/slack.ts";
import type { InvocationPayload } from "../runtime/dispatch.ts";
import { HandlerTimeoutError } from "../runtime/subprocess.ts";
import { nextRunAt, resolveInputs, triggerInputs } from "./inputs.ts";
import {
  ACTION_DROPPED,
  type Delivery,
  type Execution,
  HANDLER_TIMED_OUT,
  type Json,
  type PlatformOptions,
  TEAM_ID,
  type WorkflowRun,
} from "./types.ts";

/**
 * Runs workflows and delivers their events. {@link SimulatedPeople} adds
 * what people do; `SlackPlatform` (dev/platform.ts) is the two together.
 *
 * @example
 * ```ts
 * const engine = new WorkflowEngine({ slack, env, dispatch, workflows });
 * const run = await engine.startWorkflow("my_tailscale_access", PEOPLE.alice);
 * run.status; // "running" while the view is open
 * ```
 */
export class WorkflowEngine {
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
  /** The Slack emulator the app talks to. */
  protected readonly slack: SlackFake;
  readonly #opts: PlatformOptions;
  #counter = 0;
  /** view_id → execution that opened it. */
  readonly #viewOwner = new Map<string, Execution>();
  /** channel:ts → execution that posted it. */
  readonly #messageOwner = new Map<string, Execution>();
  /** When each scheduled trigger last ran (epoch ms). */
  readonly #fired = new Map<string, number>();

  constructor(opts: PlatformOptions) {
    this.#opts = opts;
    this.slack = opts.slack;
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
      interactivity: this.interactivity(userId),
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
    const inputs = triggerInputs(
      trigger,
      userId,
      custom,
      (id) => this.interactivity(id),
    );
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
        .map((t) => ({ t, at: nextRunAt(t, this.#fired.get(String(t.id))) }))
        .filter(({ at }) => at !== null && at <= now)
        .sort((a, b) => a.at! - b.at!);
      if (!due.length) return runs;
      this.#fired.set(String(due[0].t.id), due[0].at!);
      runs.push(await this.runTrigger(due[0].t as Record<string, Json>));
    }
  }

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
    await this.deliver(execution, null);
  }

  /**
   * Delivers an event (null: function_executed) and advances the run; an
   * action on a completed execution is dropped, as Slack drops it.
   */
  protected async deliver(
    execution: Execution,
    body: Json | null,
  ): Promise<Json> {
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
      this.#timedOut(execution, e);
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

  /**
   * Slack killed a handler at its time limit: a `function_executed` that
   * had not completed fails its execution and run.
   */
  #timedOut(execution: Execution, e: HandlerTimeoutError): void {
    this.timeouts.push({ event: e.event, execution });
    const completed = this.#opts.slack.completions.some((c) =>
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

  /** The execution that opened a view. */
  protected ownerOfView(viewId: string): Execution {
    const execution = this.#viewOwner.get(viewId);
    if (!execution) throw new Error(`no function opened view ${viewId}`);
    return execution;
  }

  /** The execution that posted a message, if a function did. */
  protected ownerOfMessage(channel: string, ts: string): Execution | undefined {
    return this.#messageOwner.get(`${channel}:${ts}`);
  }

  /** The part of an interactivity payload that names the function run. */
  protected functionData(execution: Execution, userId: string) {
    return {
      function_data: {
        execution_id: execution.id,
        function: { callback_id: execution.callbackId },
        inputs: execution.inputs,
      },
      interactivity: this.interactivity(userId),
      bot_access_token: this.#opts.slack.executionToken(execution.id),
      team: { id: TEAM_ID },
      enterprise: null,
    };
  }

  /** A fresh interactivity pointer for `userId`, as Slack hands one out. */
  protected interactivity(userId: string) {
    return {
      interactivity_pointer: this.#opts.slack.newInteractivityPointer(userId),
      interactor: { id: userId, secret: "interactor-secret" },
    };
  }
}

/** The type of event a payload delivers. */
function eventTypeOf(payload: InvocationPayload): string {
  const body = payload.body as Json;
  return body.event?.type ?? body.type ?? "";
}
