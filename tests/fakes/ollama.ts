/**
 * A fake Ollama server on 127.0.0.1 (port 0) that behaves like the real one
 * for `POST /api/chat`, `POST /api/embed` and `GET /api/tags`:
 *
 * - validates bodies the way Ollama's JSON decoding does and answers 400
 *   `{"error": …}` (missing model, non-string content, tool-call arguments
 *   given as a string, images that are not base64, bad `think`/`format`);
 * - answers 404 `{"error": "model 'x' not found"}` for unknown models;
 * - streams NDJSON (`application/x-ndjson`) unless the body says
 *   `"stream": false`;
 * - replays fixtures from `tests/fixtures/ollama/`, chosen by the explicit
 *   `scenario` option: `<scenario>.error.json` (status, headers, body) if it
 *   exists, else `<scenario>.stream.ndjson` (verbatim bytes) for streams,
 *   else `<scenario>.response.json` (streams are synthesised from it:
 *   one content line plus a final `done` line). `/api/embed` replays
 *   `embed.response.json`, one vector per input.
 *
 * @module
 */

import { type FakeServer, jsonResponse, startFakeServer, streamBody } from "./_server.ts";
import { loadText, rechunk } from "../_fixtures.ts";

/** Options of {@linkcode startFakeOllama}. */
export interface FakeOllamaOptions {
  /** Fixture case to replay for `/api/chat` (default `"text"`). */
  scenario?: string;
  /** Installed models, without tags (default: the models the fixtures use). */
  models?: readonly string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (as ollama.com wants). */
  apiKey?: string;
  /** Delay in ms between streamed pieces. */
  delayMs?: number;
  /** Split the streamed bytes into pieces of these sizes (cycled) instead of one per line. */
  chunkSizes?: readonly number[];
}

/** Models the fixtures use. */
export const FAKE_OLLAMA_MODELS: readonly string[] = [
  "llama3.2",
  "llama3.1",
  "llava",
  "qwen3",
  "deepseek-r1",
  "all-minilm",
];

const BASE64_REGEXP = /^[A-Za-z0-9+/]*={0,2}$/;

interface Failure {
  status: number;
  error: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function goType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value === "object" ? "object" : typeof value;
}

function unmarshal(value: unknown, field: string, type: string): Failure {
  return {
    status: 400,
    error: `json: cannot unmarshal ${goType(value)} into Go struct field ${field} of type ${type}`,
  };
}

/** Index of the first byte Go's base64 decoder rejects, or -1 when the text decodes. */
function badBase64(image: string): number {
  const at = image.search(/[^A-Za-z0-9+/=]/);
  if (at !== -1) return at;
  if (image.length % 4 !== 0 || !BASE64_REGEXP.test(image)) {
    return Math.max(
      0,
      image.indexOf("=") === -1 ? image.length - (image.length % 4) : image.indexOf("="),
    );
  }
  return -1;
}

function checkMessages(messages: unknown): Failure | undefined {
  if (messages === undefined || messages === null) return undefined;
  if (!Array.isArray(messages)) {
    return unmarshal(messages, "ChatRequest.messages", "[]api.Message");
  }
  for (const m of messages) {
    if (!isObject(m)) return unmarshal(m, "ChatRequest.messages", "api.Message");
    if (m.role !== undefined && typeof m.role !== "string") {
      return unmarshal(m.role, "Message.messages.role", "string");
    }
    if (m.content !== undefined && m.content !== null && typeof m.content !== "string") {
      return unmarshal(m.content, "Message.messages.content", "string");
    }
    if (m.images !== undefined && m.images !== null) {
      if (!Array.isArray(m.images)) {
        return unmarshal(m.images, "Message.messages.images", "[]api.ImageData");
      }
      for (const image of m.images) {
        if (typeof image !== "string") {
          return unmarshal(image, "Message.messages.images", "api.ImageData");
        }
        const at = badBase64(image);
        if (at !== -1) return { status: 400, error: `illegal base64 data at input byte ${at}` };
      }
    }
    if (m.tool_calls !== undefined && m.tool_calls !== null) {
      if (!Array.isArray(m.tool_calls)) {
        return unmarshal(m.tool_calls, "Message.messages.tool_calls", "[]api.ToolCall");
      }
      for (const call of m.tool_calls) {
        const fn = isObject(call) ? call.function : undefined;
        const args = isObject(fn) ? fn.arguments : undefined;
        if (args !== undefined && !isObject(args)) {
          return unmarshal(
            args,
            "ToolCallFunction.messages.tool_calls.function.arguments",
            "api.ToolCallFunctionArguments",
          );
        }
      }
    }
  }
  return undefined;
}

function checkChat(body: Record<string, unknown>): Failure | undefined {
  const messages = checkMessages(body.messages);
  if (messages) return messages;
  const think = body.think;
  if (
    think !== undefined && think !== null && typeof think !== "boolean" &&
    think !== "low" && think !== "medium" && think !== "high"
  ) {
    return { status: 400, error: `invalid think value: ${JSON.stringify(think)}` };
  }
  const format = body.format;
  if (format !== undefined && format !== null && format !== "" && format !== "json") {
    if (!isObject(format)) {
      return { status: 400, error: `invalid format: expected "json" or a JSON schema` };
    }
  }
  if (body.options !== undefined && body.options !== null && !isObject(body.options)) {
    return unmarshal(body.options, "ChatRequest.options", "map[string]interface {}");
  }
  return undefined;
}

