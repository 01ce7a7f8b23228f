/**
 * Summarise a V8 `.cpuprofile` (from `deno run --cpu-prof`): self time per function and per
 * source file, top N. Used to find what dominates the proxy's CPU time.
 *
 *   deno run -A bench/proxy/cpuprof_top.ts /tmp/prof/CPU.*.cpuprofile [--top 30]
 *
 * @module
 */

import { flags } from "./_lib.ts";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const f = flags(Deno.args);
const file = Deno.args.find((a) => !a.startsWith("--") && a.endsWith(".cpuprofile"));
if (!file) throw new Error("usage: cpuprof_top.ts <file.cpuprofile> [--top N]");
const top = Number(f.top ?? 30);
const prof: Profile = JSON.parse(await Deno.readTextFile(file));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const short = (url: string) =>
  url.replace(/^file:\/\/.*?\/(src|bench|server\.ts)/, "$1")
    .replace(/^.*\/node_modules\/(?:\.deno\/)?/, "npm:")
    .replace(/^ext:/, "ext:");
const fn = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  const cf = n.callFrame;
  const key = `${cf.functionName || "(anonymous)"}  ${short(cf.url)}:${cf.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const fk = cf.url ? short(cf.url) : cf.functionName;
  files.set(fk, (files.get(fk) ?? 0) + us);
}
const pct = (us: number) => ((100 * us) / total).toFixed(1).padStart(5) + "%";
const print = (title: string, m: Map<string, number>) => {
  // deno-lint-ignore no-console
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    // deno-lint-ignore no-console
    console.log(`${pct(us)}  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  }
};
print("self time by function", fn);
print("self time by file", files);
