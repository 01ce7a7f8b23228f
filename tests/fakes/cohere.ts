/**
 * A fake Cohere v2 API on 127.0.0.1 that checks requests the way the real
 * one does and replays fixtures from `tests/fixtures/cohere/`.
 *
 * Routes: `POST /v2/chat` (JSON, or SSE with `"stream": true`) and
 * `POST /v2/embed`. Checks, with Cohere's `{"id","message"}` error bodies:
 * `Authorization: Bearer <key>` → 401 `invalid api token`; the model is
 * known → 404; the chat body has only v2 fields, non-empty `messages` with
 * valid roles, tool messages with `tool_call_id`, assistant tool calls with
 * string `arguments`, a `tool_choice` of `REQUIRED`/`NONE`, and
 * `response_format.type` of `text`/`json_object` → 400; the embed body has
 * `texts`, `input_type` and `embedding_types` → 400.
 *
 * Scenario: `x-fake-scenario` header, else the `scenario` option, else
 * `tools` when the request has tools and `text` otherwise (`embed` for
 * embeddings). A case `c` answers with `c.error.json`, else `c.stream.sse`
 * (raw bytes; one SSE event per write) for streams, else `c.response.json`.
 * `cut_reset` streams `cut.stream.sse` and then resets the connection.
 *
 * @module
 */

import { type FakeServer, jsonResponse, startFakeServer, streamBody } from "./_server.ts";

/** Options of {@linkcode startCohereFake}. */
export interface CohereFakeOptions {
  /** The only key accepted. */
  apiKey: string;
  /** Models that exist (default Command A, Command R+, Embed v4). */
  models?: readonly string[];
  /** Fixture case for every request. */
  scenario?: string;
  /** Delay between SSE events, in ms. */
  delayMs?: number;
}

type Json = Record<string, unknown>;

const CHAT_FIELDS = new Set([
  "model",
  "messages",
  "stream",
  "tools",
  "strict_tools",
  "documents",
  "citation_options",
  "response_format",
  "safety_mode",
  "max_tokens",
  "stop_sequences",
  "temperature",
  "seed",
  "frequency_penalty",
  "presence_penalty",
  "k",
  "p",
  "logprobs",
  "tool_choice",
  "thinking",
  "priority",
]);
const EMBED_FIELDS = new Set([
  "model",
  "texts",
  "images",
  "inputs",
  "input_type",
  "embedding_types",
  "output_dimension",
  "max_tokens",
  "truncate",
]);
const ROLES = new Set(["system", "user", "assistant", "tool"]);
const INPUT_TYPES = new Set([
  "search_document",
  "search_query",
  "classification",
  "clustering",
  "image",
]);

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function cohereError(status: number, message: string): Response {
  return jsonResponse(status, { id: "0b3c5a0e-fake-4d1e-9a1e-000000000000", message });
}

function checkChat(body: Json): string | undefined {
  for (const key of Object.keys(body)) {
    if (!CHAT_FIELDS.has(key)) return `invalid request: unknown field '${key}'`;
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return "invalid request: messages must not be empty";
  }
  for (const [i, m] of body.messages.entries()) {
    if (!isObject(m) || !ROLES.has(String(m.role))) {
      return `invalid request: messages[${i}].role must be one of system, user, assistant, tool`;
    }
    if (m.role === "tool" && typeof m.tool_call_id !== "string") {
      return `invalid request: messages[${i}].tool_call_id is required for tool messages`;
    }
    if (m.role === "assistant" && Array.isArray(m.tool_calls)) {
      for (const call of m.tool_calls) {
        const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
        if (!fn || typeof fn.name !== "string" || typeof fn.arguments !== "string") {
          return `invalid request: messages[${i}].tool_calls need function.name and string function.arguments`;
        }
      }
    } else if (m.role !== "assistant" && m.content === undefined) {
      return `invalid request: messages[${i}].content is required`;
    }
  }
  if (
    body.tool_choice !== undefined && body.tool_choice !== "REQUIRED" && body.tool_choice !== "NONE"
  ) {
    return "invalid request: tool_choice must be one of REQUIRED, NONE";
  }
  if (body.tool_choice !== undefined && !Array.isArray(body.tools)) {
    return "invalid request: tool_choice requires tools";
  }
  const format = body.response_format;
  if (
    format !== undefined &&
    (!isObject(format) || (format.type !== "text" && format.type !== "json_object"))
  ) {
    return "invalid request: response_format.type must be one of text, json_object";
  }
  if (body.p !== undefined && (typeof body.p !== "number" || body.p < 0.01 || body.p > 0.99)) {
    return "invalid request: p must be between 0.01 and 0.99";
  }
  return undefined;
}

