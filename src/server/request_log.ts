/**
 * The request log: one flat JSON-ready record per client request (route,
 * model group, deployment, status, latency, tokens, cost, attempts,
 * fallbacks, error), and the redaction every string in it goes through.
 *
 * Redaction removes the configured secrets (master key, provider keys)
 * wherever they appear, and anything that looks like a credential:
 * `Bearer …` tokens, `sk-…`-style provider keys (and Groq, xAI, Google,
 * AWS, Hugging Face, GitHub, Replicate, Perplexity formats, JWTs), the
 * values of `x-api-key` / `api_key` / `authorization` fields and `?key=`
 * query parameters. Prompts and responses are only recorded when
 * `logPrompts` is set, and are redacted too.
 *
 * @module
 */

import { errorClassName, errorMessage } from "./_error_info.ts";

/** What a redacted secret is replaced with. */
export const REDACTED = "[REDACTED]";

/** Secrets shorter than this are not redacted (they would blank ordinary words). */
export const MIN_SECRET_LENGTH = 4;

/** Replaces every secret in a text. */
export type Redactor = (text: string) => string;

/** Options of {@linkcode createRedactor}. */
export interface RedactorOptions {
  /** Exact strings to remove wherever they appear (master key, provider keys, …). */
  secrets?: Iterable<string | null | undefined> | undefined;
}

/** `Bearer <token>` (tokens of 8 characters or more). */
const BEARER_REGEXP = /\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/**
 * `x-api-key: v`, `"api_key": "v"`, `authorization: Basic v` (the scheme
 * goes too; `Bearer` tokens are handled above). Unquoted JSON literals and
 * numbers (`"api_key": null`) are left alone, so redacted JSON lines stay JSON.
 */
