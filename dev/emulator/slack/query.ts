/**
 * Datastore filter expressions: the DynamoDB-style `expression` (with
 * `expression_attributes` and `expression_values`) that
 * apps.datastore.query and apps.datastore.count take, compiled into a
 * predicate over stored items.
 *
 * @module
 */
import { isObject } from "./api.ts";

type Item = Record<string, unknown>;
type Operand = (item: Item) => unknown;
type Predicate = (item: Item) => boolean;

const MISSING = Symbol("missing");

/**
 * Compiles the DynamoDB-style filter expressions Slack datastores accept:
 * comparisons (= <> < <= > >=), BETWEEN, IN, AND / OR / NOT, parentheses,
 * and the functions attribute_exists, attribute_not_exists, begins_with and
 * contains. `#name` and `:value` placeholders must be defined; nested
 * attributes use dots (`#a.#b`). Anything else throws, so an expression the
 * fake does not understand fails loudly instead of matching wrongly.
 *
 * @example
 * ```ts
 * const live = compileExpression("#s = :s", { "#s": "state" }, {
 *   ":s": "granted",
 * });
 * live({ state: "granted" }); // true
 * ```
 */
export function compileExpression(
  expression: string,
  attributes: Record<string, unknown>,
  values: Record<string, unknown>,
): Predicate {
  return new ExpressionParser(expression, attributes, values).parse();
}

const COMPARATORS: Record<string, (a: unknown, b: unknown) => boolean> = {
  "=": (a, b) => a !== MISSING && sameValue(a, b),
  "<>": (a, b) => a !== MISSING && !sameValue(a, b),
  "<": (a, b) => ordered(a, b, (x, y) => x < y),
  "<=": (a, b) => ordered(a, b, (x, y) => x <= y),
  ">": (a, b) => ordered(a, b, (x, y) => x > y),
  ">=": (a, b) => ordered(a, b, (x, y) => x >= y),
};

/** The functions an expression may call, each parsing its own arguments. */
const FUNCTIONS: Record<string, (p: ExpressionParser) => Predicate> = {
  ATTRIBUTE_EXISTS: (p) => {
    const path = p.path();
    return (item) => path(item) !== MISSING;
  },
  ATTRIBUTE_NOT_EXISTS: (p) => {
    const path = p.path();
    return (item) => path(item) === MISSING;
  },
  BEGINS_WITH: pathAndValue((a, b) =>
    typeof a === "string" && typeof b === "string" && a.startsWith(b)
  ),
  CONTAINS: pathAndValue((a, b) => {
    if (typeof a === "string" && typeof b === "string") {
      return a.includes(b);
    }
    return Array.isArray(a) && a.some((x) => sameValue(x, b));
  }),
};

/** A function called as `name(path, value)`, true when `test` is. */
function pathAndValue(
  test: (a: unknown, b: unknown) => boolean,
): (p: ExpressionParser) => Predicate {
  return (p) => {
    const path = p.path();
    p.expect(",");
    const v = p.operand();
    return (item) => test(path(item), v(item));
  };
}

/** A recursive-descent parser over the expression's tokens. */
class ExpressionParser {
  readonly #tokens: string[];
  #pos = 0;

  constructor(
    readonly expression: string,
    readonly attributes: Record<string, unknown>,
    readonly values: Record<string, unknown>,
  ) {
    this.#tokens = expression.match(
      /#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|<>|<=|>=|[=<>(),.]|\S/g,
    ) ?? [];
  }

  parse(): Predicate {
    const predicate = this.or();
    if (this.#pos !== this.#tokens.length) {
      throw new Error(
        `unexpected "${this.#tokens[this.#pos]}" in "${this.expression}"`,
      );
    }
    return predicate;
  }

  peek(): string | undefined {
    return this.#tokens[this.#pos];
  }

  peekWord(): string | undefined {
    return this.peek()?.toUpperCase();
  }

  next(): string {
    const t = this.#tokens[this.#pos++];
    if (t === undefined) {
      throw new Error(`unexpected end of "${this.expression}"`);
    }
    return t;
  }

  expect(t: string): void {
    const got = this.next();
    if (got !== t) throw new Error(`expected "${t}" but found "${got}"`);
  }

  attributeName(token: string): string {
    if (token.startsWith("#")) {
      const name = this.attributes[token];
      if (typeof name !== "string") {
        throw new Error(`${token} is not defined in expression_attributes`);
      }
      return name;
    }
    if (/^[A-Za-z_]/.test(token)) return token;
    throw new Error(`expected an attribute name but found "${token}"`);
  }

  path(): Operand {
    const names = [this.attributeName(this.next())];
    while (this.peek() === ".") {
      this.next();
      names.push(this.attributeName(this.next()));
    }
    return (item) => {
      let v: unknown = item;
      for (const n of names) {
        if (!isObject(v) || !(n in v)) return MISSING;
        v = v[n];
      }
      return v;
    };
  }

  operand(): Operand {
    const t = this.peek();
    if (t?.startsWith(":")) {
      this.next();
      if (!(t in this.values)) {
        throw new Error(`${t} is not defined in expression_values`);
      }
      const value = this.values[t];
      return () => value;
    }
    return this.path();
  }

  primary(): Predicate {
    if (this.peek() === "(") {
      this.next();
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    const fn = FUNCTIONS[this.peekWord() ?? ""];
    if (fn && this.#tokens[this.#pos + 1] === "(") {
      this.next();
      this.next();
      const predicate = fn(this);
      this.expect(")");
      return predicate;
    }
    return this.comparison();
  }

  /** `a op b`, `a BETWEEN low AND high` or `a IN (b, c, …)`. */
  comparison(): Predicate {
    const left = this.operand();
    const op = this.next();
    if (op.toUpperCase() === "BETWEEN") {
      const low = this.operand();
      if (this.next().toUpperCase() !== "AND") {
        throw new Error("BETWEEN needs AND");
      }
      const high = this.operand();
      return (item) =>
        COMPARATORS[">="](left(item), low(item)) &&
        COMPARATORS["<="](left(item), high(item));
    }
    if (op.toUpperCase() === "IN") {
      this.expect("(");
      const options = [this.operand()];
      while (this.peek() === ",") {
        this.next();
        options.push(this.operand());
      }
      this.expect(")");
      return (item) => options.some((o) => sameValue(left(item), o(item)));
    }
    const compare = COMPARATORS[op];
    if (!compare) throw new Error(`unsupported operator "${op}"`);
    const right = this.operand();
    return (item) => compare(left(item), right(item));
  }

  not(): Predicate {
    if (this.peekWord() === "NOT") {
      this.next();
      const inner = this.not();
      return (item) => !inner(item);
    }
    return this.primary();
  }

  and(): Predicate {
    const parts = this.#joined("AND", () => this.not());
    return (item) => parts.every((p) => p(item));
  }

  or(): Predicate {
    const parts = this.#joined("OR", () => this.and());
    return (item) => parts.some((p) => p(item));
  }

  /** One or more `part`s separated by the keyword `word`. */
  #joined(word: string, part: () => Predicate): Predicate[] {
    const parts = [part()];
    while (this.peekWord() === word) {
      this.next();
      parts.push(part());
    }
    return parts;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** DynamoDB only orders numbers with numbers and strings with strings. */
function ordered(
  a: unknown,
  b: unknown,
  cmp: (x: number | string, y: number | string) => boolean,
): boolean {
  if (typeof a === "number" && typeof b === "number") return cmp(a, b);
  if (typeof a === "string" && typeof b === "string") return cmp(a, b);
  return false;
}
