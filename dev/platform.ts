/**
 * A small stand-in for Slack's workflow platform, for tests: it runs a
 * manifest workflow's steps in order, delivers Slack-shaped events to the
 * app's functions (through {@linkcode dispatchPayload}), and lets a test act
 * as a person would ("choose Production", "click Approve"), building every
 * payload from what the app actually rendered.
 *
 * Two parts: the workflow engine (`platform/engine.ts`: runs, executions,
 * event delivery, scheduled triggers and the clock) and the simulated person
 * (`platform/person.ts`: what people see and do, with `platform/find.ts`
 * finding fields and buttons in rendered blocks).
 *
 * @module
 */
import { SimulatedPeople } from "./platform/person.ts";

export {
  ACTION_DROPPED,
  type Delivery,
  type Dispatcher,
  type Execution,
  HANDLER_TIMED_OUT,
  type PlatformOptions,
  type WorkflowRun,
} from "./platform/types.ts";

/**
 * The fake Slack platform: the workflow engine with people acting on it.
 *
 * @example
 * ```ts
 * const platform = new SlackPlatform({ slack, env, dispatch, workflows });
 * await platform.startWorkflow("request_tailscale_access", PEOPLE.alice);
 * await platform.choose(PEOPLE.alice, "What do you need access to?", "Production");
 * await platform.submit(PEOPLE.alice);
 * await platform.advanceClock(3_600_000); // scheduled triggers come due
 * ```
 */
export class SlackPlatform extends SimulatedPeople {}
