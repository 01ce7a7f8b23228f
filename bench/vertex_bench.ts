/**
 * Vertex AI auth per request: the cached-token path that every call after the
 * first takes (no crypto, no I/O), against minting a token (RS256 signing),
 * which happens once per hour per credential.
 *
 * - `prepareRequest` (inline JSON credentials): parse the key JSON for the
 *   cache key, cache hit, add `Authorization`, fill the project from the key.
 * - `prepareRequest` (key-file path): the path is the cache key; the file is
 *   not read on a hit.
 * - `buildRequest + prepareRequest`: the whole per-request Vertex cost for a
 *   20-message chat with tools.
 * - `sign JWT`: what a request would pay if tokens were not cached (the
 *   exchange's network round trip comes on top).
 *
 * @module
 */

import { exportPKCS8, generateKeyPair } from "jose";
import { chatWithTools } from "./_fixtures.ts";
import { vertexAdapter } from "../src/providers/vertex/mod.ts";
import {
  parseGoogleCredentials,
  signGoogleServiceAccountJwt,
} from "../src/providers/vertex/auth.ts";
import type { GoogleServiceAccountCredentials } from "../src/providers/vertex/api_types.ts";
import type { PrepareDeps, RequestContext } from "../src/providers/types.ts";
import { createCredentialCache } from "../src/credential_cache.ts";

const NOW = 1730000000000;
const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const KEY_JSON = JSON.stringify({
  type: "service_account",
  project_id: "bench-project",
  private_key_id: "0123456789abcdef0123456789abcdef01234567",
  private_key: await exportPKCS8(privateKey),
  client_email: "bench@bench-project.iam.gserviceaccount.com",
  client_id: "112233445566778899001",
  token_uri: "https://oauth2.googleapis.com/token",
});

function context(credentials: string): RequestContext {
  return {
    provider: "vertex_ai",
    model: "gemini-2.5-flash",
    requestedModel: "vertex_ai/gemini-2.5-flash",
    apiKey: undefined,
    apiBase: "",
    apiVersion: undefined,
    extraHeaders: {},
    stream: false,
    includeUsage: false,
    providerOptions: { vertex_credentials: credentials },
    env: () => undefined,
    now: () => NOW,
    generateId: () => "bench",
  };
}

let exchanges = 0;
const tokenFetch: typeof fetch = () => {
  exchanges++;
  return Promise.resolve(Response.json({ access_token: "ya29.bench-token", expires_in: 3599 }));
};
const deps: PrepareDeps = {
  fetch: tokenFetch,
  now: () => NOW,
  credentials: createCredentialCache(),
};

const JSON_CTX = context(KEY_JSON);
const FILE_CTX = context("/secrets/vertex-sa.json");
const REQUEST = chatWithTools("vertex_ai/gemini-2.5-flash");
const BUILT = vertexAdapter.buildRequest(REQUEST, JSON_CTX);

// Warm both cache entries once (the JSON one through a real mint, the file one directly).
await vertexAdapter.prepareRequest!(BUILT, JSON_CTX, deps);
await deps.credentials.get(
  "google:file:/secrets/vertex-sa.json",
  () =>
    Promise.resolve({
      value: { accessToken: "ya29.bench-file", projectId: "bench-project" },
      expiresAt: NOW + 3599_000,
    }),
);
if (exchanges !== 1) throw new Error(`expected one warm-up exchange, saw ${exchanges}`);

Deno.bench({
  name: "vertex: prepareRequest, cached token (inline JSON key)",
  group: "vertex-auth",
  baseline: true,
  async fn() {
    await vertexAdapter.prepareRequest!(BUILT, JSON_CTX, deps);
  },
});

Deno.bench({
  name: "vertex: prepareRequest, cached token (key-file path)",
  group: "vertex-auth",
  async fn() {
    await vertexAdapter.prepareRequest!(BUILT, FILE_CTX, deps);
  },
});

Deno.bench({
  name: "vertex: buildRequest + prepareRequest (20-message chat with tools)",
  group: "vertex-auth",
  async fn() {
    await vertexAdapter.prepareRequest!(
      vertexAdapter.buildRequest(REQUEST, JSON_CTX),
      JSON_CTX,
      deps,
    );
  },
});

const CREDS = parseGoogleCredentials(JSON.parse(KEY_JSON)) as GoogleServiceAccountCredentials;

Deno.bench({
  name: "vertex: sign the RS256 JWT (what an uncached request would pay, before the exchange)",
  group: "vertex-auth",
  async fn() {
    await signGoogleServiceAccountJwt(CREDS, NOW);
  },
});

// The benches must not have minted again.
globalThis.addEventListener("unload", () => {
  if (exchanges !== 1) throw new Error(`cache misses during the bench: ${exchanges - 1}`);
});
