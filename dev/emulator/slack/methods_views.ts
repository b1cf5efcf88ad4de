/**
 * views.open, views.push and views.update: modals opened from an
 * interactivity pointer (one use, 3 s), checked against Block Kit's rules,
 * with Slack's view hashes and unique external IDs.
 *
 * @module
 */
import { validateView } from "../block_kit_rules.ts";
import { FAKE_TEAM_ID } from "../slack_people.ts";
import {
  type Args,
  asString,
  invalidArguments,
  type MethodTable,
  type Reply,
  required,
  SlackApiError,
} from "./api.ts";
import { FAKE_BOT } from "./types.ts";
import type { SlackWorkspace } from "./workspace.ts";

/** Slack's interactivity pointers and trigger ids live for 3 seconds. */
const POINTER_LIFETIME_MS = 3000;

type View = Record<string, unknown>;

/**
 * The views.* methods over `ws`.
 *
 * @example
 * ```ts
 * const views = viewMethods(new SlackWorkspace({}));
 * views["views.open"]({ trigger_id: "…", view: { type: "modal" } });
 * ```
 */
export function viewMethods(ws: SlackWorkspace): MethodTable {
  return {
    "views.open": (a) => viewsOpen(ws, a),
    "views.push": (a) => viewsPush(ws, a),
    "views.update": (a) => viewsUpdate(ws, a),
  };
}

/**
 * Issues an interactivity pointer as Slack does for a click or shortcut:
 * valid for one views.open/push, within 3 s of wall time.
 */
export function issuePointer(ws: SlackWorkspace, userId: string): string {
  const n = ws.count();
  const secret = crypto.randomUUID().replaceAll("-", "");
  const pointer = `${n}.${Math.floor(ws.clock() / 1000)}.${secret}`;
  ws.pointers.set(pointer, {
    user: userId,
    issuedAt: ws.clock(),
    used: false,
  });
  return pointer;
}

function viewsOpen(ws: SlackWorkspace, args: Args): Reply {
  const { view, user } = newView(ws, "views.open", args);
  const id = ws.nextId("V");
  return {
    ok: true,
    view: storeView(ws, view, { id, user, root: id, previous: null }),
  };
}

function viewsPush(ws: SlackWorkspace, args: Args): Reply {
  const { view, user } = newView(ws, "views.push", args);
  // Pushed onto the newest view this user has open, if any.
  const top = [...ws.views.values()].filter((v) => v.user === user).at(-1);
  const id = ws.nextId("V");
  return {
    ok: true,
    view: storeView(ws, view, {
      id,
      user,
      root: top ? String(top.view.root_view_id) : id,
      previous: top?.id ?? null,
    }),
  };
}

function viewsUpdate(ws: SlackWorkspace, args: Args): Reply {
  required(args, "view");
  const viewId = asString(args.view_id);
  const externalId = asString(args.external_id);
  if (!viewId && !externalId) {
    throw invalidArguments([
      "[ERROR] missing required field: view_id or external_id",
    ]);
  }
  const current = viewId
    ? ws.views.get(viewId)
    : [...ws.views.values()].find((v) => v.view.external_id === externalId);
  if (!current) throw new SlackApiError("not_found");
  const hash = asString(args.hash);
  if (hash && hash !== current.hash) {
    throw new SlackApiError("hash_conflict");
  }
  ws.rejectBlocks("views.update", validateView(args.view), "invalid_arguments");
  const view = args.view as View;
  assertExternalIdFree(ws, view, current.id);
  return {
    ok: true,
    view: storeView(ws, view, {
      id: current.id,
      user: current.user,
      root: String(current.view.root_view_id),
      previous: current.view.previous_view_id,
    }),
  };
}

/** A view to open or push, checked, and the person whose pointer it used. */
function newView(
  ws: SlackWorkspace,
  method: string,
  args: Args,
): { view: View; user: string } {
  required(args, "view");
  ws.rejectBlocks(method, validateView(args.view), "invalid_arguments");
  const view = args.view as View;
  assertExternalIdFree(ws, view);
  return { view, user: consumePointer(ws, args) };
}

function consumePointer(ws: SlackWorkspace, args: Args): string {
  const pointer = asString(args.interactivity_pointer ?? args.trigger_id);
  if (!pointer) {
    throw invalidArguments([
      "[ERROR] missing required field: interactivity_pointer or trigger_id",
    ]);
  }
  const record = ws.pointers.get(pointer);
  if (!record) throw new SlackApiError("invalid_trigger_id");
  if (record.used) throw new SlackApiError("exchanged_trigger_id");
  if (ws.clock() - record.issuedAt > POINTER_LIFETIME_MS) {
    throw new SlackApiError("expired_trigger_id");
  }
  record.used = true;
  return record.user;
}

function storeView(
  ws: SlackWorkspace,
  base: View,
  identity: { id: string; user: string; root: string; previous: unknown },
): View {
  const hash = ws.newHash();
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
  ws.views.set(identity.id, {
    id: identity.id,
    hash,
    user: identity.user,
    view,
  });
  return view;
}

function assertExternalIdFree(
  ws: SlackWorkspace,
  view: View,
  except?: string,
): void {
  const ext = view.external_id;
  if (typeof ext !== "string" || ext === "") return;
  for (const v of ws.views.values()) {
    if (v.id !== except && v.view.external_id === ext) {
      throw new SlackApiError("duplicate_external_id");
    }
  }
}
