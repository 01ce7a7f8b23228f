/**
 * A strict fake of OpenAI's Chat Completions, Embeddings and Models API on
 * 127.0.0.1, also serving every OpenAI-compatible host when mounted under
 * that host's path prefix (`/openai/v1` for Groq, `` for Perplexity, …).
 *
 * It checks `Authorization: Bearer <key>` and validates bodies the way
 * OpenAI does (answering with OpenAI's 400/401 error shapes), then replays
 * the fixtures of `tests/fixtures/openai/` named by an explicit scenario
 * queue: request *i* plays `scenarios[i]` (the last one repeats).
 *
 * Scenarios: a fixture case name (`<case>.error.json`, `<case>.stream.sse`
 * or `<case>.response.json`), or one of the built-ins `hang` (never
 * answers), `endless` (streams until the client cancels) and `reset`
 * (streams a few events, then breaks the connection).
 *
 * @module
 */

import { type FakeServer, jsonResponse, startFakeServer, streamBody } from "./_server.ts";

/** The key the fake accepts unless told otherwise. */
export const OPENAI_FAKE_KEY = "sk-llmux-fake-0123456789abcdef";

const FIXTURES = new URL("../fixtures/openai/", import.meta.url);
const ENCODER = new TextEncoder();

/** OpenAI's request fields for `POST /chat/completions`. */
const CHAT_PARAMS: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "audio",
  "frequency_penalty",
  "function_call",
  "functions",
  "logit_bias",
  "logprobs",
  "max_completion_tokens",
  "max_tokens",
  "metadata",
  "modalities",
  "n",
  "parallel_tool_calls",
  "prediction",
  "presence_penalty",
  "prompt_cache_key",
  "reasoning_effort",
  "response_format",
  "safety_identifier",
  "seed",
  "service_tier",
  "stop",
  "store",
  "stream",
  "stream_options",
  "temperature",
  "tool_choice",
  "tools",
  "top_logprobs",
  "top_p",
  "user",
  "verbosity",
  "web_search_options",
]);

const ROLES = ["system", "developer", "user", "assistant", "tool", "function"];

/** Options of {@linkcode startOpenAIFake}. */
export interface OpenAIFakeOptions {
  /** The only key accepted (default {@linkcode OPENAI_FAKE_KEY}); `null` accepts any request. */
  apiKey?: string | null;
  /** Path prefix the API is mounted under (default `/v1`). */
  prefix?: string;
  /** Fixture cases to replay, one per request; the last repeats (default `["plain_text"]`). */
  scenarios?: readonly string[];
  /** Request fields accepted besides OpenAI's (host extensions such as `random_seed`). */
  extraParams?: readonly string[];
  /** Delay between streamed events, in milliseconds (default 0). */
  streamDelayMs?: number;
}

