/**
 * chat.postMessage, chat.postEphemeral and chat.update: messages checked
 * against Block Kit's rules and Slack's text limit, kept in their latest
 * state so tests read what people see.
 *
 * @module
 */
import { validateMessageBlocks } from "../block_kit_rules.ts";
import { FAKE_TEAM_ID } from "../slack_people.ts";
import {
  type Args,
  asString,
  type MethodTable,
  type Reply,
  required,
  SlackApiError,
} from "./api.ts";
import { resolveChannel } from "./methods_conversations.ts";
import { FAKE_BOT, type FakeMessage } from "./types.ts";
import type { SlackWorkspace } from "./workspace.ts";

/** chat.postMessage rejects text longer than this with msg_too_long. */
const MAX_MESSAGE_TEXT = 40000;

/**
 * The chat.* methods over `ws`.
 *
 * @example
 * ```ts
 * const chat = chatMethods(new SlackWorkspace({}));
 * chat["chat.postMessage"]({ channel: "U0ALICE01", text: "Hello" });
 * ```
 */
export function chatMethods(ws: SlackWorkspace): MethodTable {
  return {
    "chat.postMessage": (a) => postMessage(ws, a),
    "chat.postEphemeral": (a) => postEphemeral(ws, a),
    "chat.update": (a) => chatUpdate(ws, a),
  };
}

function postMessage(ws: SlackWorkspace, args: Args): Reply {
  required(args, "channel");
  const message = post(ws, "chat.postMessage", args);
  return {
    ok: true,
    channel: message.channel,
    ts: message.ts,
    message: messageJson(message),
  };
}

function postEphemeral(ws: SlackWorkspace, args: Args): Reply {
  required(args, "channel", "user");
  const userId = String(args.user);
  const user = ws.users.get(userId);
  if (!user || user.deleted) throw new SlackApiError("user_not_found");
  const message = post(ws, "chat.postEphemeral", args, userId);
  return { ok: true, message_ts: message.ts };
}

/** Checks and stores a new message (seen by `ephemeralUser` alone, if set). */
function post(
  ws: SlackWorkspace,
  method: string,
  args: Args,
  ephemeralUser?: string,
): FakeMessage {
  const channel = resolveChannel(ws, String(args.channel));
  const { text, blocks } = messageContent(ws, method, args, true);
  const threadTs = asString(args.thread_ts);
  const message: FakeMessage = {
    channel,
    ts: ws.nextTs(),
    ...(text !== undefined ? { text } : {}),
    ...(blocks ? { blocks } : {}),
    ...(ephemeralUser !== undefined ? { ephemeral_user: ephemeralUser } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    updates: 0,
  };
  ws.messages.push(message);
  return message;
}

function chatUpdate(ws: SlackWorkspace, args: Args): Reply {
  required(args, "channel", "ts");
  const channel = resolveChannel(ws, String(args.channel));
  const ts = String(args.ts);
  // Ephemeral messages cannot be edited through chat.update.
  const message = ws.messages.find((m) =>
    m.channel === channel && m.ts === ts && !m.ephemeral_user
  );
  if (!message) throw new SlackApiError("message_not_found");
  const { text, blocks } = messageContent(ws, "chat.update", args, false);
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
    message: messageJson(message),
  };
}

/** Text and blocks for chat.* calls; throws no_text / invalid_blocks. */
function messageContent(
  ws: SlackWorkspace,
  method: string,
  args: Args,
  requireContent: boolean,
) {
  const text = asString(args.text);
  const blocks = args.blocks;
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (requireContent && !text && !hasBlocks) {
    throw new SlackApiError("no_text");
  }
  if (blocks !== undefined && blocks !== "") {
    ws.rejectBlocks(method, validateMessageBlocks(blocks), "invalid_blocks");
  }
  if (text !== undefined && [...text].length > MAX_MESSAGE_TEXT) {
    throw new SlackApiError("msg_too_long");
  }
  return {
    text,
    blocks: Array.isArray(blocks) ? blocks as unknown[] : undefined,
  };
}

function messageJson(m: FakeMessage): Reply {
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
