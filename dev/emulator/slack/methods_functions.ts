/**
 * functions.completeSuccess and functions.completeError: a function
 * execution ends once, and only by its own token (Slack answers
 * `access_denied` to another execution's token).
 *
 * @module
 */
import {
  type Args,
  type MethodTable,
  type Reply,
  required,
  SlackApiError,
} from "./api.ts";
import type { FakeCompletion } from "./types.ts";

/** What the completion methods need from the emulator around them. */
export type CompletionOptions = {
  /** Where accepted completions are recorded, in order. */
  completions: FakeCompletion[];
  /** Let one execution complete another (off in Slack). */
  allowCrossExecution: boolean;
  /** The execution whose token made the call being answered, if any. */
  caller: () => string | undefined;
};

/**
 * The functions.complete* methods.
 *
 * @example
 * ```ts
 * const completions: FakeCompletion[] = [];
 * const methods = functionMethods({
 *   completions,
 *   allowCrossExecution: false,
 *   caller: () => "Fx1",
 * });
 * methods["functions.completeSuccess"]({
 *   function_execution_id: "Fx1",
 *   outputs: {},
 * });
 * ```
 */
export function functionMethods(opts: CompletionOptions): MethodTable {
  const completed = new Set<string>();
  const complete = (args: Args, kind: "success" | "error"): Reply => {
    required(
      args,
      "function_execution_id",
      kind === "success" ? "outputs" : "error",
    );
    const id = String(args.function_execution_id);
    if (!opts.allowCrossExecution && opts.caller() !== id) {
      // Only the execution's own token may complete it.
      throw new SlackApiError("access_denied");
    }
    // Slack answers a second completion of one execution like this.
    if (completed.has(id)) {
      throw new SlackApiError("function_execution_not_found");
    }
    completed.add(id);
    opts.completions.push(
      kind === "success"
        ? { function_execution_id: id, kind, outputs: args.outputs }
        : { function_execution_id: id, kind, error: String(args.error) },
    );
    return { ok: true };
  };
  return {
    "functions.completeSuccess": (a) => complete(a, "success"),
    "functions.completeError": (a) => complete(a, "error"),
  };
}
