import assert from "node:assert/strict";
import { DEFAULT_SQLITE_PATH, openStore, parseDatabaseUrl } from "../../src/store/mod.ts";

const TARGETS: [string | undefined, ReturnType<typeof parseDatabaseUrl>][] = [
  [undefined, { kind: "sqlite", path: DEFAULT_SQLITE_PATH }],
  ["sqlite:///var/lib/llmux/state.db", { kind: "sqlite", path: "/var/lib/llmux/state.db" }],
  ["sqlite://data/llmux.db", { kind: "sqlite", path: "data/llmux.db" }],
  ["sqlite://my%20dir/x.db", { kind: "sqlite", path: "my dir/x.db" }],
  ["sqlite::memory:", { kind: "sqlite", path: ":memory:" }],
  [":memory:", { kind: "sqlite", path: ":memory:" }],
  ["postgres://u:p@db:5432/llmux", { kind: "postgres", url: "postgres://u:p@db:5432/llmux" }],
  ["postgresql://db/llmux?schema=gw", { kind: "postgres", url: "postgresql://db/llmux?schema=gw" }],
];

for (const [url, expected] of TARGETS) {
  Deno.test(`parseDatabaseUrl(${JSON.stringify(url)}) is ${expected.kind}`, () => {
    assert.deepEqual(parseDatabaseUrl(url), expected);
  });
}

const REJECTED = ["", "   ", "mysql://root:secret@db/llmux", "llmux.db", "sqlite://", "sqlite:///"];

for (const url of REJECTED) {
  Deno.test(`parseDatabaseUrl(${JSON.stringify(url)}) throws a TypeError`, () => {
    assert.throws(() => parseDatabaseUrl(url), TypeError);
  });
}

Deno.test("parseDatabaseUrl() names the bad scheme but never echoes the URL", () => {
  assert.throws(
    () => parseDatabaseUrl("mysql://root:secret@db/llmux"),
    (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /unsupported database_url scheme "mysql:"/);
      assert.doesNotMatch(error.message, /secret/);
      return true;
    },
  );
});

Deno.test("openStore() opens an in-memory SQLite store, migrated", async () => {
  const store = await openStore(":memory:");
  try {
    assert.equal(store.kind, "sqlite");
    assert.deepEqual(await store.listKeys(), []);
  } finally {
    await store.close();
  }
});

Deno.test("openStore() rejects an unsupported URL", async () => {
  await assert.rejects(openStore("redis://127.0.0.1:6379"), /unsupported database_url/);
});

Deno.test("a closed store rejects further calls", async () => {
  const store = await openStore(":memory:");
  await store.close();
  await store.close(); // idempotent
  await assert.rejects(store.getKey("k"), /closed/);
});
