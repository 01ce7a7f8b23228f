/**
 * SigV4 signing against AWS's published Signature Version 4 test suite
 * (`aws-sig-v4-test-suite`: credentials AKIDEXAMPLE, region us-east-1,
 * service "service", 20150830T123600Z). Each vector is checked three ways:
 * the reference implementation of the fake (Web Crypto, straight from the
 * spec) reproduces the published canonical request, string to sign and
 * signature; aws4fetch's canonicalisation as wrapped by `sigv4.ts`
 * reproduces them too; and `signAwsRequest` produces the published
 * `Authorization` header.
 */

import assert from "node:assert/strict";
import {
  deriveSigningKey,
  describeAwsSignature,
  signAwsRequest,
  SigningKeyCache,
  toAmzDate,
} from "../../src/providers/bedrock/sigv4.ts";
import { referenceSigV4 } from "../fakes/bedrock.ts";

const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const NOW = Date.UTC(2015, 7, 30, 12, 36, 0);
const AMZ_DATE = "20150830T123600Z";
const SCOPE = "20150830/us-east-1/service/aws4_request";
const EMPTY_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** The example session token of the suite's post-sts-token vectors. */
const STS_TOKEN =
  "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

interface Vector {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  sessionToken?: string;
  /** Published `.creq`. */
  creq: string;
  /** Published `.sts` (last line: hex SHA-256 of the canonical request). */
  sts: string;
  /** Published `.authz`. */
  authz: string;
}

function lines(...parts: string[]): string {
  return parts.join("\n");
}

