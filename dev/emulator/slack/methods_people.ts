/**
 * auth.test, users.info, users.lookupByEmail and usergroups.*: who the bot
 * is, the workspace's people (deactivated ones included, as Slack answers
 * for them) and its user groups.
 *
 * @module
 */
import { FAKE_TEAM_ID } from "../slack_people.ts";
import {
  type Args,
  flag,
  type MethodTable,
  type Reply,
  required,
  SlackApiError,
} from "./api.ts";
import { FAKE_BOT, type FakeSlackUser } from "./types.ts";
import type { SlackWorkspace } from "./workspace.ts";

/**
 * The auth, users and usergroups methods over `ws`.
 *
 * @example
 * ```ts
 * const methods = peopleMethods(new SlackWorkspace({}));
 * methods["users.lookupByEmail"]({ email: "bob@example.com" });
 * ```
 */
export function peopleMethods(ws: SlackWorkspace): MethodTable {
  return {
    "auth.test": () => authTest(),
    "users.info": (a) => usersInfo(ws, a),
    "users.lookupByEmail": (a) => lookupByEmail(ws, a),
    "usergroups.list": (a) => usergroupsList(ws, a),
    "usergroups.users.list": (a) => usergroupsUsersList(ws, a),
  };
}

function authTest(): Reply {
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

function usersInfo(ws: SlackWorkspace, args: Args): Reply {
  required(args, "user");
  const user = ws.users.get(String(args.user));
  if (!user) throw new SlackApiError("user_not_found");
  return { ok: true, user: userJson(user) };
}

function lookupByEmail(ws: SlackWorkspace, args: Args): Reply {
  required(args, "email");
  const email = String(args.email).toLowerCase();
  // Deactivated accounts are not found by email, as in Slack.
  const user = [...ws.users.values()].find((u) =>
    !u.deleted && u.email?.toLowerCase() === email
  );
  if (!user) throw new SlackApiError("users_not_found");
  return { ok: true, user: userJson(user) };
}

function userJson(u: FakeSlackUser): Reply {
  return {
    id: u.id,
    team_id: u.team_id ?? FAKE_TEAM_ID,
    name: u.name,
    real_name: u.real_name,
    deleted: u.deleted ?? false,
    is_bot: u.is_bot ?? false,
    is_app_user: u.is_app_user ?? false,
    // Slack sends both flags for every user; a single-channel guest is
    // restricted too.
    is_restricted: !!(u.is_restricted || u.is_ultra_restricted),
    is_ultra_restricted: u.is_ultra_restricted ?? false,
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

function usergroupsList(ws: SlackWorkspace, args: Args): Reply {
  const withUsers = flag(args.include_users);
  const withDisabled = flag(args.include_disabled);
  return {
    ok: true,
    usergroups: [...ws.usergroups.values()]
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

function usergroupsUsersList(ws: SlackWorkspace, args: Args): Reply {
  required(args, "usergroup");
  const group = ws.usergroups.get(String(args.usergroup));
  // A disabled group is only visible with include_disabled.
  if (!group || (group.date_delete && !flag(args.include_disabled))) {
    throw new SlackApiError("no_such_subteam");
  }
  return { ok: true, users: [...group.users] };
}
