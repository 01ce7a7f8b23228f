/**
 * AWS Signature Version 4 for requests to AWS services, as a thin wrapper
 * over `aws4fetch`'s {@linkcode AwsV4Signer}.
 *
 * The canonical request (path double-encoding, header trimming and sorting,
 * query sorting, credential scope) is aws4fetch's. Only the hashing is
 * swapped: aws4fetch hashes with Web Crypto, whose every call is an
 * asynchronous hop in Deno (four of them per signature, 30–250 µs in all);
 * here SHA-256 and HMAC-SHA256 run synchronously through `node:crypto`, and
 * the day's signing key (`kSigning`) is cached, so one signature costs about
 * 20 µs.
 *
 * Which headers are signed: all the request's headers except the few that
 * HTTP clients and proxies may rewrite ({@linkcode SIGV4_UNSIGNED_HEADERS}).
 * Unlike aws4fetch's default this signs `content-type`, as botocore does;
 * `host` and `x-amz-date` (and `x-amz-security-token` with temporary
 * credentials) are always signed.
 *
 * @module
 */

import { AwsV4Signer } from "aws4fetch";
import { createHash, createHmac } from "node:crypto";

/** Long-lived or temporary AWS credentials. */
export interface AwsCredentials {
  /** Access key id (`AKIA…`, or `ASIA…` for temporary credentials). */
  readonly accessKeyId: string;
  /** Secret access key; never sent, only used to derive the signing key. */
  readonly secretAccessKey: string;
  /** Session token of temporary credentials (sent as `x-amz-security-token`). */
  readonly sessionToken?: string | undefined;
}

/** A request to sign. */
export interface AwsRequestToSign {
  /** HTTP method. */
  readonly method: string;
  /** Absolute URL, path already percent-encoded as it will be sent. */
  readonly url: string;
  /** Request headers (any case). */
  readonly headers: Readonly<Record<string, string>>;
  /** Body text (hashed as UTF-8); absent or empty for none. */
  readonly body?: string | undefined;
}

/** Options of {@linkcode signAwsRequest}. */
export interface SigV4Options {
  /** The credentials. */
  readonly credentials: AwsCredentials;
  /** Region of the credential scope, e.g. `us-east-1`. */
  readonly region: string;
  /** Signing name of the service, e.g. `bedrock`. */
  readonly service: string;
  /** Signing time in ms since the epoch (default `Date.now()`). */
  readonly now?: number;
  /** Cache of derived signing keys (default: one shared by the process). */
  readonly keyCache?: SigningKeyCache;
}

/** The pieces of a signature, for tests and debugging. */
export interface AwsSignatureDetails {
  /** The canonical request (task 1 of the spec). */
  canonicalRequest: string;
  /** The string to sign (task 2). */
  stringToSign: string;
  /** The hex signature (task 3). */
  signature: string;
  /** The `Authorization` header value. */
  authorization: string;
  /** The lower-case names of the signed headers, `;`-joined. */
  signedHeaders: string;
}

/** Headers left out of the signature: hop-by-hop or rewritten on the way. */
export const SIGV4_UNSIGNED_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "connection",
  "content-length",
  "expect",
  "keep-alive",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "x-amzn-trace-id",
  "accept-encoding",
]);

/**
 * A small bounded cache of derived signing keys. A key is valid for one
 * (secret, day, region, service), so a handful of entries serve a process.
 */
export class SigningKeyCache {
  #entries = new Map<string, Uint8Array>();
  #max: number;

  /**
   * Create a cache.
   *
   * @param max Entries kept before the oldest is dropped.
   */
  constructor(max = 32) {
    this.#max = max;
  }

  /** The signing key for a scope, derived once per (secret, day, region, service). */
  get(secret: string, date: string, region: string, service: string): Uint8Array {
    // The cache key is a hash, so no secret sits in the map's keys.
    const id = createHash("sha256").update(`${secret}\n${date}\n${region}\n${service}`).digest(
      "base64",
    );
    let key = this.#entries.get(id);
    if (key === undefined) {
      key = deriveSigningKey(secret, date, region, service);
      if (this.#entries.size >= this.#max) {
        this.#entries.delete(this.#entries.keys().next().value!);
      }
      this.#entries.set(id, key);
    }
    return key;
  }
}

const DEFAULT_KEY_CACHE = new SigningKeyCache();

/**
 * Derive the SigV4 signing key: `HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date),
 * region), service), "aws4_request")`.
 *
 * @example
 * ```ts
 * import { deriveSigningKey } from "./sigv4.ts";
 * const key = deriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
 * console.assert(key.length === 32);
 * ```
 */
