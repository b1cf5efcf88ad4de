/**
 * Drives a function module the way Slack's Deno runtime does
 * (deno-slack-runtime's DispatchPayload): pick the handler by event type,
 * pass the same arguments, and after the default handler call
 * `functions.completeSuccess` / `functions.completeError` on the app's behalf.
 *
 * @module
 */
import { SlackAPI } from "deno-slack-sdk/mod.ts";

/** The JSON Slack delivers for one event. */
export type InvocationPayload = {
  body: Record<string, unknown>;
  context: {
    bot_access_token: string;
    team_id: string;
    variables: Record<string, string>;
  };
};

// deno-lint-ignore no-explicit-any
type Handler = (args: any) => unknown;
/** What a function file exports, as the runtime sees it. */
export type FunctionModule = {
  default?: Handler & {
    blockActions?: Handler;
    blockSuggestion?: Handler;
    viewSubmission?: Handler;
    viewClosed?: Handler;
    unhandledEvent?: Handler;
  };
};

type Body = {
  type?: string;
  event?: {
    type?: string;
    function?: { callback_id?: string };
    function_execution_id?: string;
    inputs?: Record<string, unknown>;
    bot_access_token?: string;
  };
  function_data?: {
    function?: { callback_id?: string };
    inputs?: Record<string, unknown>;
  };
  bot_access_token?: string;
  actions?: unknown[];
  view?: unknown;
};

/** The callback_id of the function an event is for. */
export function callbackIdOf(payload: InvocationPayload): string {
  const body = payload.body as Body;
  return (body.event?.type === "function_executed"
    ? body.event.function?.callback_id
    : body.function_data?.function?.callback_id) ?? "";
}

/**
 * Runs one event through a function module and returns what the runtime
 * would answer Slack (e.g. a view submission's `response_action`).
 */
export async function dispatchPayload(
  payload: InvocationPayload,
  module: FunctionModule,
): Promise<Record<string, unknown>> {
  const body = payload.body as Body;
  const eventType = body.event?.type ?? body.type ?? "";
  const env = payload.context.variables ?? {};
  const base = {
    body,
    env,
    enterprise_id: "",
    inputs: body.event?.inputs ?? body.function_data?.inputs ?? {},
    token: body.event?.bot_access_token ?? body.bot_access_token ??
      payload.context.bot_access_token,
    team_id: payload.context.team_id,
  };
  const main = module.default;
  switch (eventType) {
    case "function_executed": {
      if (!main) throw new Error("function has no default handler");
      const result = (await main({ ...base, event: body.event })) as {
        completed?: boolean;
        outputs?: Record<string, unknown>;
        error?: string;
      } | undefined;
      const { completed = true, outputs = {}, error } = result ?? {};
      const client = SlackAPI(base.token, { slackApiUrl: env.SLACK_API_URL });
      const execution = body.event?.function_execution_id;
      if (error) {
        await client.apiCall("functions.completeError", {
          error,
          function_execution_id: execution,
        });
      } else if (completed) {
        await client.apiCall("functions.completeSuccess", {
          outputs,
          function_execution_id: execution,
        });
      }
      return {};
    }
    case "block_actions":
      return await run(main?.blockActions, {
        ...base,
        action: body.actions?.[0],
      });
    case "block_suggestion":
      return await run(main?.blockSuggestion, base);
    case "view_submission":
      return await run(main?.viewSubmission, { ...base, view: body.view });
    case "view_closed":
      return await run(main?.viewClosed, { ...base, view: body.view });
    default:
      throw new Error(`unsupported event type "${eventType}"`);
  }
}

async function run(
  handler: Handler | undefined,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (!handler) throw new Error("function has no handler for this event");
  return ((await handler(args)) ?? {}) as Record<string, unknown>;
}