function authz(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${SCOPE}, SignedHeaders=${signedHeaders}, ` +
    `Signature=${signature}`;
}

/** Published vectors of the AWS SigV4 test suite (`.creq`, `.sts`, `.authz`). */
const VECTORS: Vector[] = [
  {
    name: "get-vanilla",
    method: "GET",
    url: "https://example.amazonaws.com/",
    headers: {},
    body: "",
    creq: lines(
      "GET",
      "/",
      "",
      "host:example.amazonaws.com",
      `x-amz-date:${AMZ_DATE}`,
      "",
      "host;x-amz-date",
      EMPTY_HASH,
    ),
    sts: lines(
      "AWS4-HMAC-SHA256",
      AMZ_DATE,
      SCOPE,
      "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
    ),
    authz: authz(
      "host;x-amz-date",
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
  },
  {
    name: "post-vanilla",
    method: "POST",
    url: "https://example.amazonaws.com/",
    headers: {},
    body: "",
    creq: lines(
      "POST",
      "/",
      "",
      "host:example.amazonaws.com",
      `x-amz-date:${AMZ_DATE}`,
      "",
      "host;x-amz-date",
      EMPTY_HASH,
    ),
    sts: lines(
      "AWS4-HMAC-SHA256",
      AMZ_DATE,
      SCOPE,
      "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
    ),
    authz: authz(
      "host;x-amz-date",
      "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    ),
  },
  {
    name: "post-x-www-form-urlencoded",
    method: "POST",
    url: "https://example.amazonaws.com/",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "Param1=value1",
    creq: lines(
      "POST",
      "/",
      "",
      "content-type:application/x-www-form-urlencoded",
      "host:example.amazonaws.com",
      `x-amz-date:${AMZ_DATE}`,
      "",
      "content-type;host;x-amz-date",
      "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
    ),
    sts: lines(
      "AWS4-HMAC-SHA256",
      AMZ_DATE,
      SCOPE,
      "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
    ),
    authz: authz(
      "content-type;host;x-amz-date",
      "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    ),
  },
  {
    name: "get-vanilla-query-order-key-case",
    method: "GET",
    url: "https://example.amazonaws.com/?Param2=value2&Param1=value1",
    headers: {},
    body: "",
    creq: lines(
      "GET",
      "/",
      "Param1=value1&Param2=value2",
      "host:example.amazonaws.com",
      `x-amz-date:${AMZ_DATE}`,
      "",
      "host;x-amz-date",
      EMPTY_HASH,
    ),
    sts: lines(
      "AWS4-HMAC-SHA256",
      AMZ_DATE,
      SCOPE,
      "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
    ),
    authz: authz(
      "host;x-amz-date",
      "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ),
  },
  {
    name: "post-sts-token/post-sts-header-before",
    method: "POST",
    url: "https://example.amazonaws.com/",
    headers: {},
    body: "",
    sessionToken: STS_TOKEN,
    creq: lines(
      "POST",
      "/",
      "",
      "host:example.amazonaws.com",
      `x-amz-date:${AMZ_DATE}`,
      `x-amz-security-token:${STS_TOKEN}`,
      "",
      "host;x-amz-date;x-amz-security-token",
      EMPTY_HASH,
    ),
    sts: lines(
      "AWS4-HMAC-SHA256",
      AMZ_DATE,
      SCOPE,
      "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
    ),
    authz: authz(
      "host;x-amz-date;x-amz-security-token",
      "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
    ),
  },
];

function options(v: Vector) {
  return {
    credentials: { ...CREDENTIALS, ...(v.sessionToken ? { sessionToken: v.sessionToken } : {}) },
    region: "us-east-1",
    service: "service",
    now: NOW,
  };
}

for (const v of VECTORS) {
  Deno.test(`the fake's reference SigV4 reproduces the published ${v.name} vector`, async () => {
    const url = new URL(v.url);
    const headers: Record<string, string> = { host: url.host, "x-amz-date": AMZ_DATE };
    for (const [k, val] of Object.entries(v.headers)) headers[k.toLowerCase()] = val;
    if (v.sessionToken) headers["x-amz-security-token"] = v.sessionToken;
    const ref = await referenceSigV4({
      method: v.method,
      rawPath: url.pathname,
      rawQuery: url.search.slice(1),
      headers,
      signedHeaders: Object.keys(headers),
      body: v.body,
      amzDate: AMZ_DATE,
      region: "us-east-1",
      service: "service",
      secret: CREDENTIALS.secretAccessKey,
    });
    assert.equal(ref.canonicalRequest, v.creq);
    assert.equal(ref.stringToSign, v.sts);
    assert.ok(v.authz.endsWith(`Signature=${ref.signature}`));
  });

  Deno.test(`describeAwsSignature() (aws4fetch) reproduces the published ${v.name} vector`, async () => {
    const d = await describeAwsSignature(
      { method: v.method, url: v.url, headers: v.headers, body: v.body },
      options(v),
    );
    assert.equal(d.canonicalRequest, v.creq);
    assert.equal(d.stringToSign, v.sts);
    assert.equal(d.authorization, v.authz);
  });

  Deno.test(`signAwsRequest() produces the published ${v.name} Authorization header`, async () => {
    const headers = await signAwsRequest(
      { method: v.method, url: v.url, headers: v.headers, body: v.body },
      options(v),
    );
    assert.equal(headers.authorization, v.authz);
    assert.equal(headers["x-amz-date"], AMZ_DATE);
    assert.equal(headers["x-amz-security-token"], v.sessionToken);
    assert.equal(headers.host, undefined, "the HTTP client sets Host");
  });
}

Deno.test("deriveSigningKey() matches AWS's documented signing-key example", () => {
  // AWS General Reference, "Derive a signing key": iam, us-east-1, 20150830.
  const key = deriveSigningKey(CREDENTIALS.secretAccessKey, "20150830", "us-east-1", "iam");
  assert.equal(
    Array.from(key, (b) => b.toString(16).padStart(2, "0")).join(""),
    "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
  );
});

