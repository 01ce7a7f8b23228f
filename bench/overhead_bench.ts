/**
 * `completion()` against a local fake upstream vs a raw `fetch` of the same
 * bytes, in the same run: the SDK's overhead per call.
 *
 * Run: deno bench --allow-read=. --allow-net=127.0.0.1 --allow-env bench/overhead_bench.ts
 */

import { completion } from "../mod.ts";
import { chatWithTools, nativeStream } from "./_fixtures.ts";

const RESPONSE = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1730000000,
  model: "gpt-4o-mini",
  choices: [{
    index: 0,
    message: { role: "assistant", content: "It is 18 degrees in Paris.", refusal: null },
    logprobs: null,
    finish_reason: "stop",
  }],
  usage: { prompt_tokens: 120, completion_tokens: 9, total_tokens: 129 },
});
const STREAM = nativeStream("openai", 50);

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
  const body = await req.json();
  return body.stream
    ? new Response(STREAM, { headers: { "content-type": "text/event-stream" } })
    : new Response(RESPONSE, { headers: { "content-type": "application/json" } });
});
const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/v1`;
const request = chatWithTools("openai/gpt-4o-mini");
const headers = { "content-type": "application/json", authorization: "Bearer sk-bench" };

Deno.bench({ name: "raw fetch (non-streaming)", group: "json", baseline: true }, async () => {
  const body = JSON.stringify({ ...request, model: "gpt-4o-mini" });
  const res = await fetch(`${base}/chat/completions`, { method: "POST", headers, body });
  await res.json();
});

Deno.bench({ name: "completion() (non-streaming)", group: "json" }, async () => {
  await completion({ ...request, api_base: base, api_key: "sk-bench" });
});

Deno.bench({ name: "raw fetch (stream, 50 chunks)", group: "stream", baseline: true }, async () => {
  const res = await fetch(`${base}/chat/completions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ ...request, model: "gpt-4o-mini", stream: true }),
  });
  // The least a raw caller must do: decode, split events, parse each chunk.
  let buffer = "";
  for await (const text of res.body!.pipeThrough(new TextDecoderStream())) {
    buffer += text;
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const data = buffer.slice(6, end);
      if (data !== "[DONE]") JSON.parse(data);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
    }
  }
});

Deno.bench({ name: "completion() (stream, 50 chunks)", group: "stream" }, async () => {
  const stream = await completion({
    ...request,
    stream: true,
    api_base: base,
    api_key: "sk-bench",
  });
  for await (const _ of stream);
});

globalThis.addEventListener("unload", () => server.shutdown());
