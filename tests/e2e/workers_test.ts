/**
 * `--workers 2`: two worker processes share one port; 50 requests on fresh
 * connections all succeed and are split between two processes (each keeps
 * its own Prometheus counters: each is below 50 and the two add up to 50); SIGTERM
 * stops every process (nothing accepts on the port afterwards) with exit 0.
 */

import assert from "node:assert/strict";
import {
  connectionRefused,
  EXAMPLE_CONFIG,
  httpRequest,
  rawHttp,
  startServer,
} from "../server/_process.ts";

const CHAT = JSON.stringify({ model: "demo", messages: [{ role: "user", content: "hi" }] });

/** Chat requests this process has counted, from its `/metrics`. */
function chatCount(metrics: string): number {
  let total = 0;
  for (const line of metrics.split("\n")) {
    if (line.startsWith('llmux_proxy_total_requests_metric_total{route="/v1/chat/completions"')) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}

Deno.test("--workers 2: two processes share the port, SIGTERM stops them all", async () => {
  await using server = await startServer({
    args: ["--config", EXAMPLE_CONFIG, "--workers", "2"],
  });
  assert.match(server.stdout, /starting 2 workers on 127\.0\.0\.1:\d+/);
  // Both workers listen on the one port.
  await server.waitForStdout(/listening on[^\n]*\[worker 0\]/);
  await server.waitForStdout(/listening on[^\n]*\[worker 1\]/);
  const ports = [...server.stdout.matchAll(/listening on http:\/\/127\.0\.0\.1:(\d+)/g)];
  assert.deepEqual(ports.map((m) => Number(m[1])), [server.port, server.port]);

  // Every request on its own connection, a few at a time.
  const N = 50;
  const statuses: number[] = [];
  for (let i = 0; i < N; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: 10 }, () =>
        rawHttp(
          server.port,
          httpRequest("POST", "/v1/chat/completions", { "content-type": "application/json" }, CHAT),
        )),
    );
    for (const res of batch) {
      statuses.push(res.status);
      assert.match(JSON.parse(res.body).choices[0].message.content, /^Hello from llmux/);
    }
  }
  assert.deepEqual(statuses, Array(N).fill(200));

  // Each worker counts only what it served: a count below N means another process served the
  // rest, and the counts seen (one per worker; both the same on an even split) add up to N.
  const counts = new Set<number>();
  for (let i = 0; i < 30; i++) {
    const res = await rawHttp(server.port, httpRequest("GET", "/metrics"));
    assert.equal(res.status, 200);
    counts.add(chatCount(res.body));
  }
  const shares = [...counts].sort((a, b) => a - b);
  assert.ok(shares.every((n) => n > 0 && n < N), `one process served all ${N}: ${shares}`);
  if (shares.length === 1) shares.push(shares[0]);
  assert.equal(shares.length, 2, `more than two processes: ${shares}`);
  assert.equal(shares[0] + shares[1], N, `the workers' counts ${shares} add up to ${N}`);

  const signalled = performance.now();
  server.kill("SIGTERM");
  const status = await server.waitForExit(10_000);
  const exited = performance.now() - signalled;
  assert.ok(status, "the supervisor did not exit");
  assert.equal(status.code, 0, server.stderr);
  // No worker is left accepting on the shared port.
  assert.ok(await connectionRefused(server.port), "a worker still listens");
  // deno-lint-ignore no-console
  console.log(
    `--workers 2: requests split ${shares.join(" + ")}; all processes exited ${
      exited.toFixed(0)
    } ms after SIGTERM`,
  );
});
