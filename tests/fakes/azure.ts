/**
 * A fake Azure OpenAI resource on 127.0.0.1 that checks requests the way the
 * service does and replays fixtures from `tests/fixtures/azure/`.
 *
 * Routes:
 * - `POST /openai/deployments/{deployment}/chat/completions?api-version=…`
 * - `POST /openai/deployments/{deployment}/embeddings?api-version=…`
 * - `POST /openai/v1/chat/completions`, `POST /openai/v1/embeddings` (the v1
 *   API: `api-version` absent, or `preview` / `latest`; the deployment is the
 *   body's `model`).
 *
 * Checks, with Azure's statuses and bodies: auth (`api-key` header equal to
 * the key, or `Authorization: Bearer` with the Entra token) → 401; a known
 * `api-version` on classic paths → 404 "Resource not found"; the deployment
 * exists → 404 `DeploymentNotFound`; a body with non-empty `messages`
 * (or `input` for embeddings) → 400.
 *
 * Scenario: `x-fake-scenario` header, else the `scenario` option, else
 * `chat` (embeddings: `embeddings`). A case `c` answers with
 * `c.error.json`, else `c.stream.sse` for `"stream": true`, else
 * `c.response.json`.
 *
 * @module
 */

import { type FakeServer, jsonResponse, startFakeServer, streamBody } from "./_server.ts";

/** Options of {@linkcode startAzureFake}. */
export interface AzureFakeOptions {
  /** The resource key (`api-key`). */
  apiKey: string;
  /** An Entra ID token accepted as `Authorization: Bearer`. */
  adToken?: string;
  /** Deployments that exist (default `["my-gpt-4o", "my-embedding"]`). */
  deployments?: readonly string[];
  /** Data-plane versions served on classic paths (default GA and recent previews). */
  apiVersions?: readonly string[];
  /** Fixture case for every request. */
  scenario?: string;
  /** Delay between SSE events, in ms. */
  delayMs?: number;
}

const CLASSIC_REGEXP = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;
const V1_REGEXP = /^\/openai\/v1\/(chat\/completions|embeddings)$/;
const DEFAULT_VERSIONS = ["2024-10-21", "2024-06-01", "2025-01-01-preview", "2025-04-01-preview"];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function azureError(status: number, code: string, message: string, extra: Json = {}): Response {
  return jsonResponse(status, { error: { code, message, ...extra } });
}

async function readFixture(name: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(new URL(`../fixtures/azure/${name}`, import.meta.url));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Start the fake; use `fake.url` as `api_base` and close it with `await using`. */
export function startAzureFake(options: AzureFakeOptions): FakeServer {
  const deployments = new Set(options.deployments ?? ["my-gpt-4o", "my-embedding"]);
  const versions = new Set(options.apiVersions ?? DEFAULT_VERSIONS);
  return startFakeServer(async (req, raw) => {
    const url = new URL(raw.url);
    const key = req.headers["api-key"];
    const bearer = req.headers["authorization"];
    const keyOk = key !== undefined && key === options.apiKey;
    const tokenOk = options.adToken !== undefined && bearer === `Bearer ${options.adToken}`;
    if (!keyOk && !tokenOk) {
      if (bearer !== undefined && key === undefined) {
        return jsonResponse(401, {
          error: {
            code: "PermissionDenied",
            message: "Principal does not have access to API/Operation.",
          },
        });
      }
      return azureError(
        401,
        "401",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
      );
    }
    const classic = CLASSIC_REGEXP.exec(url.pathname);
    const v1 = V1_REGEXP.exec(url.pathname);
    if (req.method !== "POST" || (!classic && !v1)) {
      return azureError(404, "404", "Resource not found");
    }
    const version = url.searchParams.get("api-version");
    const body = req.body;
    let deployment: string;
    let operation: string;
    if (classic) {
      if (version === null || !versions.has(version)) {
        return azureError(404, "404", "Resource not found");
      }
      deployment = decodeURIComponent(classic[1]);
      operation = classic[2];
    } else {
      if (version !== null && version !== "preview" && version !== "latest") {
        return azureError(
          400,
          "BadRequest",
          `API version not supported: ${version}. The v1 API takes no api-version, or preview/latest.`,
        );
      }
      if (!isObject(body) || typeof body.model !== "string") {
        return azureError(400, "BadRequest", "model is required.");
      }
      deployment = body.model;
      operation = v1![1];
    }
    if (!deployments.has(deployment)) {
      return azureError(
        404,
        "DeploymentNotFound",
        "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
      );
    }
    if (!isObject(body)) return azureError(400, "BadRequest", "The request body must be JSON.");
    if (operation === "embeddings") {
      const input = body.input;
      if (input === undefined || (Array.isArray(input) && input.length === 0)) {
        return azureError(400, "BadRequest", "'input' is a required property", { param: "input" });
      }
    } else if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return azureError(400, "BadRequest", "'messages' is a required property", {
        param: "messages",
        type: "invalid_request_error",
      });
    }
    const scenario = req.headers["x-fake-scenario"] ?? options.scenario ??
      (operation === "embeddings" ? "embeddings" : "chat");
    const failure = await readFixture(`${scenario}.error.json`);
    if (failure !== undefined) {
      const fixture = JSON.parse(failure);
      return jsonResponse(fixture.status, fixture.body, fixture.headers ?? {});
    }
    if (body.stream === true) {
      const sse = await readFixture(`${scenario}.stream.sse`);
      if (sse === undefined) return azureError(404, "404", "Resource not found");
      const pieces = sse.split(/(?<=\n\n)/).filter((p) => p !== "");
      return new Response(streamBody(pieces, { delayMs: options.delayMs }), {
        headers: { "content-type": "text/event-stream; charset=utf-8", "apim-request-id": "fake" },
      });
    }
    const json = await readFixture(`${scenario}.response.json`);
    if (json === undefined) return azureError(404, "404", "Resource not found");
    return new Response(json, {
      headers: { "content-type": "application/json", "x-ratelimit-remaining-requests": "99" },
    });
  });
}
