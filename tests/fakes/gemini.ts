/**
 * A fake Gemini API (Generative Language, `v1beta`) on 127.0.0.1 that checks
 * requests the way the real one does and replays fixtures from
 * `tests/fixtures/gemini/`.
 *
 * Routes: `POST /v1beta/models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse`, `:embedContent`, `:batchEmbedContents`
 * (also under `tunedModels/`). Anything else is a 404 in the Google RPC error
 * shape.
 *
 * Scenario: the fixture case is picked, in order, from the request header
 * `x-fake-scenario`, the `scenario` option, or the model id in the URL. For a
 * case `c`: `c.error.json` (`{status, headers, body}`) answers any method; else
 * `c.response.json` answers `generateContent` and `c.stream.sse` (raw bytes,
 * CRLF kept) answers streams, one SSE event per write; a missing fixture is a
 * 404 `NOT_FOUND` for the model, as Google answers for unknown models.
 * Embeddings replay `embed_single.response.json` / `embed_batch.response.json`
 * (the batch vectors cycled to match the number of requests). The case
 * `slow` streams 200 text events `delayMs` (default 20) apart, then finishes;
 * `reset` sends the events of `cut.stream.sse`, then resets the connection.
 *
 * @module
 */

import { type FakeServer, jsonResponse, startFakeServer, streamBody } from "./_server.ts";
import { loadJson, loadText } from "../_fixtures.ts";

/** Options of {@linkcode startGeminiFake}. */
export interface GeminiFakeOptions {
  /** The only API key accepted (`x-goog-api-key` header or `?key=`). */
  apiKey: string;
  /** Fixture case used when the request names none (default: the model id). */
  scenario?: string;
  /** Delay between SSE events, in milliseconds (default 0; `slow` uses 20). */
  delayMs?: number;
}

