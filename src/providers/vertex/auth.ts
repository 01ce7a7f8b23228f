/**
 * Google OAuth access tokens for Vertex AI, without Google's SDK:
 *
 * - **Service account** (`"type": "service_account"`): an RS256-signed JWT
 *   (RFC 7523: `iss` = `client_email`, `scope` = cloud-platform, `aud` =
 *   `token_uri`, `iat`, `exp` = `iat` + 3600, header `kid` =
 *   `private_key_id`) is exchanged at the key file's `token_uri`
 *   (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`).
 * - **Authorized user** (`"type": "authorized_user"`, the file
 *   `gcloud auth application-default login` writes): the refresh token is
 *   exchanged (`grant_type=refresh_token`).
 *
 * Tokens live in the injected single-flight {@linkcode CredentialCache}, keyed
 * by the credential's identity (never by secret material), until
 * {@linkcode GOOGLE_TOKEN_REFRESH_MARGIN_MS} before they expire; however many
 * calls wait, one exchange is in flight. A cache hit costs no crypto and no
 * I/O. Errors never carry the private key, the assertion or a token.
 *
 * @module
 */

import { importPKCS8, SignJWT } from "jose";
import type { Expiring } from "../../credential_cache.ts";
import {
  APIConnectionError,
  AuthenticationError,
  errorClassForStatus,
  type LLMuxError,
} from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { PrepareDeps, RequestContext } from "../types.ts";
import type {
  GoogleAuthorizedUserCredentials,
  GoogleCredentials,
  GoogleServiceAccountCredentials,
} from "./api_types.ts";

/** The OAuth scope Vertex AI needs. */
export const GOOGLE_CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
/** Google's token endpoint, used when a credential names none. */
export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
/** The RFC 7523 grant type. */
export const JWT_BEARER_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** Lifetime asked for in the JWT (`exp` − `iat`), seconds; Google's maximum. */
export const GOOGLE_JWT_LIFETIME_SECONDS = 3600;
/** A cached token is replaced this long before it expires (5 minutes). */
export const GOOGLE_TOKEN_REFRESH_MARGIN_MS = 300_000;

/** Options naming the provider in errors. */
export interface GoogleAuthOptions {
  /** Provider id for error messages (default `"vertex_ai"`). */
  provider?: string;
  /** Model string for errors. */
  model?: string;
}

/** An access token and the project its credential belongs to. */
export interface GoogleAccessToken {
  /** The bearer token. */
  accessToken: string;
  /** `project_id` (or `quota_project_id`) of the credential, when it has one. */
  projectId: string | undefined;
}

/** Where a call's credential comes from. */
export interface GoogleCredentialSource {
  /** The cache key: the credential's identity, or the file path. */
  key: string;
  /** Load (read and parse) the credential. */
  load(): Promise<GoogleCredentials>;
}

function invalid(message: string, options: GoogleAuthOptions): AuthenticationError {
  const provider = options.provider ?? "vertex_ai";
  return new AuthenticationError(
    `Invalid Google credentials for provider "${provider}": ${message}`,
    {
      provider,
      ...(options.model === undefined ? {} : { model: options.model }),
      code: "invalid_credentials",
    },
  );
}

function requireString(
  value: Record<string, unknown>,
  field: string,
  options: GoogleAuthOptions,
): string {
  const v = value[field];
  if (typeof v !== "string" || v === "") throw invalid(`'${field}' is missing`, options);
  return v;
}

