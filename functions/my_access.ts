import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { z } from "zod";
import { config } from "../config.ts";
import {
  type AccessRequest,
  AccessRequestType,
  groupOf,
  requestIdFor,
  type RequestRecord,
  RequestStore,
  snapshotOf,
  submitRequest,
  targetOf,
} from "../lib/requests/mod.ts";
import {
  approverField,
  approverGroupMembers,
  approverProblem,
  decisionContext,
} from "../lib/review/mod.ts";
import { lookupPerson } from "../lib/people/mod.ts";
import {
  actionOf,
  EXTEND_FORM_CALLBACK_ID,
  extendFormView,
  type ExtendTarget,
  extensionChoices,
  type GrantRow,
  MAX_REASON_LENGTH,
  type ModalView,
  MY_ACCESS_ACTION_PATTERN,
  MY_ACCESS_ACTIONS,
  MY_ACCESS_CALLBACK_ID,
  myAccessView,
  type PendingRow,
  REVOKE_REASON_CALLBACK_ID,
  REVOKE_REASON_FIELD,
  revokeReasonView,
  type TailscaleStatus,
} from "../lib/blocks/mod.ts";
import {
  checkPayload,
  Deadline,
  FIELD,
  InteractionSchema,
  parseJson,
  readFormState,
  typedText,
  ViewSubmissionSchema,
} from "../lib/slack/mod.ts";
import {
  endPending,
  extensionRoom,
  isActiveGrant,
  isAdmin,
  revokeGrant,
  targetName,
} from "../lib/grants/mod.ts";
import { groupMembers, isMember } from "../lib/policy/mod.ts";
import { TailscaleApiError, tailscaleFromEnv } from "../lib/tailscale/mod.ts";
import { findProfile } from "../lib/config_schema.ts";
import { errorText } from "../lib/text.ts";
import type { SlackClient } from "../lib/context.ts";

/**
 * "My Tailscale access": lists the person's grants and pending requests
 * (everyone's for admins) with Revoke, Extend and Cancel; an extension it
 * collects becomes its output, for the review step that follows.
 */
export const MyAccessFunction = DefineFunction({
  callback_id: "my_access",
  title: "My Tailscale access",
  description: "Lists your Tailscale access: revoke, extend, cancel",
  source_file: "functions/my_access.ts",
  input_parameters: {
    properties: {
      interactivity: { type: Schema.slack.types.interactivity },
      user: { type: Schema.slack.types.user_id },
      /** A grant to extend right away (from the reminder's Extend button). */
      extend: { type: Schema.types.string },
    },
    required: ["interactivity", "user"],
  },
  output_parameters: {
    properties: { request: { type: AccessRequestType } },
    required: [],
  },
});

type Env = Record<string, string>;

const ViewActionPayload = InteractionSchema.extend({
  view: z.object({
    id: z.string().min(1),
    root_view_id: z.string().nullish(),
  }),
  interactivity: z.object({ interactivity_pointer: z.string().min(1) })
    .optional(),
  trigger_id: z.string().optional(),
});

const GrantMetadata = z.object({ grant_id: z.string().min(1) });

const loadingView: ModalView = {
  type: "modal",
  callback_id: MY_ACCESS_CALLBACK_ID,
  title: { type: "plain_text", text: "My Tailscale access" },
  close: { type: "plain_text", text: "Done" },
  notify_on_close: true,
  blocks: [{
    type: "context",
    block_id: "loading",
    elements: [{ type: "mrkdwn", text: "_Looking up your access…_" }],
  }],
};

function deviceLabel(record: RequestRecord): string {
  return targetName(targetOf(record));
}

function profileLabel(record: RequestRecord): string {
  return findProfile(config, record.attribute)?.description ??
    record.attribute;
}

/**
 * What Tailscale holds for each grant's device right now: the list is
 * checked against the attributes and their expiries, so a grant removed or
 * changed outside the app says so.
 */