interface ErrorFixture {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

const ROUTE_REGEXP =
  /^\/v1beta\/((?:models|tunedModels)\/[^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/;

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
};

/** A Google RPC error response. */
function rpcError(code: number, message: string, status = STATUS_NAMES[code]): Response {
  return jsonResponse(code, { error: { code, message, status } }, {
    "content-type": "application/json; charset=UTF-8",
  });
}

class InvalidRequest extends Error {}

function invalid(message: string): never {
  throw new InvalidRequest(message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Both spellings Google's JSON parser accepts. */
function names(...camel: string[]): Set<string> {
  const out = new Set<string>();
  for (const name of camel) {
    out.add(name);
    out.add(name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  }
  return out;
}

const REQUEST_FIELDS = names(
  "contents",
  "tools",
  "toolConfig",
  "safetySettings",
  "systemInstruction",
  "generationConfig",
  "cachedContent",
  "labels",
);
const GENERATION_FIELDS = names(
  "stopSequences",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "responseModalities",
  "candidateCount",
  "maxOutputTokens",
  "temperature",
  "topP",
  "topK",
  "seed",
  "presencePenalty",
  "frequencyPenalty",
  "responseLogprobs",
  "logprobs",
  "enableEnhancedCivicAnswers",
  "speechConfig",
  "thinkingConfig",
  "mediaResolution",
);
const THINKING_FIELDS = names("thinkingBudget", "includeThoughts", "thinkingLevel");
const SCHEMA_FIELDS = names(
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum",
);
const PART_DATA_FIELDS = names(
  "text",
  "inlineData",
  "fileData",
  "functionCall",
  "functionResponse",
  "executableCode",
  "codeExecutionResult",
);
const PART_FIELDS = new Set([...PART_DATA_FIELDS, ...names("thought", "thoughtSignature")]);
const EMBED_FIELDS = names("model", "content", "taskType", "title", "outputDimensionality");

function checkFields(value: Record<string, unknown>, known: Set<string>, where: string): void {
  for (const key in value) {
    if (!known.has(key)) {
      invalid(
        `Invalid JSON payload received. Unknown name "${key}"${
          where ? ` at '${where}'` : ""
        }: Cannot find field.`,
      );
    }
  }
}

function checkSchema(schema: unknown, where: string): void {
  if (!isObject(schema)) invalid(`Invalid value at '${where}': expected a Schema object`);
  checkFields(schema, SCHEMA_FIELDS, where);
  if (isObject(schema.properties)) {
    for (const [name, sub] of Object.entries(schema.properties)) {
      checkSchema(sub, `${where}.properties[${name}].value`);
    }
  }
  if (schema.items !== undefined) checkSchema(schema.items, `${where}.items`);
  if (Array.isArray(schema.anyOf)) {
    schema.anyOf.forEach((s, i) => checkSchema(s, `${where}.any_of[${i}]`));
  }
  if (Array.isArray(schema.enum) && schema.enum.some((v) => typeof v !== "string")) {
    invalid(`Invalid value at '${where}.enum': enum values must be strings`);
  }
}

function checkContent(content: unknown, where: string): void {
  if (!isObject(content)) invalid(`Invalid value at '${where}': expected a Content object`);
  checkFields(content, names("role", "parts"), where);
  if (content.role !== undefined && content.role !== "user" && content.role !== "model") {
    invalid("Please use a valid role: user, model.");
  }
  if (!Array.isArray(content.parts) || content.parts.length === 0) {
    invalid(`* GenerateContentRequest.${where}.parts: contents.parts must not be empty.\n`);
  }
  content.parts.forEach((part, j) => {
    const at = `${where}.parts[${j}]`;
    if (!isObject(part)) invalid(`Invalid value at '${at}': expected a Part object`);
    checkFields(part, PART_FIELDS, at);
    const data = Object.keys(part).filter((k) => PART_DATA_FIELDS.has(k));
    if (data.length !== 1) {
      invalid(
        `* GenerateContentRequest.${at}.data: required oneof field 'data' must have one initialized field\n`,
      );
    }
    const fr = part.functionResponse ?? part.function_response;
    if (fr !== undefined) {
      if (!isObject(fr) || typeof fr.name !== "string" || fr.name === "") {
        invalid(`* GenerateContentRequest.${at}.function_response.name: Name cannot be empty.\n`);
      }
      if (!isObject(fr.response)) {
        invalid(
          `Invalid value at '${at}.function_response.response' (type.googleapis.com/google.protobuf.Struct), ${
            JSON.stringify(fr.response)
          }`,
        );
      }
    }
    const fc = part.functionCall ?? part.function_call;
    if (fc !== undefined) {
      if (!isObject(fc) || typeof fc.name !== "string") {
        invalid(`* GenerateContentRequest.${at}.function_call.name: Name cannot be empty.\n`);
      }
      if (fc.args !== undefined && !isObject(fc.args)) {
        invalid(
          `Invalid value at '${at}.function_call.args' (type.googleapis.com/google.protobuf.Struct), ${
            JSON.stringify(fc.args)
          }`,
        );
      }
    }
    const inline = part.inlineData ?? part.inline_data;
    if (inline !== undefined) {
      if (
        !isObject(inline) || typeof inline.mimeType !== "string" || typeof inline.data !== "string"
      ) {
        invalid(`* GenerateContentRequest.${at}.inline_data: mime_type and data are required\n`);
      }
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(inline.data)) {
        invalid(`Invalid value at '${at}.inline_data.data' (TYPE_BYTES), Base64 decoding failed`);
      }
    }
  });
}

function checkGenerateContent(body: unknown): void {
  if (!isObject(body)) invalid("Invalid JSON payload received. Expected an object.");
  checkFields(body, REQUEST_FIELDS, "");
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    invalid("* GenerateContentRequest.contents: contents is not specified\n");
  }
  body.contents.forEach((c, i) => checkContent(c, `contents[${i}]`));
  const system = body.systemInstruction ?? body.system_instruction;
  if (system !== undefined) checkContent(system, "system_instruction");
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) invalid("Invalid value at 'tools': expected a list");
    body.tools.forEach((tool, i) => {
      if (!isObject(tool)) invalid(`Invalid value at 'tools[${i}]'`);
      const decls = tool.functionDeclarations ?? tool.function_declarations;
      if (!Array.isArray(decls)) return;
      decls.forEach((d, j) => {
        const at = `tools[${i}].function_declarations[${j}]`;
        if (!isObject(d)) invalid(`Invalid value at '${at}'`);
        checkFields(
          d,
          names(
            "name",
            "description",
            "parameters",
            "parametersJsonSchema",
            "response",
            "behavior",
          ),
          at,
        );
        if (typeof d.name !== "string" || d.name === "") {
          invalid(`* GenerateContentRequest.${at}.name: Name cannot be empty.\n`);
        }
        if (d.parameters !== undefined) {
          checkSchema(d.parameters, `${at}.parameters`);
          const p = d.parameters as Record<string, unknown>;
          if (
            p.type === "object" &&
            (!isObject(p.properties) || Object.keys(p.properties).length === 0)
          ) {
            invalid(
              `* GenerateContentRequest.${at}.parameters.properties: should be non-empty for OBJECT type\n`,
            );
          }
        }
      });
    });
  }
  const toolConfig = body.toolConfig ?? body.tool_config;
  if (toolConfig !== undefined) {
    if (!isObject(toolConfig)) invalid("Invalid value at 'tool_config'");
    const fcc = toolConfig.functionCallingConfig ?? toolConfig.function_calling_config;
    if (isObject(fcc)) {
      checkFields(
        fcc,
        names("mode", "allowedFunctionNames"),
        "tool_config.function_calling_config",
      );
      if (!["AUTO", "ANY", "NONE", "VALIDATED", "MODE_UNSPECIFIED"].includes(String(fcc.mode))) {
        invalid(`Invalid value at 'tool_config.function_calling_config.mode', "${fcc.mode}"`);
      }
    }
  }
  const config = body.generationConfig ?? body.generation_config;
  if (config !== undefined) {
    if (!isObject(config)) invalid("Invalid value at 'generation_config'");
    checkFields(config, GENERATION_FIELDS, "generation_config");
    const stops = config.stopSequences ?? config.stop_sequences;
    if (Array.isArray(stops) && stops.length > 5) {
      invalid(
        "* GenerateContentRequest.generation_config.stop_sequences: must have at most 5 stop sequences\n",
      );
    }
    const thinking = config.thinkingConfig ?? config.thinking_config;
    if (thinking !== undefined) {
      if (!isObject(thinking)) invalid("Invalid value at 'generation_config.thinking_config'");
      checkFields(thinking, THINKING_FIELDS, "generation_config.thinking_config");
    }
    const schema = config.responseSchema ?? config.response_schema;
    if (schema !== undefined) checkSchema(schema, "generation_config.response_schema");
  }
}

function checkEmbed(body: unknown, where: string, requireModel: string | undefined): void {
  if (!isObject(body)) invalid(`Invalid value at '${where || "request"}'`);
  checkFields(body, EMBED_FIELDS, where);
  if (requireModel !== undefined && body.model !== requireModel) {
    invalid(
      `* BatchEmbedContentsRequest.${where}.model: the model of each request must be "${requireModel}"\n`,
    );
  }
  checkContent(body.content, `${where ? `${where}.` : ""}content`);
}

async function fixtureExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(new URL(`../fixtures/gemini/${path}`, import.meta.url));
    return true;
  } catch {
    return false;
  }
}

