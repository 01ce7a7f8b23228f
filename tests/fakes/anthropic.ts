/**
 * A fake Anthropic Messages API on 127.0.0.1: it checks headers and the
 * request body the way the real API does (same statuses, same error body
 * shape and messages) and replays fixtures from `tests/fixtures/anthropic/`.
 *
 * @module
 */

import {
  type FakeServer,
  jsonResponse,
  type RecordedRequest,
  startFakeServer,
  streamBody,
} from "./_server.ts";

const FIXTURES = new URL("../fixtures/anthropic/", import.meta.url);
const THINKING_DOCS =
  "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size";
const TEMPERATURE_DOCS =
  "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking";
const MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/** Options of {@linkcode startAnthropicFake}. */
export interface AnthropicFakeOptions {
  /** The key `x-api-key` must equal (default `sk-ant-fake-0123456789abcdef`). */
  apiKey?: string;
  /** Fixture case for every request; otherwise `x-fake-scenario`, otherwise the model. */
  scenario?: string;
  /** Delay between SSE events, for slow streams. */
  delayMs?: number;
  /** Reset the connection after this many SSE events (an abrupt cut, not a clean close). */
  resetAfter?: number;
}

/** A running Anthropic fake. */
export interface AnthropicFake extends FakeServer {
  /** The key the fake accepts. */
  apiKey: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The real API's error body. */
export function anthropicError(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, {
    type: "error",
    error: { type, message },
    request_id: "req_fake",
  }, { "request-id": "req_fake", ...headers });
}

function checkBlocks(
  content: unknown[],
  where: string,
  previous: Json | undefined,
): string | undefined {
  const previousToolUses = new Set<string>();
  if (previous?.role === "assistant" && Array.isArray(previous.content)) {
    for (const b of previous.content) {
      if (isObject(b) && b.type === "tool_use") previousToolUses.add(String(b.id));
    }
  }
  for (let j = 0; j < content.length; j++) {
    const block = content[j];
    if (!isObject(block)) return `${where}.content.${j}: Input should be a valid dictionary`;
    if (block.type === "text" && (typeof block.text !== "string" || block.text === "")) {
      return "messages: text content blocks must be non-empty";
    }
    if (block.type === "image") {
      const source = isObject(block.source) ? block.source : {};
      if (source.type === "base64" && !MEDIA_TYPES.includes(String(source.media_type))) {
        return `${where}.content.${j}.image.source.base64.media_type: Input should be ` +
          "'image/jpeg', 'image/png', 'image/gif' or 'image/webp'";
      }
      if (source.type === "url" && typeof source.url !== "string") {
        return `${where}.content.${j}.image.source.url.url: Field required`;
      }
    }
    if (block.type === "tool_result" && !previousToolUses.has(String(block.tool_use_id))) {
      return `${where}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ` +
        `${block.tool_use_id}. Each \`tool_result\` block must have a corresponding ` +
        "`tool_use` block in the previous message.";
    }
  }
  return undefined;
}

