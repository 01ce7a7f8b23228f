import { MemoryLimitStore } from "../../src/limits/mod.ts";
import { limitStoreSuite } from "./_suite.ts";

limitStoreSuite({
  name: "MemoryLimitStore",
  create: (timings) => Promise.resolve(new MemoryLimitStore(timings)),
});
