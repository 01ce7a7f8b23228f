/**
 * A fake Vertex AI endpoint on 127.0.0.1: it checks the bearer token (only
 * tokens issued by the fake Google OAuth endpoint pass), the URL shape
 * (`/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}:{method}`,
 * with the expected project and location) and the body the way Vertex does,
 * then replays fixtures.
 *
 * Routes: publisher `google` with `generateContent`,
 * `streamGenerateContent?alt=sse` and `predict` (text embeddings); publisher
 * `anthropic` with `rawPredict` and `streamRawPredict` (body with
 * `anthropic_version: "vertex-2023-10-16"` and no `model`; the rest is checked
 * with the Anthropic fake's validator). Failures use Vertex's shapes: Google
 * RPC errors for auth, routing and Gemini bodies, Anthropic errors for
 * Claude bodies.
 *
 * Scenario: the `x-fake-scenario` header, else the `scenario` option, else
 * `gemini_text` / `claude_text` by publisher. A case `c` is looked up in
 * `tests/fixtures/vertex/` first (`c.error.json`, `c.response.json`,
 * `c.stream.sse`), then in the Gemini or Anthropic fixture folder, so the
 * existing fixtures (`tools`, `tool_use`, …) replay too. Embeddings replay
 * `vertex/embed.response.json`, its predictions cycled to match the number
 * of instances.
 *
 * @module
 */

import { type FakeServer, jsonResponse, startFakeServer, streamBody } from "./_server.ts";
import { validateAnthropicBody } from "./anthropic.ts";

/** Options of {@linkcode startVertexFake}. */
export interface VertexFakeOptions {
  /** Which bearer tokens to accept (the OAuth fake's `isValid`). */
  isValidToken: (token: string) => boolean;
  /** The only project that exists. */
  project: string;
  /** The only location served. */
  location: string;
  /** Fixture case for every request (overridden by `x-fake-scenario`). */
  scenario?: string;
  /** Delay between SSE events, in ms. */
  delayMs?: number;
}

const ROUTE_REGEXP =
  /^\/(v1|v1beta1)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):(\w+)$/;

const METHODS: Readonly<Record<string, readonly string[]>> = {
  google: ["generateContent", "streamGenerateContent", "predict"],
  anthropic: ["rawPredict", "streamRawPredict"],
};

const RPC_STATUS: Readonly<Record<number, string>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rpcError(code: number, message: string): Response {
  return jsonResponse(code, { error: { code, message, status: RPC_STATUS[code] } }, {
    "content-type": "application/json; charset=UTF-8",
  });
}

function anthropicError(status: number, type: string, message: string): Response {
  return jsonResponse(status, { type: "error", error: { type, message } });
}