Deno.test("signAwsRequest() signs a Bedrock Converse call like botocore", async () => {
  // Reproducible with botocore's SigV4Auth (same credentials and time): the
  // model id's ':' is sent as %3A and double-encoded (%253A) in the canonical URI.
  const request = {
    method: "POST",
    url:
      "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
    headers: { "Content-Type": "application/json" },
    body: '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}',
  };
  const opts = { credentials: CREDENTIALS, region: "us-east-1", service: "bedrock", now: NOW };
  const d = await describeAwsSignature(request, opts);
  assert.equal(
    d.canonicalRequest.split("\n")[1],
    "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse",
  );
  assert.equal(d.signedHeaders, "content-type;host;x-amz-date");
  assert.ok(
    d.stringToSign.endsWith("70063920c38a0ff3e5f2d03983179e180c93a3c260cbe8f3e4d844bf97c892a0"),
  );
  assert.equal(d.signature, "b2d89376425920647b8197be6560da5f53c4d9cc5ac66b56efafa43ba66c9022");
  const withHash = await describeAwsSignature({
    ...request,
    headers: {
      ...request.headers,
      "x-amz-content-sha256": "c3335e07d6e89650bf94cb98664be69f8774dbc3198df221f113db0a59ea14f0",
    },
  }, opts);
  assert.equal(withHash.signedHeaders, "content-type;host;x-amz-content-sha256;x-amz-date");
  assert.equal(
    withHash.signature,
    "ed1c6b01620d52209196b50b4b30a706b6dc7fb7fd2f7763b4136033874dd4e5",
  );
});

Deno.test("signAwsRequest() leaves hop-by-hop headers unsigned and keeps them", async () => {
  const headers = await signAwsRequest({
    method: "POST",
    url: "https://example.amazonaws.com/",
    headers: {
      "User-Agent": "llmux",
      "Content-Length": "2",
      "X-Custom": " a   b ",
      Host: "ignored",
    },
    body: "{}",
  }, { credentials: CREDENTIALS, region: "us-east-1", service: "service", now: NOW });
  assert.match(headers.authorization, /SignedHeaders=host;x-amz-date;x-custom,/);
  assert.equal(headers["user-agent"], "llmux");
  assert.equal(headers["content-length"], "2");
  assert.equal(headers["x-custom"], " a   b ");
});

Deno.test("signAwsRequest() agrees with the reference on many request shapes", async () => {
  const bodies = ["", "{}", '{"text":"héllo ✓"}', "x".repeat(5000)];
  const paths = [
    "/",
    "/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse-stream",
    "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.meta.llama3-1-8b-instruct-v1%3A0/converse",
  ];
  for (const body of bodies) {
    for (const path of paths) {
      const url = `https://bedrock-runtime.us-east-1.amazonaws.com${path}`;
      const sessionToken = body === "{}" ? STS_TOKEN : undefined;
      const headers = await signAwsRequest(
        {
          method: "POST",
          url,
          headers: { "content-type": "application/json", accept: "*/*" },
          body,
        },
        {
          credentials: { ...CREDENTIALS, sessionToken },
          region: "eu-west-3",
          service: "bedrock",
          now: NOW,
        },
      );
      const m = /SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(headers.authorization)!;
      const all: Record<string, string> = { ...headers, host: new URL(url).host };
      const ref = await referenceSigV4({
        method: "POST",
        rawPath: path,
        rawQuery: "",
        headers: all,
        signedHeaders: m[1].split(";"),
        body,
        amzDate: AMZ_DATE,
        region: "eu-west-3",
        service: "bedrock",
        secret: CREDENTIALS.secretAccessKey,
      });
      assert.equal(m[2], ref.signature, `${path} with a ${body.length}-byte body`);
    }
  }
});

Deno.test("SigningKeyCache derives once per scope and evicts the oldest", () => {
  const cache = new SigningKeyCache(2);
  const a = cache.get("s", "20150830", "us-east-1", "bedrock");
  assert.equal(cache.get("s", "20150830", "us-east-1", "bedrock"), a);
  cache.get("s", "20150831", "us-east-1", "bedrock");
  cache.get("s", "20150901", "us-east-1", "bedrock");
  assert.notEqual(cache.get("s", "20150830", "us-east-1", "bedrock"), a);
  assert.deepEqual(a, deriveSigningKey("s", "20150830", "us-east-1", "bedrock"));
});

Deno.test("toAmzDate() formats UTC basic ISO-8601", () => {
  assert.equal(toAmzDate(NOW), AMZ_DATE);
  assert.equal(toAmzDate(1730000000000), "20241027T033320Z");
});
