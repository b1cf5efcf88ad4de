/**
 * The tailnet policy file endpoints: read it as HuJSON with its ETag, have
 * Tailscale validate a candidate, and write it back only over the version
 * read. Each needs the `policy_file` scope, and says so when it is missing.
 *
 * @module
 */
import { z } from "zod";
import { parseAnswer, readWriteAnswer } from "./answers.ts";
import { networkError } from "./network.ts";
import { TailscaleApiError, withScopes } from "./errors.ts";
import type { TailscaleHttp } from "./http.ts";
import { PolicyValidationSchema } from "./schemas.ts";

/** The policy file as text, and the version it is. */
export type PolicyFile = { text: string; etag: string };

/**
 * What `acl/validate` found: errors (failing tests, a refused policy) mean
 * the policy would be refused; warnings (say, a SCIM group that is not
 * syncing) do not. Each line is Tailscale's own, prefixed with its `user`.
 */
export type PolicyValidation = { errors: string[]; warnings: string[] };

const POLICY_SCOPES: readonly string[] = ["policy_file"];

/**
 * `GET /tailnet/{tailnet}/acl` without a JSON `Accept`, so the text keeps
 * its comments and formatting.
 *
 * @example
 * ```ts
 * const { text, etag } = await getPolicyFile(http);
 * ```
 */
export async function getPolicyFile(http: TailscaleHttp): Promise<PolicyFile> {
  const operation = "reading the tailnet policy file";
  return await http.call(
    operation,
    "GET",
    http.tailnetPath("/acl"),
    (res) => readPolicyAnswer(operation, res),
    { accept: null },
  ).catch((e) => {
    throw withScopes(e, POLICY_SCOPES);
  });
}

/**
 * `POST /tailnet/{tailnet}/acl/validate` with the HuJSON text.
 *
 * @example
 * ```ts
 * const { errors, warnings } = await validatePolicyFile(http, text);
 * ```
 */
export async function validatePolicyFile(
  http: TailscaleHttp,
  text: string,
): Promise<PolicyValidation> {
  const answer = await http.call(
    "validating the tailnet policy file",
    "POST",
    http.tailnetPath("/acl/validate"),
    (res, operation) => parseAnswer(operation, res, PolicyValidationSchema),
    { hujson: text },
  ).catch((e) => {
    throw withScopes(e, POLICY_SCOPES);
  });
  return validationOf(answer);
}

/**
 * `POST /tailnet/{tailnet}/acl` with `If-Match: etag`.
 *
 * @example
 * ```ts
 * await setPolicyFile(http, edited, etag);
 * ```
 */
export async function setPolicyFile(
  http: TailscaleHttp,
  text: string,
  etag: string,
): Promise<void> {
  await http.call(
    "writing the tailnet policy file",
    "POST",
    http.tailnetPath("/acl"),
    readWriteAnswer,
    { hujson: text, ifMatch: etag, accept: null },
  ).catch((e) => {
    throw withScopes(e, POLICY_SCOPES);
  });
}

/**
 * Tailscale's validation answer as errors and warnings, each a line.
 *
 * @example
 * ```ts
 * validationOf({ message: "warning: group:x is not syncing" });
 * // { errors: [], warnings: ["warning: group:x is not syncing"] }
 * ```
 */
export function validationOf(
  answer: z.output<typeof PolicyValidationSchema>,
): PolicyValidation {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const item of answer?.data ?? []) {
    const who = item.user ? `${item.user}: ` : "";
    for (const e of item.errors ?? []) errors.push(`${who}${e}`);
    for (const w of item.warnings ?? []) warnings.push(`${who}${w}`);
  }
  const message = answer?.message?.trim();
  if (message && !errors.length && !warnings.length) {
    // A message with no lines: a warning only if it says so.
    (/^warning/i.test(message) ? warnings : errors).push(message);
  }
  return { errors, warnings };
}

/** A policy file answer: the HuJSON body and its ETag. */
async function readPolicyAnswer(
  operation: string,
  res: Response,
): Promise<PolicyFile> {
  const etag = res.headers.get("ETag");
  if (!res.ok) return await parseAnswer(operation, res, z.never());
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw networkError(operation, e);
  }
  if (!etag) {
    throw new TailscaleApiError({
      operation,
      status: res.status,
      kind: "bad_response",
      tailscaleMessage: "the answer had no ETag",
    });
  }
  return { text, etag };
}