function baseName(model: string): string {
  return model.endsWith(":latest") ? model.slice(0, -":latest".length) : model;
}

async function maybeText(path: string): Promise<string | undefined> {
  try {
    return await loadText(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function synthesiseStream(response: Record<string, unknown>): string {
  const message = isObject(response.message) ? response.message : {};
  const { message: _m, done: _d, ...stats } = response;
  const first = {
    model: response.model,
    created_at: response.created_at,
    message,
    done: false,
  };
  const last = {
    ...stats,
    model: response.model,
    created_at: response.created_at,
    message: { role: "assistant", content: "" },
    done: true,
  };
  return `${JSON.stringify(first)}\n${JSON.stringify(last)}\n`;
}

/** Start a fake Ollama server; close it with `await using` or `close()`. */
export function startFakeOllama(options: FakeOllamaOptions = {}): FakeServer {
  const { scenario = "text", models = FAKE_OLLAMA_MODELS, apiKey, delayMs, chunkSizes } = options;
  const installed = new Set(models);

  function ndjson(text: string): Response {
    const bytes = new TextEncoder().encode(text);
    const pieces = chunkSizes
      ? rechunk(bytes, chunkSizes)
      : text.split(/(?<=\n)/).filter((line) => line !== "");
    return new Response(streamBody(pieces, delayMs === undefined ? {} : { delayMs }), {
      status: 200,
      headers: { "content-type": "application/x-ndjson" },
    });
  }

  async function chat(body: Record<string, unknown>): Promise<Response> {
    const failure = checkChat(body);
    if (failure) return jsonResponse(failure.status, { error: failure.error });
    const model = body.model as string;
    if (!installed.has(baseName(model))) {
      return jsonResponse(404, { error: `model '${model}' not found` });
    }
    const error = await maybeText(`ollama/${scenario}.error.json`);
    if (error !== undefined) {
      const { status, headers, body: errorBody } = JSON.parse(error);
      return jsonResponse(status, errorBody, headers ?? {});
    }
    const stream = body.stream !== false;
    if (stream) {
      const recorded = await maybeText(`ollama/${scenario}.stream.ndjson`);
      if (recorded !== undefined) return ndjson(recorded);
    }
    const response = await maybeText(`ollama/${scenario}.response.json`);
    if (response === undefined) {
      return jsonResponse(500, { error: `fake ollama: no fixture for scenario "${scenario}"` });
    }
    return stream
      ? ndjson(synthesiseStream(JSON.parse(response)))
      : jsonResponse(200, JSON.parse(response));
  }

  async function embed(body: Record<string, unknown>): Promise<Response> {
    const model = body.model as string;
    const input = body.input;
    const texts = typeof input === "string" ? [input] : input;
    if (!Array.isArray(texts) || !texts.every((t) => typeof t === "string")) {
      return jsonResponse(400, { error: "invalid input type" });
    }
    if (!installed.has(baseName(model))) {
      return jsonResponse(404, { error: `model '${model}' not found` });
    }
    const fixture = JSON.parse(await loadText("ollama/embed.response.json"));
    const vectors = fixture.embeddings as number[][];
    const dimensions = typeof body.dimensions === "number" ? body.dimensions : undefined;
    const embeddings = texts.map((_, i) => {
      const vector = vectors[i % vectors.length];
      return dimensions === undefined ? vector : vector.slice(0, dimensions);
    });
    return jsonResponse(200, { ...fixture, model, embeddings });
  }

  return startFakeServer(async (request) => {
    if (apiKey !== undefined && request.headers.authorization !== `Bearer ${apiKey}`) {
      return jsonResponse(401, { error: "unauthorized" });
    }
    const path = request.path.split("?")[0];
    if (path === "/api/tags") {
      if (request.method !== "GET") return new Response("405 method not allowed", { status: 405 });
      return jsonResponse(200, {
        models: models.map((name) => ({
          name: `${name}:latest`,
          model: `${name}:latest`,
          modified_at: "2025-01-01T00:00:00Z",
          size: 2019393189,
          digest: "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        })),
      });
    }
    if (path !== "/api/chat" && path !== "/api/embed") {
      return new Response("404 page not found", {
        status: 404,
        headers: { "content-type": "text/plain" },
      });
    }
    if (request.method !== "POST") return new Response("405 method not allowed", { status: 405 });
    const body = request.body;
    if (body === undefined) return jsonResponse(400, { error: "missing request body" });
    if (typeof body === "string") {
      return jsonResponse(400, { error: "invalid character in request body" });
    }
    if (!isObject(body)) return unmarshalResponse(body);
    if (body.model !== undefined && typeof body.model !== "string") {
      const f = unmarshal(body.model, "model", "string");
      return jsonResponse(f.status, { error: f.error });
    }
    if (!body.model) return jsonResponse(400, { error: "model is required" });
    return path === "/api/chat" ? await chat(body) : await embed(body);
  });
}

function unmarshalResponse(body: unknown): Response {
  const f = unmarshal(body, "request", "api.ChatRequest");
  return jsonResponse(f.status, { error: f.error });
}