const KEY_FIELD_REGEXP =
  /((?:x-api-key|x-goog-api-key|api[-_]?key|proxy-authorization|authorization)["']?\s*[:=]\s*["']?)(?!bearer\s)(?!\[REDACTED\])(?!(?<!["'])(?:null|true|false|-?\d+(?:\.\d+)?)(?:[\s"'\\,;&}]|$))(?:(?:basic|digest|token)\s+)?[^\s"'\\,;&}]+/gi;

/** `?key=v`, `&api_key=v`, `?access_token=v` in URLs. */
const QUERY_KEY_REGEXP = /([?&](?:key|api[-_]?key|access_token|token)=)[^&\s"'\\#]+/gi;

/** Provider key formats, redacted whole. */
const KEY_FORMAT_REGEXPS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI, Anthropic (sk-ant-), DeepSeek, LiteLLM virtual keys
  /\b(?:gsk|xai|pplx|hf|ghp|gho|ghs|github_pat|r8|glpat)[_-][A-Za-z0-9_-]{10,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google API keys
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, // JWTs (Azure AD, Vertex)
];

/** Object keys whose values are secrets whatever they look like. */
const SECRET_KEY_REGEXP =
  /^(?:api[-_]?key|x-api-key|x-goog-api-key|authorization|proxy-authorization|password|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|aws_secret_access_key|aws_session_token|azure_ad_token|vertex_credentials)$/i;

/** `litellm_params` fields (by name) that hold credentials. */
export const SECRET_PARAM_REGEXP: RegExp = /(?:key|secret|token|password|credential)/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Build a redactor for the given secrets plus the credential patterns (see
 * the module documentation). Build it once (at startup), use it per request.
 *
 * @example
 * ```ts
 * import { createRedactor } from "./request_log.ts";
 * const redact = createRedactor({ secrets: ["my-master-key"] });
 * console.assert(redact("key my-master-key, auth Bearer abcdefgh12345") ===
 *   "key [REDACTED], auth Bearer [REDACTED]");
 * ```
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const secrets = [
    ...new Set(
      [...(options.secrets ?? [])].filter((s): s is string =>
        typeof s === "string" && s.length >= MIN_SECRET_LENGTH
      ),
    ),
  ].sort((a, b) => b.length - a.length);
  const secretsRegExp = secrets.length === 0
    ? undefined
    : new RegExp(secrets.map(escapeRegExp).join("|"), "g");
  // One pass that finds whether anything below could match (a superset: case-insensitive),
  // so the common text with nothing to redact costs one scan instead of eight.
  const anyRegExp = new RegExp(
    [
      ...(secretsRegExp ? [secretsRegExp.source] : []),
      BEARER_REGEXP.source,
      KEY_FIELD_REGEXP.source,
      QUERY_KEY_REGEXP.source,
      ...KEY_FORMAT_REGEXPS.map((re) => re.source),
    ].map((source) => `(?:${source})`).join("|"),
    "i",
  );
  return (text: string): string => {
    if (!anyRegExp.test(text)) return text;
    let out = secretsRegExp === undefined ? text : text.replace(secretsRegExp, REDACTED);
    out = out.replace(BEARER_REGEXP, `$1 ${REDACTED}`);
    out = out.replace(KEY_FIELD_REGEXP, `$1${REDACTED}`);
    out = out.replace(QUERY_KEY_REGEXP, `$1${REDACTED}`);
    for (const re of KEY_FORMAT_REGEXPS) out = out.replace(re, REDACTED);
    return out;
  };
}

/**
 * The credentials in deployments' `litellm_params` (`api_key`,
 * `aws_secret_access_key`, `vertex_credentials`, … : string values of
 * fields named like a key, secret, token, password or credential), for
 * {@linkcode createRedactor}.
 *
 * @example
 * ```ts
 * import { deploymentSecrets } from "./request_log.ts";
 * const secrets = deploymentSecrets([{ params: { model: "openai/gpt-4o", api_key: "sk-abc" } }]);
 * console.assert(secrets.length === 1 && secrets[0] === "sk-abc");
 * ```
 */
export function deploymentSecrets(
  deployments: Iterable<{ readonly params: Readonly<Record<string, unknown>> }>,
): string[] {
  const out: string[] = [];
  for (const d of deployments) {
    for (const [key, value] of Object.entries(d.params)) {
      if (!SECRET_PARAM_REGEXP.test(key)) continue;
      if (typeof value === "string") out.push(value);
      else if (typeof value === "object" && value !== null) out.push(JSON.stringify(value));
    }
  }
  return out;
}

/** Token usage as the log reads it. */
export interface RequestLogUsage {
  /** Prompt tokens. */
  prompt_tokens?: number | undefined;
  /** Completion tokens. */
  completion_tokens?: number | undefined;
  /** Their sum (computed when absent). */
  total_tokens?: number | undefined;
}

/** What happened to one request, as {@linkcode buildRequestLog} takes it. */
export interface RequestLogInput {
  /** The request id (`x-request-id`). */
  requestId: string;
  /** HTTP method. */
  method?: string | undefined;
  /** Route template, e.g. `"/v1/chat/completions"`. */
  route: string;
  /** Model group (the answering one, else the one asked for). */
  modelGroup?: string | undefined;
  /** Id of the deployment that answered. */
  deploymentId?: string | undefined;
  /** Its provider. */
  provider?: string | undefined;
  /** HTTP status sent. */
  status: number;
  /** Milliseconds from arrival to the end of the response. */
  latencyMs: number;
  /** Milliseconds to the first content, for streams. */
  ttftMs?: number | undefined;
  /** Token usage, when known. */
  usage?: RequestLogUsage | undefined;
  /** Cost in USD, when known. */
  costUsd?: number | undefined;
  /** Upstream calls made. */
  attempts?: number | undefined;
  /** Fallback groups entered, in order. */
  fallbacks?: readonly string[] | undefined;
  /** Whether the response streamed. */
  stream?: boolean | undefined;
  /** The error, on failure (an `Error`, an OpenAI error body or a string). */
  error?: unknown;
  /** The request's messages (or embeddings `input`, or `prompt`); logged only with `logPrompts`. */
  messages?: unknown;
  /** The response (text or body); logged only with `logPrompts`. */
  response?: unknown;
}

/** Options of {@linkcode buildRequestLog}. */
export interface RequestLogOptions {
  /** Record `messages` and `response` (default false). */
  logPrompts?: boolean | undefined;
  /** The redactor (build it once with {@linkcode createRedactor}); default: one over `secrets`. */
  redact?: Redactor | undefined;
  /** Secrets to redact when no `redact` is given. */
  secrets?: Iterable<string | null | undefined> | undefined;
}

/** The one JSON line logged per request. Absent values are `null`, so every line has every key. */
export interface RequestLogRecord {
  /** The request id. */
  request_id: string;
  /** HTTP method. */
  method: string | null;
  /** Route template. */
  route: string;
  /** Model group. */
  model_group: string | null;
  /** Deployment that answered. */
  deployment_id: string | null;
  /** Its provider. */
  provider: string | null;
  /** HTTP status. */
  status: number;
  /** Total latency in ms. */
  latency_ms: number | null;
  /** Time to first content in ms (streams). */
  ttft_ms: number | null;
  /** Prompt tokens. */
  prompt_tokens: number | null;
  /** Completion tokens. */
  completion_tokens: number | null;
  /** Total tokens. */
  total_tokens: number | null;
  /** Cost in USD. */
  cost_usd: number | null;
  /** Upstream calls made (0 when none). */
  attempts: number;
  /** Fallback groups entered. */
  fallbacks: string[];
  /** Whether it streamed. */
  stream: boolean;
  /** Error class (e.g. `"RateLimitError"`), on failure. */
  error_type: string | null;
  /** Error message (redacted, at most {@linkcode MAX_ERROR_MESSAGE_LENGTH} characters), on failure. */
  error_message: string | null;
  /** The request's messages (redacted), only with `logPrompts`. */
  messages?: unknown;
  /** The response (redacted), only with `logPrompts`. */
  response?: unknown;
}

/** Longest error message kept. */
export const MAX_ERROR_MESSAGE_LENGTH = 2000;

/** Longest short field (ids, names, routes) kept. */
const MAX_FIELD_LENGTH = 256;

/** Deepest nesting of prompts and responses kept. */
const MAX_DEPTH = 32;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function finite(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function count(value: unknown): number | null {
  const n = finite(value);
  return n === null || n < 0 ? null : n;
}

function milliseconds(value: unknown): number | null {
  const n = count(value);
  return n === null ? null : Math.round(n);
}

/** Redact every string of a JSON-like value; values under secret-named keys go whole. */
function redactDeep(value: unknown, redact: Redactor, depth: number): unknown {
  if (typeof value === "string") return redact(value);
  if (typeof value !== "object" || value === null) {
    return typeof value === "number" || typeof value === "boolean" || value === null
      ? value
      : undefined;
  }
  if (depth >= MAX_DEPTH) return "[Truncated]";
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[redact(key)] = SECRET_KEY_REGEXP.test(key) ? REDACTED : redactDeep(v, redact, depth + 1);
  }
  return out;
}

/**
 * Build the log record of one request. Every string goes through the
 * redactor; `messages` and `response` are kept only with `logPrompts`.
 *
 * @example
 * ```ts
 * import { buildRequestLog, createRedactor } from "./request_log.ts";
 * const redact = createRedactor({ secrets: ["sk-provider-key-123"] });
 * const record = buildRequestLog({
 *   requestId: "req_1", method: "POST", route: "/v1/chat/completions", modelGroup: "gpt",
 *   status: 401, latencyMs: 12, error: new Error("bad key sk-provider-key-123"),
 *   messages: [{ role: "user", content: "hi" }],
 * }, { redact });
 * console.assert(record.error_message === "bad key [REDACTED]");
 * console.assert(!("messages" in record));
 * ```
 */
export function buildRequestLog(
  input: RequestLogInput,
  options: RequestLogOptions = {},
): RequestLogRecord {
  const redact = options.redact ?? createRedactor({ secrets: options.secrets });
  const field = (value: string | undefined): string | null =>
    value === undefined ? null : truncate(redact(value), MAX_FIELD_LENGTH);
  const usage = input.usage;
  const prompt = count(usage?.prompt_tokens);
  const completion = count(usage?.completion_tokens);
  const total = count(usage?.total_tokens) ??
    (prompt === null && completion === null ? null : (prompt ?? 0) + (completion ?? 0));
  const failed = input.error !== undefined;
  const message = failed ? errorMessage(input.error) : "";
  const record: RequestLogRecord = {
    request_id: truncate(redact(input.requestId), MAX_FIELD_LENGTH),
    method: field(input.method),
    route: truncate(redact(input.route), MAX_FIELD_LENGTH),
    model_group: field(input.modelGroup),
    deployment_id: field(input.deploymentId),
    provider: field(input.provider),
    status: input.status,
    latency_ms: milliseconds(input.latencyMs),
    ttft_ms: milliseconds(input.ttftMs),
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: total,
    cost_usd: count(input.costUsd),
    attempts: count(input.attempts) ?? 0,
    fallbacks: (input.fallbacks ?? []).map((f) => truncate(redact(f), MAX_FIELD_LENGTH)),
    stream: input.stream === true,
    error_type: failed ? errorClassName(input.error) : null,
    error_message: failed ? truncate(redact(message), MAX_ERROR_MESSAGE_LENGTH) : null,
  };
  if (options.logPrompts === true) {
    record.messages = redactDeep(input.messages, redact, 0) ?? null;
    record.response = redactDeep(input.response, redact, 0) ?? null;
  }
  return record;
}
