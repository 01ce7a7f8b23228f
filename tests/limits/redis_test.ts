import assert from "node:assert/strict";
import { connectRedis, RedisCooldownStore, RedisLimitStore } from "../../src/limits/mod.ts";
import { limitStoreSuite } from "./_suite.ts";

const REDIS_URL = Deno.env.get("REDIS_URL");
const SKIP = REDIS_URL ? undefined : "REDIS_URL not set";

limitStoreSuite({
  name: "RedisLimitStore",
  skip: SKIP,
  create: async (timings) =>
    new RedisLimitStore(await connectRedis(REDIS_URL!), {
      ...timings,
      prefix: `llmux-test:${crypto.randomUUID()}:`,
    }),
});

Deno.test({
  name: `RedisCooldownStore: cooldowns and failure counts are shared by two clients${
    SKIP ? ` (skipped: ${SKIP})` : ""
  }`,
  ignore: SKIP !== undefined,
  fn: async () => {
    const prefix = `llmux-test:${crypto.randomUUID()}:`;
    const [c1, c2] = await Promise.all([connectRedis(REDIS_URL!), connectRedis(REDIS_URL!)]);
    try {
      const a = new RedisCooldownStore(c1, { prefix });
      const b = new RedisCooldownStore(c2, { prefix });
      const now = Date.now();
      await a.start("dep-1", { startedAt: now, until: now + 5000, status: 429, reason: "x" });
      const seen = await b.active(["dep-1", "dep-2"], now + 1000);
      assert.deepEqual([...seen.keys()], ["dep-1"]);
      assert.equal((await b.active(["dep-1"], now + 5000)).size, 0);
      assert.equal(await a.countFailure("dep-2", 60_000, 60_000), 1);
      assert.equal(await b.countFailure("dep-2", 60_001, 60_000), 2);
      assert.equal(await a.countFailure("dep-2", 120_000, 60_000), 1);
      await b.resetFailures("dep-2");
      assert.equal(await a.countFailure("dep-2", 120_001, 60_000), 1);
    } finally {
      await Promise.all([c1.close(), c2.close()]);
    }
  },
});
