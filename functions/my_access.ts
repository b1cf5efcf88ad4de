import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { z } from "zod";
import { config } from "../config.ts";
import {
  AccessRequestType,
  RequestStore,
  type TypedRecord,
} from "../lib/requests/mod.ts";
import { approverField, decisionContext } from "../lib/review/mod.ts";
import { lookupPerson } from "../lib/people/mod.ts";
import {
  actionOf,
  EXTEND_FORM_CALLBACK_ID,
  extendFormView,
  MY_ACCESS_ACTION_PATTERN,
  MY_ACCESS_ACTIONS,
  MY_ACCESS_CALLBACK_ID,
  type MyAccessInput,
  myAccessLoadingView,
  myAccessView,
  REVOKE_REASON_CALLBACK_ID,
  REVOKE_REASON_FIELD,
  revokeReasonView,
} from "../lib/blocks/mod.ts";
import {
  checkPayload,
  completeOnClose,
  Deadline,
  FIELD,
  InteractionSchema,
  notOpened,
  openView,
  parseJson,
  pushView,
  readFormState,
  typedText,
  updateView,
  ViewSubmissionSchema,
} from "../lib/slack/mod.ts";
import {
  cancelRequest,
  type CancelResult,
  checkExtensionForm,
  deviceLabel,
  findExtensionTarget,
  isAdmin,
  listAccess,
  profileLabel,
  revokeGrant,
  revokeWithReason,
  submitExtension,
} from "../lib/grants/mod.ts";
import { tailscaleFromEnv } from "../lib/tailscale/mod.ts";
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

/** The grant a form is for, from its private_metadata; null if unreadable. */
function grantIdOf(privateMetadata: string | undefined): string | null {
  const meta = GrantMetadata.safeParse(parseJson(privateMetadata));
  return meta.success ? meta.data.grant_id : null;
}

/** What a form says when its payload does not fit. */
const UNREADABLE = "The form could not be read. Close it and try again.";

/** A form's answer that shows `text` at `field`. */
function formError(field: string, text: string) {
  return { response_action: "errors", errors: { [field]: text } };
}

/** The open modal a handler answers in, and whose it is. */
type Modal = { env: Env; client: SlackClient; userId: string; viewId: string };

/**
 * Shows the list (with an optional notice) in the open modal, within the
 * handler's `deadline` (a click's 10 s by default, from now).
 */
async function showList(
  { env, client, userId, viewId }: Modal,
  notice?: string,
  deadline = Deadline.forHandler("interaction", env),
): Promise<void> {
  const now = new Date();
  const person = await lookupPerson(client, userId);
  const admin = isAdmin(config, person?.email);
  let rows: Pick<MyAccessInput, "grants" | "pending">;
  try {
    rows = await listAccess(
      new RequestStore(client, env),
      tailscaleFromEnv(env, client, deadline),
      config,
      { id: userId, admin },
      now,
    );
  } catch (e) {
    rows = { grants: [], pending: [] };
    notice = `:warning: Your access could not be listed (${
      errorText(e)
    }). Close this and try again.`;
  }
  await updateView(
    client,
    viewId,
    myAccessView({ ...rows, admin, notice, now }),
  );
}

/** Shows the extension form for `grantId`, or the list with why not. */
async function showExtend(modal: Modal, grantId: string): Promise<void> {
  const { client, userId, viewId } = modal;
  const found = await findExtensionTarget(
    new RequestStore(client),
    grantId,
    userId,
    config,
    undefined,
    client,
  );
  if (!found.ok) {
    await showList(modal, `:warning: ${found.why}`);
    return;
  }
  const approver = await approverField(client, found.target.profile, userId);
  await updateView(
    client,
    viewId,
    extendFormView(found.target, approver, userId, new Date()),
  );
}

/** The list's notice after a Cancel click. */
const CANCEL_NOTICES: Record<CancelResult["kind"], string> = {
  not_requester: ":warning: Only the requester can cancel a request.",
  not_pending: "That request was already decided.",
  cancelled:
    ":leftwards_arrow_with_hook: Request cancelled; the approver's message says so.",
  decided_first: "That request was decided before your cancellation counted.",
};

/**
 * A Revoke click: the requester's own access ends at once; an admin
 * revoking someone else's says why first, in a modal pushed over the list.
 */
