/**
 * A fake Amazon Bedrock runtime on 127.0.0.1 that authenticates every
 * request the way the real service does and replays fixtures from
 * `tests/fixtures/bedrock/`.
 *
 * **Authentication.** Each request must carry either `Authorization: Bearer
 * <bearerToken>` (when the fake has one) or a SigV4 signature, which the fake
 * recomputes independently from the request as received — raw path, query,
 * the headers named in `SignedHeaders`, the body bytes — with Web Crypto, per
 * the SigV4 spec (this file shares no code with the signer under test). A
 * wrong signature is a 403 `InvalidSignatureException` whose message echoes
 * the canonical request and string to sign, as AWS's does; an unknown access
 * key or session token a 403 `UnrecognizedClientException`; no auth a 403
 * `MissingAuthenticationTokenException`; a scope with the wrong region or
 * service, or a time more than 5 minutes off `now()`, a 403
 * `InvalidSignatureException`.
 *
 * **Routes.** `POST /model/{modelId}/converse` (JSON), `/converse-stream`
 * (`application/vnd.amazon.eventstream` frames built with
 * `@smithy/eventstream-codec`), `/invoke` (Titan and Cohere embeddings, and Anthropic
 * Messages bodies), `/invoke-with-response-stream` (Anthropic: `chunk` frames whose `bytes`
 * are the base64 of the Messages stream events of `tests/fixtures/anthropic/<case>`).
 * Converse bodies are validated like the real API (unknown keys, alternating
 * roles starting with user, blank text, tool blocks without `toolConfig`…)
 * → 400 `ValidationException`.
 *
 * **Scenario**, from the `x-fake-scenario` header, else the `scenario`
 * option (default `text`): `<case>.error.json` answers with that error;
 * else `/converse` replays `<case>.response.json` and `/converse-stream`
 * `<case>.stream.json`. Stream scenarios with built-in damage: `bad_crc`
 * (the text stream with one message CRC flipped), `bad_prelude_crc`,
 * `truncated` (cut inside a frame, then a clean close), `reset` (the
 * connection fails after two frames), `slow` (200 text deltas `delayMs`
 * apart). The `split` option (or `x-fake-split` header: `byte`, or a size)
 * cuts the stream bytes into writes at arbitrary boundaries.
 *
 * @module
 */

import { EventStreamCodec } from "@smithy/eventstream-codec";
import {
  type FakeServer,
  jsonResponse,
  type RecordedRequest,
  startFakeServer,
  streamBody,
} from "./_server.ts";
import { loadJson } from "../_fixtures.ts";

/** Options of {@linkcode startBedrockFake}. */
export interface BedrockFakeOptions {
  /** The one access key id accepted. */
  accessKeyId: string;
  /** Its secret (the fake recomputes signatures with it). */
  secretAccessKey: string;
  /** The session token that must be sent (and signed) with these credentials. */
  sessionToken?: string;
  /** The region signatures must be scoped to. */
  region: string;
  /** A Bedrock API key accepted as `Authorization: Bearer …`. */
  bearerToken?: string;
  /** The fake's clock, for the 5-minute skew check (default: no check). */
  now?: () => number;
  /** Fixture case used when the request names none (default `text`). */
  scenario?: string;
  /** Delay between stream writes in ms (default 0; `slow` uses 20). */
  delayMs?: number;
  /** How to cut stream bytes into writes: per frame (default), `byte`, or a size. */
  split?: "frame" | "byte" | number;
}