function notFound(resource: string, method: string): Response {
  return rpcError(
    404,
    `${resource} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
  );
}

async function errorFixture(scenario: string): Promise<Response | undefined> {
  if (!(await fixtureExists(`${scenario}.error.json`))) return undefined;
  const fixture = await loadJson<ErrorFixture>(`gemini/${scenario}.error.json`);
  return jsonResponse(fixture.status, fixture.body, {
    "content-type": "application/json; charset=UTF-8",
    ...fixture.headers,
  });
}

function splitEvents(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let at = text.indexOf("\r\n\r\n"); at !== -1; at = text.indexOf("\r\n\r\n", start)) {
    out.push(text.slice(start, at + 4));
    start = at + 4;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

function slowEvents(): string[] {
  const event = (text: string, finish?: string) =>
    `data: ${
      JSON.stringify({
        candidates: [{
          content: { parts: [{ text }], role: "model" },
          ...(finish ? { finishReason: finish } : {}),
          index: 0,
        }],
        modelVersion: "gemini-2.5-flash",
        responseId: "slowSlowSlowSlow",
      })
    }\r\n\r\n`;
  const out: string[] = [];
  for (let i = 0; i < 200; i++) out.push(event(`tick ${i} `));
  out.push(event("done", "STOP"));
  return out;
}

function sseResponse(pieces: string[], delayMs: number): Response {
  return new Response(streamBody(pieces, { delayMs }), {
    status: 200,
    headers: { "content-type": "text/event-stream", "x-content-type-options": "nosniff" },
  });
}

/**
 * Start the fake Gemini API. Use `fake.url` as `api_base` and close it with
 * `await using` or `fake.close()`.
 */
export function startGeminiFake(options: GeminiFakeOptions): FakeServer {
  return startFakeServer(async (req, raw) => {
    const url = new URL(raw.url);
    const route = ROUTE_REGEXP.exec(url.pathname);
    if (req.method !== "POST" || !route) {
      return rpcError(404, `Method not found: ${req.method} ${url.pathname}`);
    }
    const [, resource, method] = route;
    const key = req.headers["x-goog-api-key"] ?? url.searchParams.get("key");
    if (key === undefined || key === null || key === "") {
      return (await errorFixture("missing_key"))!;
    }
    if (key !== options.apiKey) return (await errorFixture("api_key_invalid"))!;
    const scenario = req.headers["x-fake-scenario"] ?? options.scenario ??
      resource.slice(resource.indexOf("/") + 1);
    try {
      if (method === "embedContent") checkEmbed(req.body, "", undefined);
      else if (method === "batchEmbedContents") {
        const body = req.body;
        if (!isObject(body)) invalid("Invalid JSON payload received. Expected an object.");
        checkFields(body, names("requests"), "");
        if (!Array.isArray(body.requests) || body.requests.length === 0) {
          invalid("* BatchEmbedContentsRequest.requests: requests is not specified\n");
        }
        body.requests.forEach((r, i) => checkEmbed(r, `requests[${i}]`, resource));
      } else {
        if (method === "streamGenerateContent" && url.searchParams.get("alt") !== "sse") {
          invalid("This fake serves streams only as server-sent events: add ?alt=sse");
        }
        checkGenerateContent(req.body);
      }
    } catch (error) {
      if (error instanceof InvalidRequest) return rpcError(400, error.message);
      throw error;
    }
    const failure = await errorFixture(scenario);
    if (failure) return failure;
    if (method === "embedContent") {
      return jsonResponse(200, await loadJson("gemini/embed_single.response.json"));
    }
    if (method === "batchEmbedContents") {
      const fixture = await loadJson<{ embeddings: unknown[] }>("gemini/embed_batch.response.json");
      const count = (req.body as { requests: unknown[] }).requests.length;
      const embeddings = Array.from(
        { length: count },
        (_, i) => fixture.embeddings[i % fixture.embeddings.length],
      );
      return jsonResponse(200, { embeddings });
    }
    if (method === "streamGenerateContent") {
      if (scenario === "slow") return sseResponse(slowEvents(), options.delayMs ?? 20);
      if (scenario === "reset") {
        // The events of cut.stream.sse, then the connection is reset.
        const events = splitEvents(await loadText("gemini/cut.stream.sse"));
        return new Response(streamBody(events, { cutAfter: events.length }), {
          status: 200,
          headers: { "content-type": "text/event-stream" },
        });
      }
      if (!(await fixtureExists(`${scenario}.stream.sse`))) return notFound(resource, method);
      const text = await loadText(`gemini/${scenario}.stream.sse`);
      return sseResponse(splitEvents(text), options.delayMs ?? 0);
    }
    if (!(await fixtureExists(`${scenario}.response.json`))) return notFound(resource, method);
    return jsonResponse(200, await loadJson(`gemini/${scenario}.response.json`));
  });
}
