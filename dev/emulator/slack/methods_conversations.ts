/**
 * conversations.info and conversations.open, and how chat.* methods resolve
 * a channel argument: a user ID opens (or finds) the bot's DM with them, a
 * name or ID finds a channel the bot can post to.
 *
 * @module
 */
import {
  type Args,
  invalidArguments,
  type MethodTable,
  type Reply,
  required,
  SlackApiError,
} from "./api.ts";
import { dmChannelId, type SlackWorkspace } from "./workspace.ts";

/**
 * The conversations.* methods over `ws`.
 *
 * @example
 * ```ts
 * const methods = conversationMethods(new SlackWorkspace({}));
 * methods["conversations.open"]({ users: "U0ALICE01" }); // DM D0ALICE01
 * ```
 */
export function conversationMethods(ws: SlackWorkspace): MethodTable {
  return {
    "conversations.info": (a) => conversationsInfo(ws, a),
    "conversations.open": (a) => conversationsOpen(ws, a),
  };
}

/** Resolves a channel argument the way chat.* methods do. */
export function resolveChannel(ws: SlackWorkspace, raw: string): string {
  if (/^[UW]/.test(raw)) return openDm(ws, raw);
  if (ws.dms.has(raw)) return raw;
  if (raw.startsWith("D")) {
    // A DM id derived from a known user is valid even if not opened yet.
    const user = [...ws.users.keys()].find((u) => dmChannelId(u) === raw);
    if (user) return openDm(ws, user);
  }
  const name = raw.replace(/^#/, "");
  const channel = ws.channels.get(raw) ??
    [...ws.channels.values()].find((c) => c.name === name);
  // Bots hold chat:write.public, so public channels need no membership;
  // private ones the bot is not in are invisible to it.
  if (!channel || (channel.is_private && !channel.is_member)) {
    throw new SlackApiError("channel_not_found");
  }
  return channel.id;
}

function openDm(ws: SlackWorkspace, userId: string): string {
  const user = ws.users.get(userId);
  if (!user) throw new SlackApiError("channel_not_found");
  if (user.deleted) throw new SlackApiError("user_not_found");
  if (user.is_bot) throw new SlackApiError("cannot_dm_bot");
  const id = dmChannelId(userId);
  ws.dms.set(id, userId);
  return id;
}

function conversationsInfo(ws: SlackWorkspace, args: Args): Reply {
  required(args, "channel");
  const id = String(args.channel);
  const dmUser = ws.dms.get(id);
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
  const c = ws.channels.get(id);
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

function conversationsOpen(ws: SlackWorkspace, args: Args): Reply {
  required(args, "users");
  const users = String(args.users).split(",").map((s) => s.trim());
  if (users.length !== 1) {
    throw invalidArguments(["[ERROR] the fake only opens 1:1 DMs"]);
  }
  return { ok: true, channel: { id: openDm(ws, users[0]) } };
}