async function readFixture(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(new URL(`../fixtures/${path}`, import.meta.url));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** The first fixture found among the folders, or undefined. */
async function findFixture(folders: readonly string[], file: string): Promise<string | undefined> {
  for (const folder of folders) {
    const text = await readFixture(`${folder}/${file}`);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Split SSE text into events (separators kept), for `\n\n` and `\r\n\r\n` framing. */
function sseEvents(text: string): string[] {
  return text.split(/(?<=\r\n\r\n|\n\n)/).filter((piece) => piece !== "");
}

function checkGeminiBody(body: unknown): string | undefined {
  if (!isObject(body)) return "Invalid JSON payload received. Expected an object.";
  if ("model" in body) {
    return 'Invalid JSON payload received. Unknown name "model": Cannot find field.';
  }
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    return "Unable to submit request because it has an empty contents field.";
  }
  for (const content of body.contents) {
    if (!isObject(content) || (content.role !== "user" && content.role !== "model")) {
      return "Please use a valid role: user, model.";
    }
    if (!Array.isArray(content.parts) || content.parts.length === 0) {
      return "Unable to submit request because it must include at least one parts field, which describes the prompt input.";
    }
  }
  return undefined;
}

function checkEmbedBody(body: unknown): string | undefined {
  if (!isObject(body) || !Array.isArray(body.instances) || body.instances.length === 0) {
    return "Invalid JSON payload received. 'instances' must be a non-empty list.";
  }
  for (const instance of body.instances) {
    if (!isObject(instance) || typeof instance.content !== "string") {
      return "Invalid instance: each instance needs a string 'content'.";
    }
  }
  if (body.parameters !== undefined && !isObject(body.parameters)) {
    return "Invalid JSON payload received. 'parameters' must be an object.";
  }
  return undefined;
}

/**
 * Start the fake Vertex AI endpoint. Use `fake.url` as `api_base`; close it
 * with `await using`.
 */
export function startVertexFake(options: VertexFakeOptions): FakeServer {
  return startFakeServer(async (req, raw) => {
    const url = new URL(raw.url);
    const route = ROUTE_REGEXP.exec(url.pathname);
    const auth = req.headers["authorization"] ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if (!token || !options.isValidToken(token)) {
      return rpcError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
      );
    }
    if (req.method !== "POST" || !route) {
      return rpcError(404, `The requested URL ${url.pathname} was not found on this server.`);
    }
    const [, , project, location, publisher, model, method] = route;
    const resource =
      `projects/${project}/locations/${location}/publishers/${publisher}/models/${model}`;
    if (project !== options.project) {
      return rpcError(
        403,
        `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`,
      );
    }
    if (location !== options.location) {
      return rpcError(404, `Publisher Model \`${resource}\` not found.`);
    }
    if (!METHODS[publisher].includes(method)) {
      return rpcError(404, `Method ${method} is not served for ${resource}.`);
    }
    const scenario = req.headers["x-fake-scenario"] ?? options.scenario ??
      (publisher === "anthropic" ? "claude_text" : "gemini_text");

    if (publisher === "anthropic") {
      const body = req.body;
      if (!isObject(body)) {
        return anthropicError(400, "invalid_request_error", "Input should be a valid dictionary");
      }
      if (body.anthropic_version !== "vertex-2023-10-16") {
        return anthropicError(
          400,
          "invalid_request_error",
          "anthropic_version: Input should be 'vertex-2023-10-16'",
        );
      }
      if ("model" in body) {
        return anthropicError(
          400,
          "invalid_request_error",
          "model: Extra inputs are not permitted",
        );
      }
      const { anthropic_version: _v, ...messages } = body;
      const problem = validateAnthropicBody({ ...messages, model });
      if (problem) return anthropicError(400, "invalid_request_error", problem);
      if ((method === "streamRawPredict") !== (body.stream === true)) {
        return anthropicError(
          400,
          "invalid_request_error",
          'stream: streamRawPredict needs "stream": true and rawPredict needs it unset',
        );
      }
    } else if (method === "predict") {
      const problem = checkEmbedBody(req.body);
      if (problem) return rpcError(400, problem);
    } else {
      if (method === "streamGenerateContent" && url.searchParams.get("alt") !== "sse") {
        return rpcError(400, "This fake serves streams only as server-sent events: add ?alt=sse");
      }
      const problem = checkGeminiBody(req.body);
      if (problem) return rpcError(400, problem);
    }

    const folders = ["vertex", publisher === "anthropic" ? "anthropic" : "gemini"];
    const failure = await findFixture(folders, `${scenario}.error.json`);
    if (failure !== undefined) {
      const { status, headers, body } = JSON.parse(failure);
      return jsonResponse(status, body, headers ?? {});
    }
    if (method === "predict") {
      const fixture = JSON.parse((await readFixture("vertex/embed.response.json"))!);
      const count = (req.body as { instances: unknown[] }).instances.length;
      const predictions = Array.from(
        { length: count },
        (_, i) => fixture.predictions[i % fixture.predictions.length],
      );
      return jsonResponse(200, { ...fixture, predictions });
    }
    if (method === "streamGenerateContent" || method === "streamRawPredict") {
      const sse = await findFixture(folders, `${scenario}.stream.sse`);
      if (sse === undefined) return rpcError(404, `Publisher Model \`${resource}\` not found.`);
      return new Response(streamBody(sseEvents(sse), { delayMs: options.delayMs }), {
        headers: { "content-type": "text/event-stream" },
      });
    }
    const json = await findFixture(folders, `${scenario}.response.json`);
    if (json === undefined) return rpcError(404, `Publisher Model \`${resource}\` not found.`);
    return new Response(json, { headers: { "content-type": "application/json; charset=UTF-8" } });
  });
}
