/**
 * docs/platform-contract.md names, for each platform behaviour, the test
 * that pins it; this keeps every one of those names true.
 */
import { assert } from "./assert.ts";

const DOC = new URL("../docs/platform-contract.md", import.meta.url);
const TESTS = new URL("./", import.meta.url);

/**
 * Every `file_test: name` reference in the document; `…: name` means the
 * file named last. A name ending in "…" is a prefix.
 */
function references(doc: string): { file: string; name: string }[] {
  const out: { file: string; name: string }[] = [];
  let file = "";
  for (const m of doc.matchAll(/`([a-z_]+_test|…): ([^`]+)`/g)) {
    if (m[1] !== "…") file = m[1];
    assert(file, `a reference before any file: ${m[0]}`);
    out.push({ file, name: m[2] });
  }
  return out;
}

Deno.test("every test the platform contract names exists", async () => {
  const refs = references(await Deno.readTextFile(DOC));
  assert(refs.length > 30, `found only ${refs.length} references`);
  const missing: string[] = [];
  for (const { file, name } of refs) {
    const source = await Deno.readTextFile(new URL(`${file}.ts`, TESTS));
    const names = [...source.matchAll(
      /(?:Deno\.test|sdkTest)\(\s*"((?:[^"\\]|\\.)*)"/g,
    )]
      .map((m) => JSON.parse(`"${m[1]}"`) as string);
    const prefix = name.endsWith("…") ? name.slice(0, -1) : null;
    const found = names.some((n) =>
      prefix === null ? n === name : n.startsWith(prefix)
    );
    if (!found) missing.push(`${file}: ${name}`);
  }
  assert(missing.length === 0, `not found:\n${missing.join("\n")}`);
});
