/**
 * The command line of `deno task local`: its stories and options, their
 * usage text, and the durations it reads ("90m", "1h", "2d").
 *
 * @module
 */

/** The stories `deno task local` can play, each chosen with its flag. */
export const STORIES = {
  request: "a request and its decision",
  group: "a group grant: the policy file's group before, during, after",
  lifecycle: "extend, reminder, expiry; a second grant revoked",
  doctor: "the setup checks on a demo tailnet with one mistake of each kind",
  "break-glass": "an emergency grant without an approver, then acknowledged",
  later: "a request starting in 1 hour: nothing granted until then",
  "two-person":
    "two approvals needed: nothing at the first, one grant at the second",
  escalation: "no decision in 30 minutes: offered to the other approvers",
} as const;

/** One of {@linkcode STORIES}. */
export type Story = keyof typeof STORIES;

/** The usage text `--help` prints. */
export const USAGE = `Usage: deno task local [story] [options]

Plays a story against local Slack and Tailscale emulators, using this
repository's config.ts, and prints what each person saw. Exits 0 only when
the story's outcome is right.

Stories (one flag at most):
${
  Object.entries(STORIES).map(([s, line]) =>
    `  ${(s === "request" ? "(no flag)" : `--${s}`).padEnd(26)}${line}`
  ).join("\n")
}

Options:
  --decision approve|deny   what the approver decides (request; default: approve)
  --profile NAME            profile description or attribute (request, lifecycle, later; default: the first)
  --duration D              e.g. 30m, 1h, 2d or seconds (request; default: the form's default)
  --requester NAME          demo person (alice, bob, carol, dave, erin) or email (default: alice)
  --serve                   keep the emulators running and print their URLs
  --json                    print the transcript as JSON (every story)
  --help                    this text`;

/** Parsed command line. */
export type LocalOptions = {
  /** The story to play; absent: the request. */
  story?: Story;
  decision: "approve" | "deny";
  profile?: string;
  duration?: string;
  requester: string;
  serve: boolean;
  json: boolean;
};

/** Which options each story reads, beyond --requester, --json and --help. */
const READS: Record<Story, string[]> = {
  request: ["--decision", "--profile", "--duration", "--serve"],
  group: [],
  lifecycle: ["--profile"],
  doctor: [],
  "break-glass": [],
  later: ["--profile"],
  "two-person": [],
  escalation: [],
};

/** Parses `--flag value` and `--flag=value`; throws with a usage hint. */
export function parseArgs(args: string[]): LocalOptions | "help" {
  const opts: LocalOptions = {
    decision: "approve",
    requester: "alice",
    serve: false,
    json: false,
  };
  const given: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    given.push(flag);
    switch (flag) {
      case "--help":
      case "-h":
        return "help";
      case "--group":
      case "--lifecycle":
      case "--doctor":
      case "--break-glass":
      case "--later":
      case "--two-person":
      case "--escalation":
        if (opts.story) {
          throw new Error(`choose one story, not --${opts.story} and ${flag}`);
        }
        opts.story = flag.slice(2) as Story;
        break;
      case "--serve":
        opts.serve = true;
        break;
      case "--json":
        opts.json = true;
        break;
      case "--decision": {
        const v = value();
        if (v !== "approve" && v !== "deny") {
          throw new Error(`--decision must be approve or deny, not "${v}"`);
        }
        opts.decision = v;
        break;
      }
      case "--profile":
        opts.profile = value();
        break;
      case "--duration":
        opts.duration = value();
        break;
      case "--requester":
        opts.requester = value();
        break;
      default:
        throw new Error(`unknown option "${args[i]}"`);
    }
  }
  refuseUnread(opts.story, given);
  return opts;
}

/** An option the chosen story would ignore is a mistake worth saying. */
function refuseUnread(story: Story | undefined, given: string[]): void {
  if (!story) return;
  const ignored = given.find((f) =>
    ["--decision", "--profile", "--duration", "--serve"].includes(f) &&
    !READS[story].includes(f)
  );
  if (ignored) {
    throw new Error(`${ignored} does not apply to the --${story} story`);
  }
}

/** "90m", "1h", "2d", "45s" or plain seconds → seconds. */
export function parseDuration(text: string): number {
  const m = text.trim().match(/^(\d+)\s*([smhd]?)$/i);
  if (!m) throw new Error(`cannot read duration "${text}" (try 30m, 1h, 2d)`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2].toLowerCase()]!;
  return Number(m[1]) * unit;
}
