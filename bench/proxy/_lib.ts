/**
 * Shared helpers of the proxy benchmark scripts (bench/proxy/run.sh): the request bodies,
 * percentiles, RSS sampling from /proc, flag parsing.
 *
 * @module
 */

/** The chat body every load generator sends (the wrk Lua script sends the same bytes). */
export const CHAT_BODY = JSON.stringify({
  model: "bench",
  messages: [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "Say hello in one short sentence." },
  ],
  max_tokens: 32,
});

/** The streaming body (model `bench-stream`, whose api_base serves the SSE file). */
export const STREAM_BODY = JSON.stringify({
  model: "bench-stream",
  messages: [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "Count to two hundred." },
  ],
  stream: true,
});

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50/p90/p99/max/mean of a list of samples (ms), rounded to µs. */
export function summarize(samples: number[]): Record<string, number> {
  const s = Float64Array.from(samples).sort();
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    count: s.length,
    p50_ms: r(percentile(s, 50)),
    p90_ms: r(percentile(s, 90)),
    p99_ms: r(percentile(s, 99)),
    max_ms: r(s[s.length - 1] ?? NaN),
    mean_ms: r(mean),
  };
}

/** `VmRSS` and `VmHWM` of a process in KiB (0 when it is gone). */
export function memoryOf(pid: number): { rssKb: number; hwmKb: number } {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    return { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
  } catch {
    return { rssKb: 0, hwmKb: 0 };
  }
}

/** User + system CPU time of processes, in ms (from /proc/<pid>/stat; 10 ms resolution). */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      // Fields after the command name (which may contain spaces): state is field 3.
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(rest[11]) + Number(rest[12]); // utime (14), stime (15)
    } catch {
      // gone
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** Samples the summed RSS of some processes until stopped; reports the peak. */
export function sampleRss(
  pids: number[],
  everyMs = 20,
): () => { peakSumKb: number; hwmKb: number[] } {
  let peak = 0;
  const tick = () => {
    let sum = 0;
    for (const pid of pids) sum += memoryOf(pid).rssKb;
    if (sum > peak) peak = sum;
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return () => {
    clearInterval(timer);
    tick();
    return { peakSumKb: peak, hwmKb: pids.map((pid) => memoryOf(pid).hwmKb) };
  };
}

/** `--name value` flags into a record (all strings). */
export function flags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) continue;
    const eq = a.indexOf("=");
    if (eq !== -1) out[a.slice(2, eq)] = a.slice(eq + 1);
    else {out[a.slice(2)] = args[i + 1] !== undefined && !args[i + 1].startsWith("--")
        ? args[++i]
        : "true";}
  }
  return out;
}

/** Resolve after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Print one machine-readable result line for run.sh / summary.ts. */
export function emit(tag: string, value: unknown): void {
  // deno-lint-ignore no-console
  console.log(`RESULT ${tag} ${JSON.stringify(value)}`);
}
