/**
 * The simulated person on the fake Slack platform: what people see (their
 * open view, the messages they got) and what they do with it (choose, type,
 * pick a suggestion, press, submit, close, click a message's button). Every
 * payload is built from what the app actually rendered and delivered to the
 * execution that rendered it, through the {@link WorkflowEngine}.
 *
 * @module
 */
import { WorkflowEngine } from "./engine.ts";
import { type Json, TEAM_ID, type WorkflowRun } from "./types.ts";
import {
  findButtonIn,
  findElement,
  findInput,
  findOption,
  hasElement,
  initialState,
} from "./find.ts";

/** A message as a person sees it in a channel or DM. */
type SeenMessage = { channel: string; ts: string; blocks?: unknown[] };

/**
 * The workflow engine with people acting on it, the way a test would say
 * it: "choose Production", "type a reason", "click Approve".
 *
 * @example
 * ```ts
 * await platform.startWorkflow("request_tailscale_access", PEOPLE.alice);
 * await platform.choose(PEOPLE.alice, "What do you need access to?", "Production");
 * platform.type(PEOPLE.alice, "Why do you need it?", "INC-42");
 * await platform.submit(PEOPLE.alice);
 * ```
 */
export class SimulatedPeople extends WorkflowEngine {
  /** view_id → block_id → action_id → entered state. */
  readonly #entered = new Map<string, Map<string, Map<string, Json>>>();
  readonly #closedViews = new Set<string>();
  /** Values typed into messages' input blocks, by person:channel:ts. */
  readonly #messageState = new Map<string, Record<string, Json>>();

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
    const trigger = [...this.slack.triggers.values()].find((t) =>
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

  /** The view currently open for a person (the latest one opened). */
  openView(userId: string): { id: string; view: Json } {
    const views = [...this.slack.views.values()].filter((v) =>
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
    const { element } = findInput(this.openView(userId).view, label);
    if (element.type !== "users_select") {
      throw new Error(`"${label}" is a ${element.type}, not a user picker`);
    }
    this.forge(userId, label, { selected_user: chosenUserId });
  }

  /** Types text into the input labelled `label`. */
  type(userId: string, label: string, text: string) {
    this.forge(userId, label, { value: text });
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
    return await this.#viewEvent(userId, id, view, "block_suggestion", {
      action_id: element.action_id,
      block_id: block.block_id,
      value: query,
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
    this.forge(userId, label, { selected_option: option });
  }

  /** Presses the modal's submit button; returns the app's answer. */
  async submit(userId: string): Promise<Json> {
    const { id, view } = this.openView(userId);
    if (!view.submit) throw new Error("this view has no submit button");
    const response = await this.#viewEvent(
      userId,
      id,
      view,
      "view_submission",
    );
    if (response?.response_action !== "errors") this.#closedViews.add(id);
    return response;
  }

  /** Closes the modal with its close button. */
  async closeView(userId: string) {
    const { id, view } = this.openView(userId);
    this.#closedViews.add(id);
    if (!view.notify_on_close) return {};
    return await this.#viewEvent(userId, id, view, "view_closed", {
      is_cleared: false,
    });
  }

  /** Types into the input labelled `label` in a message (kept per person). */
  typeInMessage(
    userId: string,
    message: SeenMessage,
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
  async click(userId: string, message: SeenMessage, buttonText: string) {
    if (hasElement(message.blocks ?? [], "workflow_button", buttonText)) {
      return await this.clickWorkflowButton(userId, message, buttonText);
    }
    const found = findButtonIn(message.blocks ?? [], buttonText);
    const values = this.#messageState.get(
      `${userId}:${message.channel}:${message.ts}`,
    ) ?? {};
    const execution = this.ownerOfMessage(message.channel, message.ts);
    if (!execution) throw new Error("no function posted that message");
    return await this.deliver(execution, {
      type: "block_actions",
      user: payloadUser(userId),
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
        action_id: found.element.action_id,
        text: found.element.text,
        value: found.element.value,
        action_ts: String(Date.now() / 1000),
      }],
      ...this.functionData(execution, userId),
    });
  }

  // ---- payload pieces -------------------------------------------------------

  async #viewAction(
    userId: string,
    viewId: string,
    block: Json,
    element: Json,
    value: Json,
  ) {
    const { view } = this.openView(userId);
    return await this.#viewEvent(userId, viewId, view, "block_actions", {
      actions: [{
        type: element.type,
        block_id: block.block_id,
        action_id: element.action_id,
        ...value,
        action_ts: String(Date.now() / 1000),
      }],
    });
  }

  /**
   * Delivers an event about the person's view to the execution that opened
   * it: the view with its state, and `fields` for this type of event.
   * Actions and suggestions also name the view as their container.
   */
  async #viewEvent(
    userId: string,
    viewId: string,
    view: Json,
    type: string,
    fields: Record<string, unknown> = {},
  ): Promise<Json> {
    const execution = this.ownerOfView(viewId);
    const inView = type === "block_actions" || type === "block_suggestion";
    return await this.deliver(execution, {
      type,
      user: payloadUser(userId),
      ...(inView ? { container: { type: "view", view_id: viewId } } : {}),
      view: this.#viewWithState(viewId, view),
      ...fields,
      ...this.functionData(execution, userId),
    });
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

/** The `user` of an interactivity payload. */
function payloadUser(userId: string) {
  return { id: userId, team_id: TEAM_ID };
}