function optionalString(value: Record<string, unknown>, field: string): string | undefined {
  const v = value[field];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * Validate a parsed credential file. Service-account keys and
 * authorized-user files are accepted; anything else (external accounts,
 * impersonation) is an {@linkcode AuthenticationError} naming the missing or
 * unsupported field, never echoing a value.
 *
 * @example
 * ```ts
 * import { parseGoogleCredentials } from "./auth.ts";
 * const creds = parseGoogleCredentials({
 *   type: "authorized_user", client_id: "id", client_secret: "s", refresh_token: "r",
 * });
 * console.assert(creds.type === "authorized_user");
 * ```
 */
export function parseGoogleCredentials(
  value: unknown,
  options: GoogleAuthOptions = {},
): GoogleCredentials {
  if (!isRecord(value)) throw invalid("expected a JSON object", options);
  const type = value.type;
  if (type === "service_account") {
    const creds: GoogleServiceAccountCredentials = {
      type,
      client_email: requireString(value, "client_email", options),
      // Keys pasted through env vars often keep `\n` escaped.
      private_key: requireString(value, "private_key", options).replaceAll("\\n", "\n"),
      token_uri: optionalString(value, "token_uri") ?? GOOGLE_TOKEN_URI,
    };
    const kid = optionalString(value, "private_key_id");
    if (kid !== undefined) creds.private_key_id = kid;
    const project = optionalString(value, "project_id");
    if (project !== undefined) creds.project_id = project;
    const quota = optionalString(value, "quota_project_id");
    if (quota !== undefined) creds.quota_project_id = quota;
    return creds;
  }
  if (type === "authorized_user") {
    const creds: GoogleAuthorizedUserCredentials = {
      type,
      client_id: requireString(value, "client_id", options),
      client_secret: requireString(value, "client_secret", options),
      refresh_token: requireString(value, "refresh_token", options),
      token_uri: optionalString(value, "token_uri") ?? GOOGLE_TOKEN_URI,
    };
    const quota = optionalString(value, "quota_project_id");
    if (quota !== undefined) creds.quota_project_id = quota;
    return creds;
  }
  throw invalid(
    `unsupported credential type ${
      typeof type === "string" ? `"${type}"` : "(none)"
    }; use a service-account key or an authorized_user file`,
    options,
  );
}

/** The identity of a credential: enough to tell credentials apart, no secret in it. */
export function googleCredentialKey(creds: GoogleCredentials): string {
  return creds.type === "service_account"
    ? `google:sa:${creds.client_email}:${creds.private_key_id ?? ""}:${creds.token_uri}`
    : `google:user:${creds.client_id}:${creds.token_uri ?? GOOGLE_TOKEN_URI}`;
}

function parseJsonText(text: string, where: string, options: GoogleAuthOptions): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${where} is not valid JSON`, options);
  }
}

/**
 * Resolve the credential source of a call, as LiteLLM does: the
 * `vertex_credentials` option (a JSON string, a parsed object, or a path to a
 * key file), else the file named by `GOOGLE_APPLICATION_CREDENTIALS`.
 * Inline credentials are parsed here (cheap; it yields the cache key); a file
 * is read only by `load()`, i.e. only when a token must be minted. Undefined
 * when no credential is configured.
 */
export function resolveGoogleCredentialSource(
  ctx: Pick<RequestContext, "providerOptions" | "env" | "provider" | "requestedModel">,
): GoogleCredentialSource | undefined {
  const options: GoogleAuthOptions = { provider: ctx.provider, model: ctx.requestedModel };
  const raw = ctx.providerOptions.vertex_credentials ??
    ctx.providerOptions.vertex_ai_credentials;
  if (isRecord(raw)) {
    const creds = parseGoogleCredentials(raw, options);
    return { key: googleCredentialKey(creds), load: () => Promise.resolve(creds) };
  }
  if (typeof raw === "string" && raw.trim() !== "") {
    const text = raw.trim();
    if (text.startsWith("{")) {
      const creds = parseGoogleCredentials(
        parseJsonText(text, "vertex_credentials", options),
        options,
      );
      return { key: googleCredentialKey(creds), load: () => Promise.resolve(creds) };
    }
    return fileSource(text, options);
  }
  if (raw !== undefined && raw !== null && raw !== "") {
    throw invalid("vertex_credentials must be a JSON string, an object or a file path", options);
  }
  const path = ctx.env("GOOGLE_APPLICATION_CREDENTIALS");
  return path ? fileSource(path, options) : undefined;
}

/**
 * Whether a call has a credential configured (`vertex_credentials`,
 * `vertex_ai_credentials` or `GOOGLE_APPLICATION_CREDENTIALS`), without
 * reading or parsing it.
 */
export function hasGoogleCredentialSource(
  ctx: Pick<RequestContext, "providerOptions" | "env">,
): boolean {
  const o = ctx.providerOptions;
  const set = (v: unknown) => v !== undefined && v !== null && v !== "";
  return set(o.vertex_credentials) || set(o.vertex_ai_credentials) ||
    set(ctx.env("GOOGLE_APPLICATION_CREDENTIALS"));
}

function fileSource(path: string, options: GoogleAuthOptions): GoogleCredentialSource {
  return {
    key: `google:file:${path}`,
    load: () => loadGoogleCredentialsFile(path, options),
  };
}

/**
 * Read and validate a credential file. A missing or unreadable file is an
 * {@linkcode AuthenticationError} naming the path (paths are not secret).
 */
export async function loadGoogleCredentialsFile(
  path: string,
  options: GoogleAuthOptions = {},
): Promise<GoogleCredentials> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Error
      ? error.name
      : "unreadable";
    throw invalid(`cannot read the credentials file "${path}" (${reason})`, options);
  }
  return parseGoogleCredentials(
    parseJsonText(text, `the credentials file "${path}"`, options),
    options,
  );
}

/**
 * Sign the RFC 7523 assertion of a service account (RS256, PKCS#8 key):
 * header `{alg: "RS256", typ: "JWT", kid}`, claims `iss`, `scope`, `aud`,
 * `iat`, `exp` ({@linkcode GOOGLE_JWT_LIFETIME_SECONDS} after `iat`).
 */
export async function signGoogleServiceAccountJwt(
  creds: GoogleServiceAccountCredentials,
  nowMs: number,
  options: GoogleAuthOptions = {},
): Promise<string> {
  let key: CryptoKey;
  try {
    key = await importPKCS8(creds.private_key, "RS256");
  } catch {
    throw invalid("'private_key' is not a PKCS#8 PEM RSA key", options);
  }
  const iat = Math.floor(nowMs / 1000);
  const header = creds.private_key_id === undefined
    ? { alg: "RS256", typ: "JWT" }
    : { alg: "RS256", typ: "JWT", kid: creds.private_key_id };
  return await new SignJWT({ scope: GOOGLE_CLOUD_PLATFORM_SCOPE })
    .setProtectedHeader(header)
    .setIssuer(creds.client_email)
    .setAudience(creds.token_uri)
    .setIssuedAt(iat)
    .setExpirationTime(iat + GOOGLE_JWT_LIFETIME_SECONDS)
    .sign(key);
}

function tokenError(status: number, body: unknown, options: GoogleAuthOptions): LLMuxError {
  const provider = options.provider ?? "vertex_ai";
  const code = isRecord(body) && typeof body.error === "string" ? body.error : undefined;
  const description = isRecord(body) && typeof body.error_description === "string"
    ? body.error_description.slice(0, 300)
    : undefined;
  const detail = [code, description && `(${description})`].filter(Boolean).join(" ");
  const message = `Cannot get a Google access token for provider "${provider}": ` +
    `the token endpoint answered ${status}${detail ? ` ${detail}` : ""}`;
  const auth = status === 400 || status === 401 || status === 403;
  const Cls = auth ? AuthenticationError : errorClassForStatus(status);
  return new Cls(message, {
    provider,
    ...(options.model === undefined ? {} : { model: options.model }),
    code: auth ? (code ?? "invalid_credentials") : null,
    upstreamStatus: status,
  });
}

/**
 * Mint an access token: sign and exchange a JWT (service account) or
 * exchange the refresh token (authorized user) at the credential's
 * `token_uri`. The result carries the expiry (`expires_in`, default 3600 s,
 * counted from `now()`).
 */
export async function fetchGoogleAccessToken(
  creds: GoogleCredentials,
  deps: Pick<PrepareDeps, "fetch" | "now">,
  options: GoogleAuthOptions = {},
): Promise<Expiring<GoogleAccessToken>> {
  const provider = options.provider ?? "vertex_ai";
  const tokenUri = creds.token_uri ?? GOOGLE_TOKEN_URI;
  const form = creds.type === "service_account"
    ? new URLSearchParams({
      grant_type: JWT_BEARER_GRANT_TYPE,
      assertion: await signGoogleServiceAccountJwt(creds, deps.now(), options),
    })
    : new URLSearchParams({
      grant_type: "refresh_token",
      client_id: creds.client_id,
      client_secret: creds.client_secret,
      refresh_token: creds.refresh_token,
    });
  let response: Response;
  try {
    response = await deps.fetch(tokenUri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
    });
  } catch {
    throw new APIConnectionError(
      `Cannot reach the Google token endpoint for provider "${provider}" (${tokenUri})`,
      { provider, ...(options.model === undefined ? {} : { model: options.model }) },
    );
  }
  const text = await response.text().catch(() => "");
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  if (!response.ok) throw tokenError(response.status, body, options);
  if (!isRecord(body) || typeof body.access_token !== "string" || body.access_token === "") {
    throw new APIConnectionError(
      `The Google token endpoint for provider "${provider}" answered without an access_token`,
      { provider, ...(options.model === undefined ? {} : { model: options.model }) },
    );
  }
  const lifetime = typeof body.expires_in === "number" && body.expires_in > 0
    ? body.expires_in
    : GOOGLE_JWT_LIFETIME_SECONDS;
  const projectId = creds.type === "service_account"
    ? creds.project_id ?? creds.quota_project_id
    : creds.quota_project_id;
  return {
    value: { accessToken: body.access_token, projectId },
    expiresAt: deps.now() + lifetime * 1000,
  };
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * The access token for a call: from the shared cache while it is valid for
 * more than {@linkcode GOOGLE_TOKEN_REFRESH_MARGIN_MS}, else minted once for
 * every waiting call. The caller's abort signal stops its own wait, not the
 * shared exchange. Undefined when no credential is configured.
 *
 * @example
 * ```ts
 * import { getGoogleAccessToken } from "./auth.ts";
 * import { createCredentialCache } from "../../credential_cache.ts";
 * const ctx = {
 *   provider: "vertex_ai", requestedModel: "vertex_ai/gemini-2.5-flash",
 *   providerOptions: {}, env: () => undefined,
 * };
 * const token = await getGoogleAccessToken(ctx, {
 *   fetch, now: Date.now, credentials: createCredentialCache(),
 * });
 * console.assert(token === undefined); // nothing configured
 * ```
 */
/**
 * Drop the cached access token of a call's credential (after a 401: the
 * token was revoked before it expired), so the next call mints a new one.
 *
 * @example
 * ```ts
 * import { forgetGoogleAccessToken } from "./auth.ts";
 * import { createCredentialCache } from "../../credential_cache.ts";
 * const ctx = {
 *   provider: "vertex_ai", requestedModel: "vertex_ai/gemini-2.5-flash",
 *   providerOptions: {}, env: () => undefined,
 * };
 * forgetGoogleAccessToken(ctx, { credentials: createCredentialCache() }); // nothing cached: no-op
 * ```
 */
export function forgetGoogleAccessToken(
  ctx: Pick<RequestContext, "providerOptions" | "env" | "provider" | "requestedModel">,
  deps: Pick<PrepareDeps, "credentials">,
): void {
  const source = resolveGoogleCredentialSource(ctx);
  if (source) deps.credentials.delete(source.key);
}

export async function getGoogleAccessToken(
  ctx: Pick<RequestContext, "providerOptions" | "env" | "provider" | "requestedModel">,
  deps: PrepareDeps,
): Promise<GoogleAccessToken | undefined> {
  const source = resolveGoogleCredentialSource(ctx);
  if (!source) return undefined;
  const options: GoogleAuthOptions = { provider: ctx.provider, model: ctx.requestedModel };
  const flight = deps.credentials.get<GoogleAccessToken>(
    source.key,
    async () => fetchGoogleAccessToken(await source.load(), deps, options),
    { now: deps.now, marginMs: GOOGLE_TOKEN_REFRESH_MARGIN_MS },
  );
  return await raceSignal(flight, deps.signal);
}