export function deriveSigningKey(
  secret: string,
  date: string,
  region: string,
  service: string,
): Uint8Array {
  const kDate = createHmac("sha256", `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac("sha256", kDate).update(region).digest();
  const kService = createHmac("sha256", kRegion).update(service).digest();
  return new Uint8Array(createHmac("sha256", kService).update("aws4_request").digest());
}

/**
 * `YYYYMMDD'T'HHMMSS'Z'` for a time in ms (the `X-Amz-Date` format).
 *
 * @example
 * ```ts
 * import { toAmzDate } from "./sigv4.ts";
 * console.assert(toAmzDate(Date.UTC(2015, 7, 30, 12, 36)) === "20150830T123600Z");
 * ```
 */
export function toAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, "");
}

/** aws4fetch's signer with synchronous hashing and a shared key cache. */
class FastSigner extends AwsV4Signer {
  #keys: SigningKeyCache;
  #bodyText: string;

  constructor(
    init: ConstructorParameters<typeof AwsV4Signer>[0],
    keys: SigningKeyCache,
    bodyText: string,
  ) {
    super(init);
    this.#keys = keys;
    this.#bodyText = bodyText;
  }

  override hexBodyHash(): Promise<string> {
    const declared = this.headers.get("x-amz-content-sha256");
    return Promise.resolve(
      declared ?? createHash("sha256").update(this.#bodyText).digest("hex"),
    );
  }

  override async stringToSign(): Promise<string> {
    const canonical = await this.canonicalString();
    return `AWS4-HMAC-SHA256\n${this.datetime}\n${this.credentialString}\n${
      createHash("sha256").update(canonical).digest("hex")
    }`;
  }

  override async signature(): Promise<string> {
    const key = this.#keys.get(
      this.secretAccessKey,
      this.datetime.slice(0, 8),
      this.region,
      this.service,
    );
    return createHmac("sha256", key).update(await this.stringToSign()).digest("hex");
  }
}

function createSigner(request: AwsRequestToSign, options: SigV4Options): FastSigner {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (!SIGV4_UNSIGNED_HEADERS.has(lower) && lower !== "host") headers[lower] = value;
  }
  const body = request.body ?? "";
  return new FastSigner(
    {
      method: request.method,
      url: request.url,
      headers,
      body: body === "" ? null : body,
      accessKeyId: options.credentials.accessKeyId,
      secretAccessKey: options.credentials.secretAccessKey,
      ...(options.credentials.sessionToken
        ? { sessionToken: options.credentials.sessionToken }
        : {}),
      service: options.service,
      region: options.region,
      datetime: toAmzDate(options.now ?? Date.now()),
      allHeaders: true,
    },
    options.keyCache ?? DEFAULT_KEY_CACHE,
    body,
  );
}

/**
 * Sign a request: returns its headers plus `authorization`, `x-amz-date`
 * and, with temporary credentials, `x-amz-security-token` (lower-case
 * names; the caller's unsigned headers are kept as they were).
 *
 * @example
 * ```ts
 * import { signAwsRequest } from "./sigv4.ts";
 * const headers = await signAwsRequest(
 *   { method: "GET", url: "https://example.amazonaws.com/", headers: {} },
 *   {
 *     credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
 *     region: "us-east-1", service: "service", now: Date.UTC(2015, 7, 30, 12, 36),
 *   },
 * );
 * console.assert(headers.authorization.endsWith(
 *   "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
 * ));
 * ```
 */
export async function signAwsRequest(
  request: AwsRequestToSign,
  options: SigV4Options,
): Promise<Record<string, string>> {
  const signer = createSigner(request, options);
  const authorization = await signer.authHeader();
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (lower !== "authorization" && lower !== "host") out[lower] = value;
  }
  out["x-amz-date"] = signer.datetime;
  if (options.credentials.sessionToken) {
    out["x-amz-security-token"] = options.credentials.sessionToken;
  }
  out.authorization = authorization;
  return out;
}

/**
 * The canonical request, string to sign and signature of a request, as
 * {@linkcode signAwsRequest} would sign it (for tests and debugging).
 *
 * @example
 * ```ts
 * import { describeAwsSignature } from "./sigv4.ts";
 * const d = await describeAwsSignature(
 *   { method: "GET", url: "https://example.amazonaws.com/", headers: {} },
 *   {
 *     credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
 *     region: "us-east-1", service: "service", now: Date.UTC(2015, 7, 30, 12, 36),
 *   },
 * );
 * console.assert(d.signedHeaders === "host;x-amz-date");
 * ```
 */
export async function describeAwsSignature(
  request: AwsRequestToSign,
  options: SigV4Options,
): Promise<AwsSignatureDetails> {
  const signer = createSigner(request, options);
  return {
    canonicalRequest: await signer.canonicalString(),
    stringToSign: await signer.stringToSign(),
    signature: await signer.signature(),
    authorization: await signer.authHeader(),
    signedHeaders: signer.signedHeaders,
  };
}
