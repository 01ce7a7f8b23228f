/**
 * The floor of any Deno proxy: `Deno.serve` + `fetch` to the upstream, the request body read
 * and the response body streamed back untouched. No routing, parsing, logging or metrics.
 * bench/proxy/run.sh measures it next to llmux so the table separates what Deno's HTTP server
 * and client cost from what llmux adds on top.
 *
 * With `--through-js` it is the floor of a proxy that reads what it forwards: the JSON answer
 * read as text and sent back as a string, the stream passed through one JavaScript
 * `ReadableStream` (BYOB reads into a reused buffer, each piece copied out).
 *
 *   deno run -A bench/proxy/floor.ts --port 8081 --upstream http://127.0.0.1:8080 [--through-js]
 *
 * @module
 */

import { flags } from "./_lib.ts";

const f = flags(Deno.args);
const upstream = f.upstream;
const port = Number(f.port);
const streamPath = "/stream/v1/chat/completions";
const pacedPath = "/paced/v1/chat/completions";
/** `--through-js`: read the JSON as text and pass streams through one JS ReadableStream. */
const throughJs = f["through-js"] !== undefined;

/** The bytes through one pull-based stream, read with BYOB into one reused 16 KiB buffer. */
function throughOneStream(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader({ mode: "byob" });
  let buffer = new ArrayBuffer(16 * 1024);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (value) buffer = value.buffer as ArrayBuffer;
      if (done) controller.close();
      else controller.enqueue(value.slice());
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

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
  const headers = { "content-type": res.headers.get("content-type") ?? "application/json" };
  if (!throughJs || !res.body) return new Response(res.body, { status: res.status, headers });
  if (path === "/v1/chat/completions") {
    return new Response(await res.text(), { status: res.status, headers });
  }
  return new Response(throughOneStream(res.body), { status: res.status, headers });
});