function checkEmbed(body: Json): string | undefined {
  for (const key of Object.keys(body)) {
    if (!EMBED_FIELDS.has(key)) return `invalid request: unknown field '${key}'`;
  }
  if (!Array.isArray(body.texts) || body.texts.length === 0) {
    return "invalid request: texts must not be empty";
  }
  if (typeof body.input_type !== "string" || !INPUT_TYPES.has(body.input_type)) {
    return "invalid request: input_type is required and must be one of search_document, search_query, classification, clustering, image";
  }
  if (!Array.isArray(body.embedding_types) || body.embedding_types.length === 0) {
    return "invalid request: embedding_types is required";
  }
  return undefined;
}

async function readFixture(name: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(new URL(`../fixtures/cohere/${name}`, import.meta.url));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function sseEvents(text: string): string[] {
  return text.split(/(?<=\r\n\r\n|\n\n)/).filter((piece) => piece !== "");
}

/** Start the fake; use `fake.url` as `api_base` and close it with `await using`. */
export function startCohereFake(options: CohereFakeOptions): FakeServer {
  const models = new Set(
    options.models ?? ["command-a-03-2025", "command-r-plus-08-2024", "embed-v4.0"],
  );
  return startFakeServer(async (req, raw) => {
    const url = new URL(raw.url);
    if (req.method !== "POST" || (url.pathname !== "/v2/chat" && url.pathname !== "/v2/embed")) {
      return cohereError(404, `Not found: ${req.method} ${url.pathname}`);
    }
    if (req.headers["authorization"] !== `Bearer ${options.apiKey}`) {
      return cohereError(401, "invalid api token");
    }
    const body = req.body;
    if (!isObject(body)) return cohereError(400, "invalid request: the body must be a JSON object");
    if (typeof body.model !== "string") {
      return cohereError(400, "invalid request: model is required");
    }
    if (!models.has(body.model)) {
      return cohereError(
        404,
        `model '${body.model}' not found, make sure the correct model ID was used and that you have access to the model.`,
      );
    }
    const embed = url.pathname === "/v2/embed";
    const problem = embed ? checkEmbed(body) : checkChat(body);
    if (problem) return cohereError(400, problem);
    const scenario = req.headers["x-fake-scenario"] ?? options.scenario ??
      (embed ? "embed" : Array.isArray(body.tools) ? "tools" : "text");
    const failure = await readFixture(`${scenario}.error.json`);
    if (failure !== undefined) {
      const fixture = JSON.parse(failure);
      return jsonResponse(fixture.status, fixture.body, fixture.headers ?? {});
    }
    if (embed) {
      const fixture = JSON.parse((await readFixture("embed.response.json"))!);
      const texts = body.texts as string[];
      const vectors = fixture.embeddings.float as number[][];
      return jsonResponse(200, {
        ...fixture,
        embeddings: { float: texts.map((_, i) => vectors[i % vectors.length]) },
        texts,
      });
    }
    if (body.stream === true) {
      const reset = scenario === "cut_reset";
      const sse = await readFixture(`${reset ? "cut" : scenario}.stream.sse`);
      if (sse === undefined) return cohereError(404, `no stream fixture for ${scenario}`);
      const pieces = sseEvents(sse);
      return new Response(
        streamBody(pieces, {
          delayMs: options.delayMs,
          ...(reset ? { cutAfter: pieces.length } : {}),
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    }
    const json = await readFixture(`${scenario}.response.json`);
    if (json === undefined) return cohereError(404, `no response fixture for ${scenario}`);
    return new Response(json, { headers: { "content-type": "application/json" } });
  });
}
