/**
 * The README's provider table is generated from the OpenAI-compatible data
 * table; this test keeps the two in step (run with UPDATE=1 to rewrite it).
 */

import assert from "node:assert/strict";
import { OPENAI_COMPATIBLE_PROVIDERS } from "../src/providers/openai/table.ts";
import type { OpenAICompatibleSpec } from "../src/providers/openai/spec.ts";

const README = new URL("../README.md", import.meta.url);
const START = "<!-- provider-table:start -->";
const END = "<!-- provider-table:end -->";

function renderTable(): string {
  const rows = ["| prefix | default base | key env vars |", "| --- | --- | --- |"];
  for (const [id, row] of Object.entries(OPENAI_COMPATIBLE_PROVIDERS)) {
    if (id === "openai") continue;
    const spec: OpenAICompatibleSpec = row;
    const keys = spec.apiKeyEnv.map((k) => `\`${k}\``).join(", ");
    const key = spec.apiKeyRequired === false ? `none needed (optional: ${keys})` : keys;
    rows.push(`| \`${id}\` | \`${spec.baseURL}\` | ${key} |`);
  }
  return rows.join("\n");
}

/** Table cells, ignoring the column padding `deno fmt` adds. */
function cells(markdown: string): string[][] {
  return markdown.split("\n").filter((l) => l.startsWith("|") && !/^\|[\s|:-]+\|$/.test(l))
    .map((l) => l.slice(1, -1).split("|").map((c) => c.trim()));
}

Deno.test("README provider table matches src/providers/openai/table.ts", async () => {
  const text = await Deno.readTextFile(README);
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  assert.ok(start !== -1 && end > start, "README has the provider-table markers");
  const expected = `${START}\n\n${renderTable()}\n\n${END}`;
  const actual = text.slice(start, end + END.length);
  const same = JSON.stringify(cells(actual)) === JSON.stringify(cells(expected));
  if (!same && Deno.env.get("UPDATE") === "1") {
    await Deno.writeTextFile(
      README,
      text.slice(0, start) + expected + text.slice(end + END.length),
    );
    return;
  }
  assert.deepEqual(
    cells(actual),
    cells(expected),
    "run: UPDATE=1 deno test -A tests/readme_test.ts",
  );
});