interface ErrorFixture {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** A frame of a `<case>.stream.json` fixture. */
export interface StreamFrameFixture {
  /** `:event-type` of an event frame. */
  event?: string;
  /** `:exception-type` of an exception frame. */
  exception?: string;
  /** The JSON payload. */
  payload: unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec((b) => decoder.decode(b), (s) => encoder.encode(s));

/** Encode fixture frames to event-stream bytes, one `Uint8Array` per frame. */
export function encodeFrames(frames: readonly StreamFrameFixture[]): Uint8Array[] {
  return frames.map((f) => {
    const str = (value: string) => ({ type: "string" as const, value });
    const headers: Record<string, { type: "string"; value: string }> = f.exception !== undefined
      ? {
        ":exception-type": str(f.exception),
        ":content-type": str("application/json"),
        ":message-type": str("exception"),
      }
      : {
        ":event-type": str(f.event ?? "unknown"),
        ":content-type": str("application/json"),
        ":message-type": str("event"),
      };
    return codec.encode({ headers, body: encoder.encode(JSON.stringify(f.payload)) });
  });
}

/** Load `bedrock/<name>.stream.json` and encode it. */
export async function loadStreamFrames(name: string): Promise<Uint8Array[]> {
  return encodeFrames(await loadJson<StreamFrameFixture[]>(`bedrock/${name}.stream.json`));
}

/** Concatenate byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------
// SigV4, recomputed from scratch (Web Crypto), per the AWS specification.
// ---------------------------------------------------------------------------

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
}

async function hmac(key: Uint8Array | string, data: string): Promise<Uint8Array> {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const k = await crypto.subtle.importKey(
    "raw",
    raw as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(data)));
}

/** RFC 3986 encoding of every byte but the unreserved `A-Za-z0-9-_.~`. */
function uriEncode(text: string): string {
  let out = "";
  for (const byte of encoder.encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Inputs of {@linkcode referenceSigV4}. */
export interface ReferenceSigV4Input {
  /** HTTP method. */
  method: string;
  /** The path exactly as sent on the wire (already percent-encoded). */
  rawPath: string;
  /** The query string as sent (without `?`). */
  rawQuery: string;
  /** Header values by lower-case name (must hold every signed header). */
  headers: Record<string, string>;
  /** Lower-case names of the signed headers. */
  signedHeaders: string[];
  /** Body bytes. */
  body: Uint8Array | string;
  /** `X-Amz-Date` value. */
  amzDate: string;
  /** Scope region. */
  region: string;
  /** Scope service. */
  service: string;
  /** Secret access key. */
  secret: string;
}

/** What {@linkcode referenceSigV4} computes. */
export interface ReferenceSigV4Result {
  /** Canonical request. */
  canonicalRequest: string;
  /** String to sign. */
  stringToSign: string;
  /** Hex signature. */
  signature: string;
}

/**
 * SigV4 from the specification, for services other than S3: each path
 * segment URI-encoded (so a path already encoded on the wire is encoded a
 * second time), query parameters decoded, re-encoded and sorted, header
 * values trimmed with inner whitespace runs collapsed.
 */
export async function referenceSigV4(input: ReferenceSigV4Input): Promise<ReferenceSigV4Result> {
  const canonicalUri = input.rawPath.split("/").map(uriEncode).join("/") || "/";
  const params = input.rawQuery === "" ? [] : input.rawQuery.split("&").map((pair) => {
    const eq = pair.indexOf("=");
    const k = eq === -1 ? pair : pair.slice(0, eq);
    const v = eq === -1 ? "" : pair.slice(eq + 1);
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return [uriEncode(dec(k)), uriEncode(dec(v))] as const;
  });
  params.sort((
    [k1, v1],
    [k2, v2],
  ) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0));
  const canonicalQuery = params.map(([k, v]) => `${k}=${v}`).join("&");
  const names = [...input.signedHeaders].sort();
  const canonicalHeaders = names.map((n) =>
    `${n}:${(input.headers[n] ?? "").trim().replace(/\s+/g, " ")}\n`
  ).join("");
  const payloadHash = input.headers["x-amz-content-sha256"] ?? await sha256Hex(input.body);
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    names.join(";"),
    payloadHash,
  ].join("\n");
  const date = input.amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${input.amzDate}\n${scope}\n${await sha256Hex(
    canonicalRequest,
  )}`;
  const kDate = await hmac(`AWS4${input.secret}`, date);
  const kRegion = await hmac(kDate, input.region);
  const kService = await hmac(kRegion, input.service);
  const kSigning = await hmac(kService, "aws4_request");
  return {
    canonicalRequest,
    stringToSign,
    signature: hex((await hmac(kSigning, stringToSign)).buffer as ArrayBuffer),
  };
}

const AUTH_REGEXP =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^, ]+), ?Signature=([0-9a-f]{64})$/;

function awsError(status: number, type: string, message: string): Response {
  return jsonResponse(status, { message }, {
    "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
    "x-amzn-requestid": "00000000-0000-4000-8000-000000000000",
  });
}

function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

/** Check a request's authentication; a 403 response when it fails, else undefined. */
async function authenticate(
  raw: Request,
  body: Uint8Array,
  options: BedrockFakeOptions,
): Promise<Response | undefined> {
  const auth = raw.headers.get("authorization");
  if (auth === null) {
    return awsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  if (auth.startsWith("Bearer ")) {
    return options.bearerToken !== undefined && auth.slice(7) === options.bearerToken
      ? undefined
      : awsError(
        403,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      );
  }
  const m = AUTH_REGEXP.exec(auth);
  if (!m) {
    return awsError(
      403,
      "IncompleteSignatureException",
      `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${
        auth.split(" ")[0]
      }`,
    );
  }
  const [, keyId, date, region, service, signedList, signature] = m;
  if (keyId !== options.accessKeyId) {
    return awsError(
      403,
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  }
  const token = raw.headers.get("x-amz-security-token");
  if ((options.sessionToken ?? null) !== token) {
    return awsError(
      403,
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  }
  if (service !== "bedrock") {
    return awsError(
      403,
      "InvalidSignatureException",
      `Credential should be scoped to correct service: 'bedrock'.`,
    );
  }
  if (region !== options.region) {
    return awsError(
      403,
      "InvalidSignatureException",
      `Credential should be scoped to a valid region.`,
    );
  }
  const amzDate = raw.headers.get("x-amz-date") ?? "";
  if (amzDate.slice(0, 8) !== date) {
    return awsError(
      403,
      "InvalidSignatureException",
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.",
    );
  }
  const signed = signedList.split(";");
  if (!signed.includes("host") || !signed.includes("x-amz-date")) {
    return awsError(
      403,
      "InvalidSignatureException",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  if (token !== null && !signed.includes("x-amz-security-token")) {
    return awsError(403, "InvalidSignatureException", "The security token must be signed.");
  }
  if (options.now) {
    const skew = Math.abs(parseAmzDate(amzDate) - options.now());
    if (!(skew <= 5 * 60_000)) {
      return awsError(
        403,
        "InvalidSignatureException",
        `Signature expired: ${amzDate} is now earlier than the allowed window.`,
      );
    }
  }
  const url = new URL(raw.url);
  const headers: Record<string, string> = {};
  raw.headers.forEach((v, k) => (headers[k] = v));
  const expected = await referenceSigV4({
    method: raw.method,
    rawPath: url.pathname,
    rawQuery: url.search.slice(1),
    headers,
    signedHeaders: signed,
    body,
    amzDate,
    region,
    service,
    secret: options.secretAccessKey,
  });
  if (expected.signature !== signature) {
    return awsError(
      403,
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your " +
        "AWS Secret Access Key and signing method. Consult the service documentation for details." +
        `\n\nThe Canonical String for this request should have been\n'${expected.canonicalRequest}'` +
        `\n\nThe String-to-Sign should have been\n'${expected.stringToSign}'\n`,
    );
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Request validation (the checks the real Converse API makes that matter here).
// ---------------------------------------------------------------------------

class Invalid extends Error {}

function invalid(message: string): never {
  throw new Invalid(message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const REQUEST_KEYS = new Set([
  "messages",
  "system",
  "inferenceConfig",
  "toolConfig",
  "guardrailConfig",
  "additionalModelRequestFields",
  "additionalModelResponseFieldPaths",
  "promptVariables",
  "requestMetadata",
  "performanceConfig",
]);
const BLOCK_KEYS = new Set([
  "text",
  "image",
  "document",
  "video",
  "toolUse",
  "toolResult",
  "guardContent",
  "cachePoint",
  "reasoningContent",
  "citationsContent",
]);
const INFERENCE_KEYS = new Set(["maxTokens", "temperature", "topP", "stopSequences"]);

function checkConverse(body: unknown): void {
  if (!isObject(body)) {
    invalid("Malformed input request, please reformat your input and try again.");
  }
  for (const key in body) {
    if (!REQUEST_KEYS.has(key)) {
      invalid(`Malformed input request: extraneous key [${key}] is not permitted.`);
    }
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    invalid(
      "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
    );
  }
  let toolBlocks = false;
  messages.forEach((m, i) => {
    if (!isObject(m) || (m.role !== "user" && m.role !== "assistant")) {
      invalid(
        `Value at 'messages.${
          i + 1
        }.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`,
      );
    }
    if (i === 0 && m.role !== "user") {
      invalid(
        "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
      );
    }
    if (i > 0 && (messages[i - 1] as Record<string, unknown>).role === m.role) {
      invalid(
        "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.",
      );
    }
    if (!Array.isArray(m.content) || m.content.length === 0) {
      invalid(
        `The content field in the Message object at messages.${i}.content is empty. Add a ContentBlock object to the content field and try again.`,
      );
    }
    for (const block of m.content) {
      const keys = isObject(block) ? Object.keys(block) : [];
      if (keys.length !== 1 || !BLOCK_KEYS.has(keys[0])) {
        invalid(
          `Malformed input request: messages.${i}.content has an invalid ContentBlock, please reformat your input and try again.`,
        );
      }
      const b = block as Record<string, unknown>;
      if (typeof b.text === "string" && b.text.trim() === "") {
        invalid(
          "The text field in the ContentBlock object is blank. Add text to the text field, and try again.",
        );
      }
      if ("toolUse" in b || "toolResult" in b) toolBlocks = true;
    }
  });
  if (body.inferenceConfig !== undefined) {
    if (!isObject(body.inferenceConfig)) {
      invalid("Malformed input request: inferenceConfig must be an object.");
    }
    for (const key in body.inferenceConfig) {
      if (!INFERENCE_KEYS.has(key)) {
        invalid(
          `Malformed input request: extraneous key [${key}] is not permitted in inferenceConfig.`,
        );
      }
    }
  }
  if (body.toolConfig !== undefined) {
    const tc = body.toolConfig;
    if (!isObject(tc) || !Array.isArray(tc.tools) || tc.tools.length === 0) {
      invalid(
        "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
      );
    }
    for (const tool of tc.tools) {
      if (!isObject(tool) || !(isObject(tool.toolSpec) || isObject(tool.cachePoint))) {
        invalid("Malformed input request: invalid Tool, please reformat your input and try again.");
      }
      if (isObject(tool.toolSpec)) {
        const spec = tool.toolSpec;
        if (typeof spec.name !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
          invalid(
            "Value at 'toolConfig.tools.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+",
          );
        }
        if (!isObject(spec.inputSchema) || !isObject(spec.inputSchema.json)) {
          invalid("Malformed input request: toolSpec.inputSchema.json must be an object.");
        }
      }
    }
    if (tc.toolChoice !== undefined) {
      const keys = isObject(tc.toolChoice) ? Object.keys(tc.toolChoice) : [];
      if (keys.length !== 1 || !["auto", "any", "tool"].includes(keys[0])) {
        invalid("Malformed input request: invalid toolChoice.");
      }
    }
  } else if (toolBlocks) {
    invalid(
      "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
    );
  }
}

const TITAN_KEYS = new Set(["inputText", "dimensions", "normalize", "embeddingTypes"]);

function invoke(modelId: string, body: unknown): Response {
  if (modelId.includes("amazon.titan-embed")) {
    if (!isObject(body) || typeof body.inputText !== "string") {
      invalid(
        "Malformed input request: #: required key [inputText] not found, please reformat your input and try again.",
      );
    }
    for (const key in body) {
      if (!TITAN_KEYS.has(key)) {
        invalid(
          `Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.`,
        );
      }
    }
    const dims = body.dimensions ?? 1024;
    if (![256, 512, 1024].includes(dims as number)) {
      invalid(
        "Malformed input request: #/dimensions: 7 is not a valid enum value, please reformat your input and try again.",
      );
    }
    const text = body.inputText;
    return jsonResponse(200, {
      embedding: fakeVector(text, dims as number),
      inputTextTokenCount: text.split(/\s+/).filter(Boolean).length,
    });
  }
  if (modelId.includes("cohere.embed")) {
    if (!isObject(body) || !Array.isArray(body.texts) || typeof body.input_type !== "string") {
      invalid(
        "Malformed input request: #: required key [input_type] not found, please reformat your input and try again.",
      );
    }
    if (body.texts.length > 96) {
      invalid(
        "Malformed input request: #/texts: expected maximum item count: 96, found: 97, please reformat your input and try again.",
      );
    }
    const texts = body.texts as string[];
    return jsonResponse(200, {
      embeddings: texts.map((t) => fakeVector(t, 4)),
      id: "8d5f6a4e-2c3b-4d5e-9f1a-0b2c3d4e5f60",
      response_type: "embeddings_floats",
      texts,
    });
  }
  return awsError(400, "ValidationException", "The provided model identifier is invalid.");
}

/** The fake's deterministic vector for a text (also used by tests). */
export function fakeVector(text: string, dims: number): number[] {
  return Array.from({ length: dims }, (_, i) => ((text.length + i) % 10) / 10);
}

function cut(bytes: Uint8Array, split: BedrockFakeOptions["split"]): Uint8Array[] {
  const size = split === "byte" ? 1 : typeof split === "number" ? split : 0;
  if (size <= 0) return [bytes];
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

async function streamPieces(
  scenario: string,
): Promise<{ pieces: Uint8Array[]; cutAfter?: number }> {
  switch (scenario) {
    case "bad_crc": {
      const frames = await loadStreamFrames("text");
      const bad = frames[2].slice();
      bad[bad.length - 1] ^= 0xff;
      frames[2] = bad;
      return { pieces: frames };
    }
    case "bad_prelude_crc": {
      const frames = await loadStreamFrames("text");
      const bad = frames[1].slice();
      bad[9] ^= 0x01;
      frames[1] = bad;
      return { pieces: frames };
    }
    case "truncated": {
      const frames = await loadStreamFrames("text");
      return { pieces: [...frames.slice(0, 3), frames[3].slice(0, 20)] };
    }
    case "reset": {
      const frames = await loadStreamFrames("text");
      return { pieces: frames, cutAfter: 2 };
    }
    case "slow": {
      const deltas: StreamFrameFixture[] = Array.from({ length: 200 }, (_, i) => ({
        event: "contentBlockDelta",
        payload: { contentBlockIndex: 0, delta: { text: `word${i} ` } },
      }));
      return {
        pieces: encodeFrames([
          { event: "messageStart", payload: { role: "assistant" } },
          ...deltas,
          { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
          { event: "messageStop", payload: { stopReason: "end_turn" } },
        ]),
      };
    }
    default:
      return { pieces: await loadStreamFrames(scenario) };
  }
}

/**
 * The body bytes as received. The server base hands over the parsed JSON
 * (the raw text when it records one, as `text`); JSON that llmux sent with
 * `JSON.stringify` re-serialises to the same bytes.
 */
function bodyText(recorded: RecordedRequest): string {
  const raw = (recorded as RecordedRequest & { text?: unknown }).text;
  if (typeof raw === "string") return raw;
  if (typeof recorded.body === "string") return recorded.body;
  return recorded.body === undefined ? "" : JSON.stringify(recorded.body);
}

const ROUTE_REGEXP =
  /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/;

/** The keys InvokeModel accepts in an Anthropic Messages body (no `model`, no `stream`). */
const ANTHROPIC_INVOKE_KEYS = new Set([
  "anthropic_version",
  "anthropic_beta",
  "max_tokens",
  "messages",
  "system",
  "stop_sequences",
  "temperature",
  "top_p",
  "top_k",
  "tools",
  "tool_choice",
  "thinking",
  "metadata",
]);

/** Validate an Anthropic InvokeModel body as Bedrock does. */
function checkAnthropicInvoke(body: unknown): void {
  if (!isObject(body)) invalid("Malformed input request: expected a JSON object.");
  for (const key in body) {
    if (!ANTHROPIC_INVOKE_KEYS.has(key)) {
      invalid(
        `Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.`,
      );
    }
  }
  if (body.anthropic_version !== "bedrock-2023-05-31") {
    invalid(
      "Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again.",
    );
  }
  if (typeof body.max_tokens !== "number" || !Array.isArray(body.messages)) {
    invalid(
      "Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again.",
    );
  }
}

/** An Anthropic stream fixture as InvokeModelWithResponseStream frames (`chunk`, base64 `bytes`). */
async function invokeStreamPieces(scenario: string): Promise<Uint8Array[]> {
  const sse = await Deno.readTextFile(
    new URL(`../fixtures/anthropic/${scenario}.stream.sse`, import.meta.url),
  );
  const frames: StreamFrameFixture[] = [];
  for (const event of sse.split("\n\n")) {
    const data = event.split("\n").find((l) => l.startsWith("data:"))?.slice(5).trim();
    if (!data) continue;
    const bytes = btoa(String.fromCharCode(...encoder.encode(data)));
    frames.push({ event: "chunk", payload: { bytes } });
  }
  return encodeFrames(frames);
}

/** Start the fake (see the module doc). */
export function startBedrockFake(options: BedrockFakeOptions): FakeServer {
  return startFakeServer(async (recorded, raw) => {
    const bytes = encoder.encode(bodyText(recorded));
    const denied = await authenticate(raw, bytes, options);
    if (denied) return denied;
    const url = new URL(raw.url);
    const route = ROUTE_REGEXP.exec(url.pathname);
    if (raw.method !== "POST" || !route) {
      return awsError(404, "UnknownOperationException", "Unknown operation");
    }
    const modelId = decodeURIComponent(route[1]);
    const operation = route[2];
    const scenario = raw.headers.get("x-fake-scenario") ?? options.scenario ?? "text";
    try {
      const error = await loadJson<ErrorFixture>(`bedrock/${scenario}.error.json`).catch(() =>
        undefined
      );
      if (error) return jsonResponse(error.status, error.body, error.headers ?? {});
      if (operation.startsWith("invoke") && modelId.includes("anthropic.")) {
        checkAnthropicInvoke(recorded.body);
        const invokeCase = scenario === "text" ? "text" : scenario;
        if (operation === "invoke") {
          const body = await loadJson(`anthropic/${invokeCase}.response.json`);
          return jsonResponse(200, body, {
            "x-amzn-requestid": "7a1c0e6b-0000-4000-8000-000000000003",
          });
        }
        return new Response(streamBody(await invokeStreamPieces(invokeCase)), {
          headers: {
            "content-type": "application/vnd.amazon.eventstream",
            "x-amzn-requestid": "7a1c0e6b-0000-4000-8000-000000000004",
          },
        });
      }
      if (operation === "invoke") return invoke(modelId, recorded.body);
      checkConverse(recorded.body);
      if (operation === "converse") {
        const body = await loadJson(`bedrock/${scenario}.response.json`).catch(() => undefined);
        if (body === undefined) {
          return awsError(
            404,
            "ResourceNotFoundException",
            "Could not resolve the foundation model from the provided model identifier.",
          );
        }
        return jsonResponse(200, body, {
          "x-amzn-requestid": "7a1c0e6b-0000-4000-8000-000000000001",
        });
      }
      const { pieces, cutAfter } = await streamPieces(scenario).catch(() => ({
        pieces: [] as Uint8Array[],
        cutAfter: undefined,
      }));
      if (pieces.length === 0) {
        return awsError(
          404,
          "ResourceNotFoundException",
          "Could not resolve the foundation model from the provided model identifier.",
        );
      }
      const split = raw.headers.get("x-fake-split") ?? options.split;
      const writes = split === undefined || split === "frame"
        ? pieces
        : cut(concatBytes(pieces), split === "byte" ? "byte" : Number(split));
      const delayMs = scenario === "slow" ? (options.delayMs ?? 20) : options.delayMs;
      return new Response(
        streamBody(writes, {
          ...(delayMs ? { delayMs } : {}),
          ...(cutAfter === undefined ? {} : { cutAfter }),
        }),
        {
          headers: {
            "content-type": "application/vnd.amazon.eventstream",
            "x-amzn-requestid": "7a1c0e6b-0000-4000-8000-000000000002",
          },
        },
      );
    } catch (error) {
      if (error instanceof Invalid) return awsError(400, "ValidationException", error.message);
      throw error;
    }
  });
}