async function revokeClicked(
  modal: Modal,
  payload: z.output<typeof ViewActionPayload>,
  record: TypedRecord,
  deadline: Deadline,
): Promise<void> {
  const { env, client, userId } = modal;
  if (record.requester === userId) {
    const ctx = decisionContext(client, env, config, deadline);
    const result = await revokeGrant(ctx, record, userId, undefined);
    const notice = result.ok
      ? `:no_entry: ${result.text}`
      : `:warning: ${result.text}`;
    return await showList(modal, notice, deadline);
  }
  const person = await lookupPerson(client, userId);
  if (!isAdmin(config, person?.email)) {
    return await showList(
      modal,
      ":warning: Only the person who has the access or a tailnet admin can revoke it.",
    );
  }
  const pointer = payload.interactivity?.interactivity_pointer ??
    payload.trigger_id;
  const pushed = await pushView(
    client,
    pointer,
    revokeReasonView(
      record.id,
      record.requester,
      `${profileLabel(config, record)} on ${deviceLabel(record)}`,
    ),
  );
  if (!pushed.ok) {
    await showList(
      modal,
      `:warning: The revoke form could not be opened (${pushed.error}).`,
    );
  }
}

export default SlackFunction(
  MyAccessFunction,
  async ({ inputs, env, client }) => {
    const userId = inputs.interactivity.interactor.id;
    const opened = await openView(
      client,
      inputs.interactivity.interactivity_pointer,
      myAccessLoadingView(),
    );
    if (!opened.ok) return notOpened(opened, `"My Tailscale access"`);
    const modal = { env, client, userId, viewId: opened.view.id };
    if (inputs.extend) await showExtend(modal, inputs.extend);
    else await showList(modal);
    return { completed: false };
  },
).addBlockActionsHandler(
  MY_ACCESS_ACTION_PATTERN,
  async ({ action, body, env, client }) => {
    const checked = checkPayload(ViewActionPayload, body, "my_access: button");
    if (!checked.ok) return;
    const userId = checked.data.user.id;
    const modal = { env, client, userId, viewId: checked.data.view.id };
    const id = String(action.value ?? "");
    const deadline = Deadline.forHandler("interaction", env);
    const show = (notice: string) => showList(modal, notice);
    let record: TypedRecord | null;
    try {
      record = await new RequestStore(client, env).get(id);
    } catch (e) {
      return await show(`:warning: ${errorText(e)}`);
    }
    if (!record) return await show(":warning: That request no longer exists.");
    switch (actionOf(action.action_id)) {
      case MY_ACCESS_ACTIONS.extend:
        return await showExtend(modal, id);
      case MY_ACCESS_ACTIONS.cancel: {
        const result = await cancelRequest(
          decisionContext(client, env, config, deadline),
          record,
          userId,
          findProfile(config, record.attribute),
        );
        return await show(CANCEL_NOTICES[result.kind]);
      }
      case MY_ACCESS_ACTIONS.revoke:
        return await revokeClicked(modal, checked.data, record, deadline);
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
    const unreadable = formError(FIELD.reason, UNREADABLE);
    if (!checked.ok) return unreadable;
    const { user, view, function_data } = checked.data;
    const grantId = grantIdOf(view.private_metadata);
    if (!grantId) return unreadable;
    const store = new RequestStore(client);
    const found = await findExtensionTarget(
      store,
      grantId,
      user.id,
      config,
      undefined,
      client,
    );
    if (!found.ok) return formError(FIELD.reason, found.why);
    let form;
    try {
      form = readFormState(view.state);
    } catch {
      return unreadable;
    }
    const asked = await checkExtensionForm(client, found.target, form, user.id);
    if (!asked.ok) return { response_action: "errors", errors: asked.errors };
    const failed = await submitExtension(
      client,
      function_data.execution_id,
      user.id,
      found.record,
      asked.ask,
    );
    if (failed) {
      return formError(form.blockIds.reason ?? FIELD.reason, failed);
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
    if (!checked.ok) return formError(REVOKE_REASON_FIELD, UNREADABLE);
    const { user, view } = checked.data;
    const deadline = Deadline.forHandler("interaction", env);
    const result = await revokeWithReason(
      decisionContext(client, env, config, deadline),
      user.id,
      grantIdOf(view.private_metadata),
      typedText(view.state.values, REVOKE_REASON_FIELD),
    );
    if (!result.ok) return formError(REVOKE_REASON_FIELD, result.text);
    if (view.root_view_id) {
      const list = { env, client, userId: user.id, viewId: view.root_view_id };
      await showList(list, `:no_entry: ${result.text}`, deadline);
    }
  },
).addViewClosedHandler(
  [MY_ACCESS_CALLBACK_ID, EXTEND_FORM_CALLBACK_ID],
  async ({ body, client }) => {
    // Closed without asking for an extension: the review step has nothing to do.
    await completeOnClose(client, body, "my_access: closed", {
      outputs: {},
    });
  },
);