/** A running OpenAI fake. */
export interface OpenAIFake extends FakeServer {
  /** `url + prefix`: what to pass as `api_base`. */
  baseURL: string;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function openAIError(
  status: number,
  message: string,
  extra: { type?: string; param?: string | null; code?: string | null } = {},
): Response {
  return jsonResponse(status, {
    error: {
      message,
      type: extra.type ?? "invalid_request_error",
      param: extra.param ?? null,
      code: extra.code ?? null,
    },
  });
}

async function readFixture(name: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(new URL(name, FIXTURES));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Validate a chat body like OpenAI; a `Response` is the 400 to send. */
function validateChat(body: unknown, extra: ReadonlySet<string>): Response | undefined {
  if (!isRecord(body)) {
    return openAIError(400, "We could not parse the JSON body of your request.");
  }
  for (const key of Object.keys(body)) {
    if (!CHAT_PARAMS.has(key) && !extra.has(key)) {
      return openAIError(400, `Unrecognized request argument supplied: ${key}`);
    }
  }
  if (typeof body.model !== "string" || body.model === "") {
    return openAIError(400, "you must provide a model parameter");
  }
  if (!("messages" in body)) {
    return openAIError(400, "Missing required parameter: 'messages'.", {
      param: "messages",
      code: "missing_required_parameter",
    });
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return openAIError(400, "[] is too short - 'messages'", {
      param: "messages",
      code: "empty_array",
    });
  }
  const messages = body.messages as unknown[];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!isRecord(m) || !ROLES.includes(m.role as string)) {
      const role = isRecord(m) ? String(m.role) : String(m);
      return openAIError(
        400,
        `Invalid value: '${role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        { param: `messages[${i}].role`, code: "invalid_value" },
      );
    }
    if (m.role === "tool" && !answersToolCall(messages, i)) {
      return openAIError(
        400,
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        { param: `messages.[${i}].role` },
      );
    }
  }
  if (body.max_tokens != null && body.max_completion_tokens != null) {
    return openAIError(
      400,
      "Invalid request: 'max_tokens' and 'max_completion_tokens' cannot both be set.",
      { param: "max_tokens", code: "invalid_value" },
    );
  }
  if (body.stream_options != null && body.stream !== true) {
    return openAIError(
      400,
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      { param: "stream_options", code: "invalid_value" },
    );
  }
  return undefined;
}

/** True when message `i` (a tool message) answers a call of the nearest preceding assistant turn. */
function answersToolCall(messages: readonly unknown[], i: number): boolean {
  const id = (messages[i] as Json).tool_call_id;
  for (let j = i - 1; j >= 0; j--) {
    const prev = messages[j] as Json;
    if (prev.role === "tool") continue;
    if (prev.role !== "assistant" || !Array.isArray(prev.tool_calls)) return false;
    return prev.tool_calls.some((call) => isRecord(call) && call.id === id);
  }
  return false;
}

function sseEvent(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** Drop the usage chunk and `"usage":null` from a recorded stream when usage was not asked for. */
function filterUsage(text: string, includeUsage: boolean): string[] {
  const events = text.split(/(?<=\n\n)/);
  if (includeUsage) return events;
  const out: string[] = [];
  for (const event of events) {
    if (!event.startsWith("data: {")) {
      out.push(event);
      continue;
    }
    let chunk: Json;
    try {
      chunk = JSON.parse(event.slice(6));
    } catch {
      out.push(event);
      continue;
    }
    if (!("usage" in chunk)) {
      out.push(event);
    } else if (Array.isArray(chunk.choices) && chunk.choices.length === 0) {
      continue;
    } else {
      delete chunk.usage;
      out.push(sseEvent(chunk));
    }
  }
  return out;
}

/** Split a completion into OpenAI-style chunks (role, reasoning, content, tool calls, finish, usage). */
function synthesizeStream(completion: Json, includeUsage: boolean): string[] {
  const base = {
    id: completion.id,
    object: "chat.completion.chunk",
    created: completion.created,
    model: completion.model,
    system_fingerprint: completion.system_fingerprint ?? null,
  };
  const choice = (completion.choices as Json[])[0];
  const message = choice.message as Json;
  const usage = includeUsage ? { usage: null } : {};
  const chunk = (delta: Json, finish: unknown = null) =>
    sseEvent({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...usage,
    });
  const events = [chunk({ role: "assistant", content: "", refusal: null })];
  for (const field of ["reasoning_content", "reasoning"]) {
    if (typeof message[field] === "string") events.push(chunk({ [field]: message[field] }));
  }
  if (typeof message.content === "string") {
    for (const piece of message.content.match(/\s*\S+/g) ?? []) {
      events.push(chunk({ content: piece }));
    }
  }
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls as Json[] : [];
  calls.forEach((call, index) => {
    const fn = call.function as Json;
    events.push(chunk({
      tool_calls: [{
        index,
        id: call.id,
        type: "function",
        function: { name: fn.name, arguments: "" },
      }],
    }));
    const args = String(fn.arguments);
    const half = Math.ceil(args.length / 2);
    for (const part of [args.slice(0, half), args.slice(half)]) {
      if (part !== "") {
        events.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
      }
    }
  });
  events.push(chunk({}, choice.finish_reason));
  if (includeUsage) events.push(sseEvent({ ...base, choices: [], usage: completion.usage }));
  events.push("data: [DONE]\n\n");
  return events;
}

function sseResponse(
  events: readonly string[],
  headers: Headers,
  options: { delayMs?: number; cutAfter?: number } = {},
): Response {
  headers.set("content-type", "text/event-stream; charset=utf-8");
  headers.set("cache-control", "no-cache");
  return new Response(streamBody(events.map((e) => ENCODER.encode(e)), options), { headers });
}

/**
 * Start the fake. Close it with `await using` or `close()`.
 *
 * @example
 * ```ts ignore
 * await using fake = startOpenAIFake({ scenarios: ["tool_calls"] });
 * // api_base: fake.baseURL, api_key: OPENAI_FAKE_KEY
 * ```
 */
export function startOpenAIFake(options: OpenAIFakeOptions = {}): OpenAIFake {
  const apiKey = options.apiKey === undefined ? OPENAI_FAKE_KEY : options.apiKey;
  const prefix = (options.prefix ?? "/v1").replace(/\/+$/, "");
  const scenarios = options.scenarios ?? ["plain_text"];
  const extra = new Set(options.extraParams ?? []);
  const pending = new Set<() => void>();
  let served = 0;
  let closing = false;

  async function handle(path: string, method: string, body: unknown, raw: Request) {
    const headers = new Headers({
      "x-request-id": `req_fake_${served + 1}`,
      "openai-processing-ms": "7",
      "x-ratelimit-limit-requests": "10000",
      "x-ratelimit-remaining-requests": "9999",
    });
    if (apiKey !== null) {
      const auth = raw.headers.get("authorization");
      if (auth === null) {
        return openAIError(
          401,
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        );
      }
      if (auth !== `Bearer ${apiKey}`) {
        // Worst case on purpose: the full key is echoed (OpenAI masks most of it).
        return openAIError(
          401,
          `Incorrect API key provided: ${
            auth.replace(/^Bearer /, "")
          }. You can find your API key at https://platform.openai.com/account/api-keys.`,
          { code: "invalid_api_key" },
        );
      }
    }
    if (method === "GET" && path === `${prefix}/models`) {
      return jsonResponse(200, {
        object: "list",
        data: [{ id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system" }],
      });
    }
    if (method !== "POST") return openAIError(405, `Method ${method} not allowed`);
    if (path === `${prefix}/embeddings`) return await embeddings(body, headers);
    if (path !== `${prefix}/chat/completions`) {
      return openAIError(404, `Invalid URL (${method} ${path})`, { code: "unknown_url" });
    }
    const invalid = validateChat(body, extra);
    if (invalid) return invalid;
    const request = body as Json;
    const stream = request.stream === true;
    const includeUsage = isRecord(request.stream_options) &&
      request.stream_options.include_usage === true;
    const scenario = scenarios[Math.min(served, scenarios.length - 1)];
    served++;
    if (scenario === "hang") {
      // Released when the fake closes (the client gives up long before).
      await new Promise<void>((resolve) => pending.add(resolve));
      return openAIError(500, "hung request released");
    }
    if (scenario === "endless") return endless(stream, headers);
    const error = await readFixture(`${scenario}.error.json`);
    if (error !== undefined) {
      const fixture = JSON.parse(error) as { status: number; headers: Json; body: unknown };
      return jsonResponse(fixture.status, fixture.body, fixture.headers as Record<string, string>);
    }
    if (stream && scenario === "reset") {
      const text = (await readFixture("plain_text.stream.sse"))!;
      return sseResponse(filterUsage(text, includeUsage), headers, { cutAfter: 3 });
    }
    const recorded = stream ? await readFixture(`${scenario}.stream.sse`) : undefined;
    if (recorded !== undefined) {
      return sseResponse(filterUsage(recorded, includeUsage), headers, {
        delayMs: options.streamDelayMs ?? 0,
      });
    }
    const response = await readFixture(`${scenario}.response.json`);
    if (response === undefined) throw new Error(`Unknown fake scenario "${scenario}"`);
    const completion = JSON.parse(response) as Json;
    if (!stream) return jsonResponse(200, completion, Object.fromEntries(headers));
    return sseResponse(synthesizeStream(completion, includeUsage), headers, {
      delayMs: options.streamDelayMs ?? 0,
    });
  }

  async function embeddings(body: unknown, headers: Headers): Promise<Response> {
    if (!isRecord(body) || typeof body.model !== "string" || body.model === "") {
      return openAIError(400, "you must provide a model parameter");
    }
    const input = body.input;
    if (input === undefined || (Array.isArray(input) && input.length === 0) || input === "") {
      return openAIError(400, "'$.input' is invalid. Please check the API reference.", {
        param: "input",
      });
    }
    served++;
    const fixture = JSON.parse((await readFixture("embeddings.response.json"))!) as Json;
    const vectors = (fixture.data as Json[]).map((d) => d.embedding as number[]);
    const count = Array.isArray(input) && typeof input[0] !== "number" ? input.length : 1;
    const dims = typeof body.dimensions === "number" ? body.dimensions : 4;
    const data = Array.from({ length: count }, (_, index) => ({
      object: "embedding",
      index,
      embedding: Array.from({ length: dims }, (_, k) => vectors[index % vectors.length][k % 4]),
    }));
    return jsonResponse(
      200,
      { ...fixture, data, model: body.model },
      Object.fromEntries(headers),
    );
  }

  function endless(stream: boolean, headers: Headers): Response {
    if (!stream) return openAIError(400, "the endless scenario streams only");
    const base = {
      id: "chatcmpl-llmuxEndless01",
      object: "chat.completion.chunk",
      created: 1730000000,
      model: "gpt-4o-mini",
    };
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // Bounded: about 10 s at most, even if nobody cancels.
        if (closing || i >= 2000) {
          controller.close();
          return;
        }
        if (i > 0) await new Promise((r) => setTimeout(r, 5));
        const delta = i === 0 ? { role: "assistant", content: "" } : { content: ` tick${i}` };
        controller.enqueue(ENCODER.encode(sseEvent({
          ...base,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
        })));
        i++;
      },
    }, { highWaterMark: 0 });
    headers.set("content-type", "text/event-stream; charset=utf-8");
    return new Response(body, { headers });
  }

  const server = startFakeServer((recorded, raw) =>
    handle(recorded.path.split("?")[0], recorded.method, recorded.body, raw)
  );
  const close = async () => {
    closing = true;
    for (const release of pending) release();
    pending.clear();
    await server.close();
  };
  return {
    ...server,
    baseURL: server.url + prefix,
    close,
    [Symbol.asyncDispose]: close,
  };
}
