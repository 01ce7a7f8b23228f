/**
 * The floor of any Deno proxy: `Deno.serve` + `fetch` to the upstream, the request body read
 * and the response body streamed back untouched. No routing, parsing, logging or metrics.
 * bench/proxy/run.sh measures it next to llmux so the table separates what Deno's HTTP server
 * and client cost from what llmux adds on top.
 *
 *   deno run -A bench/proxy/floor.ts --port 8081 --upstream http://127.0.0.1:8080
 *
 * @module
 */

import { flags } from "./_lib.ts";

const f = flags(Deno.args);
const upstream = f.upstream;
const port = Number(f.port);
const streamPath = "/stream/v1/chat/completions";
const pacedPath = "/paced/v1/chat/completions";

Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
  const body = await req.text();
  // Same routing decision llmux makes from the model name, done on the raw text.
  const path = body.includes('"bench-stream"')
    ? streamPath
    : body.includes('"bench-paced"')
    ? pacedPath
    : "/v1/chat/completions";
  const res = await fetch(upstream + path, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
    body,
    signal: req.signal,
  });
  return new Response(res.body, {
    status: res.status,
    headers: { "content-type": res.headers.get("content-type") ?? "application/json" },
  });
});