async function tailscaleStatuses(
  env: Env,
  client: SlackClient,
  grants: RequestRecord[],
  deadline: Deadline,
): Promise<Map<string, TailscaleStatus>> {
  const out = new Map<string, TailscaleStatus>();
  const built = tailscaleFromEnv(env, client, deadline);
  const groupGrants = grants.filter((g) => groupOf(g));
  if (groupGrants.length) {
    // One read of the policy file answers for every group grant.
    let text: string | { error: string };
    try {
      text = built.ok
        ? (await built.tailscale.getPolicyFile()).text
        : { error: `${built.missing.join(" and ")} not set` };
    } catch (e) {
      text = { error: errorText(e) };
    }
    for (const g of groupGrants) {
      if (typeof text !== "string") {
        out.set(g.id, { kind: "unknown", error: text.error });
        continue;
      }
      try {
        const members = groupMembers(text, g.attribute) ?? [];
        out.set(
          g.id,
          isMember(members, g.login ?? "")
            ? { kind: "as_granted" }
            : { kind: "not_in_group" },
        );
      } catch (e) {
        out.set(g.id, { kind: "unknown", error: errorText(e) });
      }
    }
  }
  const devices = [
    ...new Set(grants.filter((g) => !groupOf(g)).map((g) => g.device_id)),
  ];
  const held = new Map<string, Awaited<ReturnType<typeof read>>>();
  async function read(nodeId: string) {
    if (!built.ok) {
      return { error: `${built.missing.join(" and ")} not set` } as const;
    }
    try {
      return await built.tailscale.getAttributes(nodeId);
    } catch (e) {
      // A 404 on a device's attributes: the device is no longer there.
      if (e instanceof TailscaleApiError && e.kind === "not_found") {
        return { gone: true } as const;
      }
      return { error: errorText(e) } as const;
    }
  }
  await Promise.all(devices.map(async (d) => held.set(d, await read(d))));
  for (const g of grants) {
    if (groupOf(g)) continue;
    const attrs = held.get(g.device_id)!;
    if ("gone" in attrs) {
      out.set(g.id, { kind: "device_gone" });
      continue;
    }
    if ("error" in attrs) {
      out.set(g.id, { kind: "unknown", error: attrs.error });
      continue;
    }
    const value = attrs.attributes[g.attribute];
    const expiry = attrs.expiries[g.attribute];
    if (value === undefined) out.set(g.id, { kind: "removed" });
    else if (
      value !== true || !expiry ||
      Math.abs(Date.parse(expiry) - Date.parse(g.expires_at ?? "")) > 60_000
    ) {
      out.set(g.id, {
        kind: "changed",
        ...(expiry ? { until: new Date(expiry) } : {}),
      });
    } else out.set(g.id, { kind: "as_granted" });
  }
  return out;
}

/**
 * Shows the list (with an optional notice) in the open modal, within the
 * handler's `deadline` (a click's 10 s by default, from now).
 */
