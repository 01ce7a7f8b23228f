/**
 * `azure_ai/…` (Azure AI Foundry / Studio) against a fake of its endpoint:
 * URL forms, `api-key` vs Bearer by host, `api-version`, string content,
 * embeddings, and a clear error without `api_base`.
 */

import assert from "node:assert/strict";
import { completion } from "../../src/completion.ts";
import { embedding } from "../../src/embedding.ts";
import { AuthenticationError, BadRequestError } from "../../src/errors.ts";
import { azureAIUrl, usesApiKeyHeader } from "../../src/providers/azure_ai/mod.ts";
import { AZURE_AI_FAKE_KEY, startAzureAIFake } from "../fakes/azure_ai.ts";

/** A fetch that sends `https://<host>/…` to the fake, keeping path and query. */
function via(fakeUrl: string, host: string): typeof fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) =>
    fetch(String(input).replace(`https://${host}`, fakeUrl), init)) as typeof fetch;
}

const deps = { env: () => undefined, now: () => 1_718_000_000_000, generateId: () => "id" };
const messages = [{ role: "user" as const, content: [{ type: "text" as const, text: "Hi" }] }];

Deno.test("azureAIUrl() and the auth header follow LiteLLM's rules", () => {
  const cases: [string, string, string | undefined, string][] = [
    [
      "https://r.services.ai.azure.com",
      "chat/completions",
      "2024-05-01-preview",
      "https://r.services.ai.azure.com/models/chat/completions?api-version=2024-05-01-preview",
    ],
    [
      "https://r.services.ai.azure.com/models",
      "chat/completions",
      "v",
      "https://r.services.ai.azure.com/models/chat/completions?api-version=v",
    ],
    [
      "https://r.services.ai.azure.com/models/chat/completions?api-version=x",
      "chat/completions",
      "v",
      "https://r.services.ai.azure.com/models/chat/completions?api-version=x",
    ],
    [
      "https://m.eastus2.models.ai.azure.com",
      "chat/completions",
      undefined,
      "https://m.eastus2.models.ai.azure.com/chat/completions",
    ],
    [
      "https://m.eastus2.models.ai.azure.com/",
      "embeddings",
      undefined,
      "https://m.eastus2.models.ai.azure.com/embeddings",
    ],
  ];
  for (const [base, op, version, expected] of cases) {
    assert.equal(azureAIUrl(base, op as "chat/completions", version), expected, base);
  }
  assert.ok(usesApiKeyHeader("https://r.services.ai.azure.com"));
  assert.ok(usesApiKeyHeader("https://r.openai.azure.com"));
  assert.ok(!usesApiKeyHeader("https://m.eastus2.models.ai.azure.com"));
});

Deno.test("azure_ai on an AI Services resource: /models/chat/completions, api-key, string content", async () => {
  await using fake = startAzureAIFake({ kind: "services" });
  const host = "r.services.ai.azure.com";
  const res = await completion({
    model: "azure_ai/DeepSeek-V3",
    messages,
    api_key: AZURE_AI_FAKE_KEY,
    api_base: `https://${host}`,
    api_version: "2024-05-01-preview",
    fetch: via(fake.url, host),
  }, deps);
  assert.equal(res.choices[0].message.content, "Hello from Foundry.");
  assert.equal(res.usage?.total_tokens, 13);
  const [sent] = fake.requests;
  assert.equal(sent.path, "/models/chat/completions?api-version=2024-05-01-preview");
  assert.equal(sent.headers["api-key"], AZURE_AI_FAKE_KEY);
  assert.equal(sent.headers.authorization, undefined);
  assert.deepEqual((sent.body as { messages: unknown[] }).messages, [{
    role: "user",
    content: "Hi",
  }]);
  assert.equal((sent.body as { model: string }).model, "DeepSeek-V3");
});

Deno.test("azure_ai serverless: /chat/completions with Bearer; env vars; embeddings", async () => {
  await using fake = startAzureAIFake({ kind: "serverless" });
  const host = "mistral-large.eastus2.models.ai.azure.com";
  const env = (name: string) =>
    ({ AZURE_AI_API_KEY: AZURE_AI_FAKE_KEY, AZURE_AI_API_BASE: `https://${host}` })[name];
  const res = await completion({
    model: "azure_ai/mistral-large",
    messages,
    fetch: via(fake.url, host),
  }, { ...deps, env });
  assert.equal(res.choices[0].message.content, "Hello from Foundry.");
  assert.equal(fake.requests[0].path, "/chat/completions");
  assert.equal(fake.requests[0].headers.authorization, `Bearer ${AZURE_AI_FAKE_KEY}`);
  const emb = await embedding({
    model: "azure_ai/cohere-embed-v3",
    input: ["a", "b"],
    fetch: via(fake.url, host),
  }, { ...deps, env });
  assert.equal(emb.data.length, 2);
  assert.equal(fake.requests[1].path, "/embeddings");
});

Deno.test("azure_ai: a wrong key is an AuthenticationError; no api_base is a clear 400", async () => {
  await using fake = startAzureAIFake({ kind: "services" });
  const host = "r.services.ai.azure.com";
  const denied = await completion({
    model: "azure_ai/DeepSeek-V3",
    messages,
    api_key: "wrong-key-0123456789",
    api_base: `https://${host}`,
    api_version: "2024-05-01-preview",
    fetch: via(fake.url, host),
  }, deps).catch((e) => e);
  assert.ok(denied instanceof AuthenticationError, String(denied));
  assert.equal(denied.status, 401);
  assert.ok(!String(denied.message).includes("wrong-key-0123456789"));
  const missing = await completion({
    model: "azure_ai/DeepSeek-V3",
    messages,
    api_key: AZURE_AI_FAKE_KEY,
  }, deps).catch((e) => e);
  assert.ok(missing instanceof BadRequestError, String(missing));
  assert.match(missing.message, /AZURE_AI_API_BASE/);
});