/** Validate a Messages body as the real API does; the error message, or undefined. */
export function validateAnthropicBody(body: unknown): string | undefined {
  if (!isObject(body)) return "Input should be a valid dictionary";
  if (typeof body.model !== "string") return "model: Field required";
  if (body.max_tokens === undefined) return "max_tokens: Field required";
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
    return "max_tokens: Input should be greater than or equal to 1";
  }
  if (body.messages === undefined) return "messages: Field required";
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return "messages: at least one message is required";
  }
  const messages = body.messages as unknown[];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!isObject(m)) return `messages.${i}: Input should be a valid dictionary`;
    if (m.role === "system") {
      return 'messages: Unexpected role "system". The Messages API accepts a top-level `system` ' +
        'parameter, not "system" as an input message role.';
    }
    if (m.role !== "user" && m.role !== "assistant") {
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    }
  }
  if ((messages[0] as Json).role !== "user") {
    return 'messages: first message must use the "user" role';
  }
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Json;
    const last = i === messages.length - 1;
    if (typeof m.content === "string") {
      if (m.content === "" && !(last && m.role === "assistant")) {
        return `messages.${i}: all messages must have non-empty content except for the optional ` +
          "final assistant message";
      }
      continue;
    }
    if (!Array.isArray(m.content)) return `messages.${i}.content: Field required`;
    const previous = i > 0 ? messages[i - 1] as Json : undefined;
    const problem = checkBlocks(m.content, `messages.${i}`, previous);
    if (problem) return problem;
    const toolUses = m.content.filter((b) => isObject(b) && b.type === "tool_use")
      .map((b) => String((b as Json).id));
    const next = messages[i + 1] as Json | undefined;
    if (m.role === "assistant" && toolUses.length > 0 && next !== undefined) {
      const answered = new Set(
        Array.isArray(next.content)
          ? next.content.filter((b) => isObject(b) && b.type === "tool_result")
            .map((b) => String((b as Json).tool_use_id))
          : [],
      );
      const missing = toolUses.filter((id) => !answered.has(id));
      if (missing.length > 0) {
        return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks ` +
          `immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a ` +
          "corresponding `tool_result` block in the next message.";
      }
    }
  }
  if (Array.isArray(body.system)) {
    for (const b of body.system) {
      if (!isObject(b) || b.type !== "text" || b.text === "") {
        return "system: text content blocks must be non-empty";
      }
    }
  } else if (body.system !== undefined && typeof body.system !== "string") {
    return "system: Input should be a valid string";
  }
  const temperature = body.temperature;
  if (
    temperature !== undefined && (typeof temperature !== "number" || temperature < 0 ||
      temperature > 1)
  ) {
    return "temperature: range: 0..1";
  }
  if (Array.isArray(body.tools)) {
    for (let i = 0; i < body.tools.length; i++) {
      const tool = body.tools[i];
      const schema = isObject(tool) && isObject(tool.input_schema) ? tool.input_schema : {};
      if (schema.type !== "object") {
        return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
      }
    }
  } else if (body.tool_choice !== undefined) {
    return "tool_choice: tool_choice may only be specified while providing tools";
  }
  const thinking = isObject(body.thinking) ? body.thinking : undefined;
  if (thinking?.type === "enabled") {
    const budget = thinking.budget_tokens as number;
    if (!(budget >= 1024)) {
      return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
    }
    if (budget >= (body.max_tokens as number)) {
      return `\`max_tokens\` must be greater than \`thinking.budget_tokens\`. Please consult our documentation at ${THINKING_DOCS}`;
    }
    if (temperature !== undefined && temperature !== 1) {
      return `\`temperature\` may only be set to 1 when thinking is enabled. Please consult our documentation at ${TEMPERATURE_DOCS}`;
    }
    const choice = isObject(body.tool_choice) ? body.tool_choice.type : undefined;
    if (choice === "any" || choice === "tool") {
      return "Thinking may not be enabled when tool_choice forces tool use.";
    }
  }
  return undefined;
}

async function readFixture(name: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(new URL(name, FIXTURES));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Split SSE text into events, separators kept, so a slow fake can pause between them. */
function sseEvents(text: string): string[] {
  return text.split(/(?<=\n\n)/).filter((piece) => piece !== "");
}

async function replay(
  request: RecordedRequest,
  scenario: string,
  options: AnthropicFakeOptions,
): Promise<Response> {
  const error = await readFixture(`${scenario}.error.json`);
  if (error !== undefined) {
    const { status, headers, body } = JSON.parse(error);
    return jsonResponse(status, body, headers);
  }
  const body = request.body as Json;
  if (body.stream === true) {
    const sse = await readFixture(`${scenario}.stream.sse`);
    if (sse !== undefined) {
      const pieces = sseEvents(sse);
      const pacing = { delayMs: options.delayMs, cutAfter: options.resetAfter };
      return new Response(streamBody(pieces, pacing), {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache",
          "request-id": "req_fake",
        },
      });
    }
  } else {
    const json = await readFixture(`${scenario}.response.json`);
    if (json !== undefined) {
      return new Response(json, {
        headers: { "content-type": "application/json", "request-id": "req_fake" },
      });
    }
  }
  return anthropicError(404, "not_found_error", `model: ${String(body.model)}`);
}

/**
 * Start the fake on 127.0.0.1, port 0. `POST /v1/messages` only; the
 * fixture case is `options.scenario`, else the `x-fake-scenario` header,
 * else the request's `model`. An unknown case answers 404 `not_found_error`
 * like an unknown model does.
 */
export function startAnthropicFake(options: AnthropicFakeOptions = {}): AnthropicFake {
  const apiKey = options.apiKey ?? "sk-ant-fake-0123456789abcdef";
  const server = startFakeServer((request) => {
    if (request.method !== "POST" || request.path !== "/v1/messages") {
      return anthropicError(404, "not_found_error", "Not Found");
    }
    if (request.headers["x-api-key"] !== apiKey) {
      return anthropicError(401, "authentication_error", "invalid x-api-key");
    }
    const version = request.headers["anthropic-version"];
    if (version === undefined) {
      return anthropicError(400, "invalid_request_error", "anthropic-version: header is required");
    }
    if (version !== "2023-06-01") {
      return anthropicError(
        400,
        "invalid_request_error",
        `anthropic-version: "${version}" is not a valid version`,
      );
    }
    const problem = validateAnthropicBody(request.body);
    if (problem !== undefined) return anthropicError(400, "invalid_request_error", problem);
    const scenario = options.scenario ?? request.headers["x-fake-scenario"] ??
      String((request.body as Json).model);
    return replay(request, scenario, options);
  });
  return Object.assign(server, { apiKey });
}