async function showList(
  env: Env,
  client: SlackClient,
  userId: string,
  viewId: string,
  notice?: string,
  deadline = Deadline.forHandler("interaction", env),
): Promise<void> {
  const now = new Date();
  const person = await lookupPerson(client, userId);
  const admin = isAdmin(config, person?.email);
  let view: ModalView;
  try {
    const records = await new RequestStore(client, env).list(
      ["pending", "granted"],
      admin ? undefined : userId,
    );
    const active = records.filter((r) => isActiveGrant(r, now))
      .sort((a, b) => Date.parse(a.expires_at!) - Date.parse(b.expires_at!));
    const statuses = await tailscaleStatuses(env, client, active, deadline);
    const grants: GrantRow[] = active.map((r) => {
      const profile = findProfile(config, r.attribute);
      return {
        id: r.id,
        requesterId: r.requester,
        approverId: r.approver,
        profile: profileLabel(r),
        device: deviceLabel(r),
        expiresAt: new Date(r.expires_at!),
        status: statuses.get(r.id)!,
        mine: r.requester === userId,
        extensionRoom: profile ? extensionRoom(r, profile) : 0,
      };
    });
    const pending: PendingRow[] = records.filter((r) =>
      r.state === "pending" && !r.extends
    ).map((r) => ({
      id: r.id,
      requesterId: r.requester,
      approverId: r.approver,
      profile: profileLabel(r),
      device: deviceLabel(r),
      createdAt: new Date(r.created_at),
      mine: r.requester === userId,
    }));
    // Pending extensions are listed too, as what they are.
    for (const r of records.filter((r) => r.state === "pending" && r.extends)) {
      pending.push({
        id: r.id,
        requesterId: r.requester,
        approverId: r.approver,
        profile: `${profileLabel(r)} (extension)`,
        device: deviceLabel(r),
        createdAt: new Date(r.created_at),
        mine: r.requester === userId,
      });
    }
    view = myAccessView({ grants, pending, admin, notice, now });
  } catch (e) {
    view = myAccessView({
      grants: [],
      pending: [],
      admin,
      notice: `:warning: Your access could not be listed (${
        errorText(e)
      }). Close this and try again.`,
      now,
    });
  }
  const res = await client.views.update({ view_id: viewId, view });
  if (!res.ok) console.error(`views.update failed: ${res.error}`);
}

/** The grant to extend, or why it cannot be. */
async function extendTarget(
  client: SlackClient,
  userId: string,
  grantId: string,
): Promise<
  { ok: true; target: ExtendTarget; record: RequestRecord } | {
    ok: false;
    why: string;
  }
> {
  const record = await new RequestStore(client).get(grantId);
  const now = new Date();
  if (!record || record.requester !== userId) {
    return {
      ok: false,
      why: "Only the person who has the access can extend it.",
    };
  }
  if (!isActiveGrant(record, now)) {
    return {
      ok: false,
      why:
        "That access has already ended, so it cannot be extended. Request access anew.",
    };
  }
  const profile = findProfile(config, record.attribute);
  if (!profile) {
    return {
      ok: false,
      why:
        `The access profile \`${record.attribute}\` is no longer offered, so it cannot be extended.`,
    };
  }
  const target: ExtendTarget = {
    grantId,
    profile,
    device: deviceLabel(record),
    expiresAt: new Date(record.expires_at!),
    room: extensionRoom(record, profile),
  };
  if (extensionChoices(target).length === 0) {
    return {
      ok: false,
      why:
        `${profile.description} allows at most this much in all, so it cannot be extended further.`,
    };
  }
  return { ok: true, target, record };
}

async function showExtend(
  env: Env,
  client: SlackClient,
  userId: string,
  viewId: string,
  grantId: string,
): Promise<void> {
  const found = await extendTarget(client, userId, grantId);
  if (!found.ok) {
    await showList(env, client, userId, viewId, `:warning: ${found.why}`);
    return;
  }
  const approver = await approverField(client, found.target.profile, userId);
  const res = await client.views.update({
    view_id: viewId,
    view: extendFormView(found.target, approver, userId, new Date()),
  });
  if (!res.ok) console.error(`views.update failed: ${res.error}`);
}

