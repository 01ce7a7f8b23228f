/**
 * The store suite on PostgreSQL, when `DATABASE_URL` points at one (CI
 * starts it; see `.ci/run`). Every case runs in its own random schema,
 * dropped afterwards, so parallel runs never collide. Without
 * `DATABASE_URL` the cases are registered as ignored, with the reason in
 * their names.
 *
 * @module
 */

import assert from "node:assert/strict";
import postgres from "postgres";
import { openPostgresStore, openStore } from "../../src/store/mod.ts";
import { storeSuite } from "./_suite.ts";
import { newKey } from "./_fixtures.ts";

const DATABASE_URL = Deno.env.get("DATABASE_URL");
const SKIP = "DATABASE_URL not set";
const enabled = DATABASE_URL !== undefined && /^postgres(ql)?:\/\//.test(DATABASE_URL);

/** A fresh schema name. */
function schemaName(): string {
  return `llmux_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

/** An admin connection for setup and teardown of one schema. */
function admin(): postgres.Sql {
  return postgres(DATABASE_URL as string, { max: 1, onnotice: () => {} });
}

storeSuite(
  "postgres",
  enabled
    ? {
      async open({ now }) {
        const schema = schemaName();
        const store = await openStore(DATABASE_URL, { now, schema });
        return {
          store,
          reopen: (options) => openStore(DATABASE_URL, { now, schema, ...options }),
          async breakTeamCounters() {
            const sql = admin();
            try {
              await sql.unsafe(
                `CREATE FUNCTION ${schema}.llmux_test_boom() RETURNS trigger LANGUAGE plpgsql ` +
                  "AS $$ BEGIN RAISE EXCEPTION 'team counter broken'; END $$",
              );
              await sql.unsafe(
                `CREATE TRIGGER llmux_test_boom BEFORE UPDATE OF spend ON ${schema}.llmux_teams ` +
                  `FOR EACH ROW EXECUTE FUNCTION ${schema}.llmux_test_boom()`,
              );
            } finally {
              await sql.end();
            }
          },
          async dispose() {
            await store.close();
            const sql = admin();
            try {
              await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
            } finally {
              await sql.end();
            }
          },
        };
      },
    }
    : { skip: SKIP },
);

Deno.test({
  name: `postgres: ?schema= in the URL picks the schema; migrations are versioned${
    enabled ? "" : ` (skipped: ${SKIP})`
  }`,
  ignore: !enabled,
  async fn() {
    const schema = schemaName();
    const url = new URL(DATABASE_URL as string);
    url.searchParams.set("schema", schema);
    const sql = admin();
    try {
      const store = await openPostgresStore(url.toString());
      assert.equal(store.schema, schema);
      await store.createKey(newKey("k1"));
      await store.close();
      const again = await openPostgresStore(url.toString());
      assert.equal((await again.getKey("k1"))?.token, "k1");
      await again.close();
      const tables = await sql`
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = ${schema} ORDER BY table_name`;
      assert.deepEqual(tables.map((row) => row.table_name), [
        "llmux_keys",
        "llmux_migrations",
        "llmux_spend_logs",
        "llmux_teams",
        "llmux_users",
      ]);
      const versions = await sql.unsafe(`SELECT version FROM ${schema}.llmux_migrations`);
      assert.deepEqual(versions.map((row) => row.version), [1]);
    } finally {
      await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await sql.end();
    }
  },
});

Deno.test({
  name: `postgres: two stores migrating one schema at once both succeed${
    enabled ? "" : ` (skipped: ${SKIP})`
  }`,
  ignore: !enabled,
  async fn() {
    const schema = schemaName();
    const sql = admin();
    try {
      const stores = await Promise.all([
        openPostgresStore(DATABASE_URL as string, { schema }),
        openPostgresStore(DATABASE_URL as string, { schema }),
        openPostgresStore(DATABASE_URL as string, { schema }),
      ]);
      await Promise.all(stores.map((store) => store.close()));
      const versions = await sql.unsafe(`SELECT version FROM ${schema}.llmux_migrations`);
      assert.deepEqual(versions.map((row) => row.version), [1]);
    } finally {
      await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await sql.end();
    }
  },
});

Deno.test("postgres: an invalid schema name is refused before connecting", async () => {
  await assert.rejects(
    openPostgresStore("postgres://u:p@127.0.0.1:1/db", { schema: "x; DROP TABLE y" }),
    /schema "x; DROP TABLE y" must be letters, digits and _/,
  );
});
