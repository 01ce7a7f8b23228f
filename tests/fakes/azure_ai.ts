/**
 * A fake Azure AI Foundry model-inference endpoint on 127.0.0.1, speaking
 * its OpenAI-shaped chat API: `POST /models/chat/completions` (an AI
 * Services resource, key in `api-key`) or `POST /chat/completions` (a
 * serverless endpoint, key as `Authorization: Bearer`), both with an
 * `api-version` query parameter on the Services form. It rejects a wrong
 * or missing key (401), a missing `api-version` (400), and content arrays
 * (400: these endpoints take message content as a string), and answers a
 * fixed `chat.completion` or embeddings list.
 *
 * @module
 */

import { type FakeServer, jsonResponse, startFakeServer } from "./_server.ts";

/** The key the fake accepts. */
export const AZURE_AI_FAKE_KEY = "azure-ai-fake-key-0123456789";

/** Options of {@linkcode startAzureAIFake}. */
export interface AzureAIFakeOptions {
  /** `services` (AI Services: `/models/…`, `api-key`) or `serverless` (`/…`, Bearer). */
  kind: "services" | "serverless";
}

function error(status: number, code: string, message: string): Response {
  return jsonResponse(status, { error: { code, message, status } });
}

/** Start the fake. */
export function startAzureAIFake(options: AzureAIFakeOptions): FakeServer {
  const prefix = options.kind === "services" ? "/models" : "";
  return startFakeServer((req) => {
    const url = new URL(req.path, "http://fake");
    const key = options.kind === "services"
      ? req.headers["api-key"]
      : req.headers.authorization?.replace(/^Bearer /, "");
    if (key !== AZURE_AI_FAKE_KEY) {
      return error(401, "Unauthorized", "Access denied due to invalid subscription key.");
    }
    if (options.kind === "services" && !url.searchParams.get("api-version")) {
      return error(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter is required.",
      );
    }
    const body = req.body as Record<string, unknown>;
    if (req.method === "POST" && url.pathname === `${prefix}/chat/completions`) {
      const messages = body.messages as { content: unknown }[];
      if (messages.some((m) => Array.isArray(m.content))) {
        return error(400, "Bad Request", "messages.content: expected a string");
      }
      return jsonResponse(200, {
        id: "cmpl-azure-ai-1",
        object: "chat.completion",
        created: 1_718_000_000,
        model: String(body.model),
        choices: [{
          index: 0,
          message: { role: "assistant", content: "Hello from Foundry.", tool_calls: null },
          finish_reason: "stop",
        }],
        usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
      });
    }
    if (req.method === "POST" && url.pathname === `${prefix}/embeddings`) {
      const input = Array.isArray(body.input) ? body.input : [body.input];
      return jsonResponse(200, {
        object: "list",
        model: String(body.model),
        data: input.map((_, index) => ({ object: "embedding", index, embedding: [0.1, 0.2] })),
        usage: { prompt_tokens: input.length, total_tokens: input.length },
      });
    }
    return error(404, "NotFound", `No route for ${req.method} ${url.pathname}`);
  });
}