export default SlackFunction(
  MyAccessFunction,
  async ({ inputs, env, client }) => {
    const userId = inputs.interactivity.interactor.id;
    // Open first: the pointer expires about 3 s after the click.
    const opened = await client.views.open({
      interactivity_pointer: inputs.interactivity.interactivity_pointer,
      view: loadingView,
    });
    if (!opened.ok) {
      // Slack delivered this event again: the view is open already.
      if (opened.error === "exchanged_trigger_id") return { completed: false };
      return { error: `Could not open "My Tailscale access": ${opened.error}` };
    }
    if (inputs.extend) {
      await showExtend(env, client, userId, opened.view.id, inputs.extend);
    } else {
      await showList(env, client, userId, opened.view.id);
    }
    return { completed: false };
  },
).addBlockActionsHandler(
  MY_ACCESS_ACTION_PATTERN,
  async ({ action, body, env, client }) => {
    const checked = checkPayload(
      ViewActionPayload,
      body,
      "my_access: button",
    );
    if (!checked.ok) return;
    const { user, view } = checked.data;
    const id = String(action.value ?? "");
    const store = new RequestStore(client, env);
    const deadline = Deadline.forHandler("interaction", env);
    const ctx = decisionContext(client, env, config, deadline);
    let record: RequestRecord | null = null;
    try {
      record = await store.get(id);
    } catch (e) {
      await showList(
        env,
        client,
        user.id,
        view.id,
        `:warning: ${errorText(e)}`,
      );
      return;
    }
    if (!record) {
      await showList(
        env,
        client,
        user.id,
        view.id,
        ":warning: That request no longer exists.",
      );
      return;
    }
    const mine = record.requester === user.id;
    switch (actionOf(action.action_id)) {
      case MY_ACCESS_ACTIONS.extend:
        await showExtend(env, client, user.id, view.id, id);
        return;
      case MY_ACCESS_ACTIONS.cancel: {
        if (!mine) {
          await showList(
            env,
            client,
            user.id,
            view.id,
            ":warning: Only the requester can cancel a request.",
          );
          return;
        }
        if (record.state !== "pending") {
          await showList(
            env,
            client,
            user.id,
            view.id,
            "That request was already decided.",
          );
          return;
        }
        const ended = await endPending(
          ctx,
          record,
          findProfile(config, record.attribute),
          "cancelled",
          user.id,
        );
        await showList(
          env,
          client,
          user.id,
          view.id,
          ended.won
            ? ":leftwards_arrow_with_hook: Request cancelled; the approver's message says so."
            : "That request was decided before your cancellation counted.",
        );
        return;
      }
      case MY_ACCESS_ACTIONS.revoke: {
        if (mine) {
          const result = await revokeGrant(ctx, record, user.id, undefined);
          await showList(
            env,
            client,
            user.id,
            view.id,
            result.ok
              ? `:no_entry: ${result.text}`
              : `:warning: ${result.text}`,
            deadline,
          );
          return;
        }
        const person = await lookupPerson(client, user.id);
        if (!isAdmin(config, person?.email)) {
          await showList(
            env,
            client,
            user.id,
            view.id,
            ":warning: Only the person who has the access or a tailnet admin can revoke it.",
          );
          return;
        }
        // An admin revoking someone else's access says why.
        const pointer = checked.data.interactivity?.interactivity_pointer ??
          checked.data.trigger_id;
        const pushed = pointer
          ? await client.views.push({
            interactivity_pointer: pointer,
            view: revokeReasonView(
              id,
              record.requester,
              `${profileLabel(record)} on ${deviceLabel(record)}`,
            ),
          })
          : { ok: false, error: "no interactivity pointer" };
        if (!pushed.ok) {
          await showList(
            env,
            client,
            user.id,
            view.id,
            `:warning: The revoke form could not be opened (${pushed.error}).`,
          );
        }
        return;
      }
    }
  },
).addViewSubmissionHandler(
  EXTEND_FORM_CALLBACK_ID,
  async ({ body, client }) => {
    const checked = checkPayload(
      ViewSubmissionSchema,
      body,
      "my_access: extension",
    );
    const unreadable = {
      response_action: "errors",
      errors: {
        [FIELD.reason]: "The form could not be read. Close it and try again.",
      },
    };
    if (!checked.ok) return unreadable;
    const { user, view, function_data } = checked.data;
    const meta = GrantMetadata.safeParse(parseJson(view.private_metadata));
    if (!meta.success) return unreadable;
    const found = await extendTarget(client, user.id, meta.data.grant_id);
    if (!found.ok) {
      return {
        response_action: "errors",
        errors: { [FIELD.reason]: found.why },
      };
    }
    const { target } = found;
    let form;
    try {
      form = readFormState(view.state);
    } catch {
      return unreadable;
    }
    const errors: Record<string, string> = {};
    const seconds = Number(form.values.duration);
    if (!extensionChoices(target).includes(seconds)) {
      errors[form.blockIds.duration ?? FIELD.duration] =
        "Choose one of the offered lengths.";
    }
    const reason = (form.values.reason ?? "").trim();
    if (!reason) {
      errors[form.blockIds.reason ?? FIELD.reason] =
        "Say why you need more time.";
    } else if (reason.length > MAX_REASON_LENGTH) {
      errors[form.blockIds.reason ?? FIELD.reason] =
        `Keep the reason within ${MAX_REASON_LENGTH} characters.`;
    }
    const approverId = form.values.approver ?? "";
    if (!approverId) {
      errors[form.blockIds.approver ?? FIELD.reason] =
        "Choose who should approve.";
    } else {
      const [person, members] = await Promise.all([
        lookupPerson(client, approverId),
        approverGroupMembers(client, target.profile),
      ]);
      const problem = approverProblem(target.profile, user.id, person, members);
      if (problem) errors[form.blockIds.approver ?? FIELD.reason] = problem;
    }
    if (Object.keys(errors).length) {
      return { response_action: "errors", errors };
    }
    const original = found.record;
    const request: AccessRequest = {
      id: await requestIdFor(function_data.execution_id),
      requester: user.id,
      attribute: original.attribute,
      device_id: original.device_id,
      ...(original.login ? { login: original.login } : {}),
      duration_seconds: seconds,
      approver: approverId,
      reason,
      extends: original.id,
    };
    const failed = await submitRequest(
      client,
      function_data.execution_id,
      request,
      snapshotOf(original) ?? undefined,
    );
    if (failed) {
      return {
        response_action: "errors",
        errors: { [form.blockIds.reason ?? FIELD.reason]: failed },
      };
    }
  },
).addViewSubmissionHandler(
  REVOKE_REASON_CALLBACK_ID,
  async ({ body, client, env }) => {
    const checked = checkPayload(
      ViewSubmissionSchema.extend({
        view: ViewSubmissionSchema.shape.view.extend({
          root_view_id: z.string().nullish(),
        }),
      }),
      body,
      "my_access: revoke reason",
    );
    const fail = (text: string) => ({
      response_action: "errors",
      errors: { [REVOKE_REASON_FIELD]: text },
    });
    if (!checked.ok) {
      return fail("The form could not be read. Close it and try again.");
    }
    const { user, view } = checked.data;
    const reason = typedText(view.state.values, REVOKE_REASON_FIELD);
    if (!reason) return fail("Say why; the requester is told.");
    const person = await lookupPerson(client, user.id);
    if (!isAdmin(config, person?.email)) {
      return fail("Only a tailnet admin can revoke someone else's access.");
    }
    const meta = GrantMetadata.safeParse(parseJson(view.private_metadata));
    const record = meta.success
      ? await new RequestStore(client).get(meta.data.grant_id)
      : null;
    if (!record) return fail("That access no longer exists.");
    const deadline = Deadline.forHandler("interaction", env);
    const result = await revokeGrant(
      decisionContext(client, env, config, deadline),
      record,
      user.id,
      reason,
    );
    if (!result.ok) return fail(result.text);
    if (view.root_view_id) {
      await showList(
        env,
        client,
        user.id,
        view.root_view_id,
        `:no_entry: ${result.text}`,
        deadline,
      );
    }
  },
).addViewClosedHandler(
  [MY_ACCESS_CALLBACK_ID, EXTEND_FORM_CALLBACK_ID],
  async ({ body, client }) => {
    const checked = checkPayload(
      InteractionSchema,
      body,
      "my_access: closed",
    );
    if (!checked.ok) return;
    // Closed without asking for an extension: the review step has nothing to do.
    await client.functions.completeSuccess({
      function_execution_id: checked.data.function_data.execution_id,
      outputs: {},
    });
  },
);
