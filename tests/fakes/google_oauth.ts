/**
 * A fake Google OAuth 2.0 token endpoint on 127.0.0.1 that checks token
 * requests the way `oauth2.googleapis.com/token` does:
 *
 * - JWT bearer grant (RFC 7523, service accounts): the assertion's RS256
 *   signature is verified with the test key pair's PUBLIC key, and its
 *   claims: `iss` = the account's `client_email`, `aud` = this endpoint's
 *   URL, `scope` containing cloud-platform, `iat`/`exp` present with
 *   `exp - iat` ≤ 3600 and the fake's clock inside the window, header `kid`
 *   = the key id. Failures answer 400 `invalid_grant` / `invalid_scope` with
 *   Google's descriptions.
 * - Refresh-token grant (authorized-user files): client id, secret and
 *   refresh token must match.
 *
 * Issued tokens are `ya29.fake-<n>`; `isValid(token)` tells the fake Vertex
 * endpoint which bearer tokens to accept. `exchanges()` counts every token
 * request received.
 *
 * Use {@linkcode createTestServiceAccountKey} to make a fresh RSA key pair and
 * {@linkcode serviceAccountJson} to write the key file pointing at the fake.
 *
 * @module
 */

import { exportPKCS8, generateKeyPair, jwtVerify } from "jose";
import { type FakeServer, jsonResponse, startFakeServer } from "./_server.ts";

/** The scope Vertex AI needs. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** A freshly generated RSA key pair for a test service account. */
export interface TestServiceAccountKey {
  /** PKCS#8 PEM of the private key (goes into the key file). */
  privateKeyPem: string;
  /** The public key the fake verifies with. */
  publicKey: CryptoKey;
}

/** Generate an RS256 key pair (2048-bit RSA) for a test service account. */
export async function createTestServiceAccountKey(): Promise<TestServiceAccountKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { privateKeyPem: await exportPKCS8(privateKey), publicKey };
}

/** Fields of a test key file. */
export interface ServiceAccountFields {
  /** PKCS#8 PEM private key. */
  privateKeyPem: string;
  /** Token endpoint (the fake's `tokenUri`). */
  tokenUri: string;
  /** Account e-mail (default `llmux-test@llmux-test-project.iam.gserviceaccount.com`). */
  clientEmail?: string;
  /** Key id (default `0123456789abcdef0123456789abcdef01234567`). */
  keyId?: string;
  /** Project (default `llmux-test-project`; `null` leaves it out). */
  projectId?: string | null;
}

/** Default account e-mail of test key files. */
export const TEST_CLIENT_EMAIL = "llmux-test@llmux-test-project.iam.gserviceaccount.com";
/** Default key id of test key files. */
export const TEST_KEY_ID = "0123456789abcdef0123456789abcdef01234567";
/** Default project of test key files. */
export const TEST_PROJECT_ID = "llmux-test-project";

/** A service-account key file (as JSON text) with the layout Google's console writes. */
export function serviceAccountJson(fields: ServiceAccountFields): string {
  const projectId = fields.projectId === undefined ? TEST_PROJECT_ID : fields.projectId;
  const clientEmail = fields.clientEmail ?? TEST_CLIENT_EMAIL;
  return JSON.stringify(
    {
      type: "service_account",
      ...(projectId === null ? {} : { project_id: projectId }),
      private_key_id: fields.keyId ?? TEST_KEY_ID,
      private_key: fields.privateKeyPem,
      client_email: clientEmail,
      client_id: "112233445566778899001",
      auth_uri: "https://accounts.google.com/o/oauth2/auth",
      token_uri: fields.tokenUri,
      auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${
        encodeURIComponent(clientEmail)
      }`,
      universe_domain: "googleapis.com",
    },
    null,
    2,
  );
}

/** Credentials of an authorized-user file the fake accepts. */
export interface AuthorizedUserFields {
  /** OAuth client id. */
  clientId: string;
  /** OAuth client secret. */
  clientSecret: string;
  /** Refresh token. */
  refreshToken: string;
}

/** Options of {@linkcode startGoogleOAuthFake}. */
export interface GoogleOAuthFakeOptions {
  /** Verifies assertions (the test key pair's public key). */
  publicKey: CryptoKey;
  /** Expected `iss` (default {@linkcode TEST_CLIENT_EMAIL}). */
  clientEmail?: string;
  /** Expected header `kid` (default {@linkcode TEST_KEY_ID}). */
  keyId?: string;
  /** The fake's clock for `iat`/`exp` checks (default `Date.now`). */
  now?: () => number;
  /** `expires_in` of issued tokens (default 3599). */
  expiresIn?: number;
  /** Wait this long before answering (so concurrent callers overlap). */
  delayMs?: number;
  /** Accept this authorized-user credential on the refresh-token grant. */
  authorizedUser?: AuthorizedUserFields;
}

/** A running fake token endpoint. */
export interface GoogleOAuthFake extends FakeServer {
  /** `http://127.0.0.1:<port>/token`: put it in the key file's `token_uri`. */
  tokenUri: string;
  /** How many token requests arrived (successful or not). */
  exchanges(): number;
  /** The tokens issued so far. */
  issued: ReadonlySet<string>;
  /** Whether a bearer token was issued by this fake and not revoked. */
  isValid(token: string): boolean;
  /** Revoke every token issued so far (Vertex then answers 401 to them). */
  revokeAll(): void;
}

function oauthError(status: number, error: string, description: string): Response {
  return jsonResponse(status, { error, error_description: description });
}

/** Start the fake on 127.0.0.1, port 0; `POST /token` only. */
export function startGoogleOAuthFake(options: GoogleOAuthFakeOptions): GoogleOAuthFake {
  const now = options.now ?? Date.now;
  const clientEmail = options.clientEmail ?? TEST_CLIENT_EMAIL;
  const keyId = options.keyId ?? TEST_KEY_ID;
  const issued = new Set<string>();
  const revoked = new Set<string>();
  let exchanges = 0;
  let tokenUri = "";

  async function verifyAssertion(assertion: string): Promise<Response | undefined> {
    let payload: Record<string, unknown>;
    let header: Record<string, unknown>;
    try {
      const result = await jwtVerify(assertion, options.publicKey, {
        algorithms: ["RS256"],
        currentDate: new Date(now()),
        clockTolerance: 300,
      });
      payload = result.payload as Record<string, unknown>;
      header = result.protectedHeader as Record<string, unknown>;
    } catch (error) {
      const name = (error as { code?: string }).code ?? "";
      if (name === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" || name === "ERR_JWS_INVALID") {
        return oauthError(400, "invalid_grant", "Invalid JWT Signature.");
      }
      return oauthError(
        400,
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
      );
    }
    if (header.typ !== undefined && header.typ !== "JWT") {
      return oauthError(400, "invalid_grant", "Invalid JWT header.");
    }
    if (header.kid !== keyId) {
      return oauthError(400, "invalid_grant", "Invalid grant: account not found");
    }
    if (payload.iss !== clientEmail) {
      return oauthError(400, "invalid_grant", "Invalid grant: account not found");
    }
    if (payload.aud !== tokenUri) {
      return oauthError(400, "invalid_grant", "Invalid JWT: Failed audience check.");
    }
    const scope = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
    if (!scope.includes(CLOUD_PLATFORM_SCOPE)) {
      return oauthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
    }
    const iat = payload.iat;
    const exp = payload.exp;
    const skewed = typeof iat === "number" && iat > now() / 1000 + 300;
    if (
      typeof iat !== "number" || typeof exp !== "number" || exp <= iat || exp - iat > 3600 || skewed
    ) {
      return oauthError(
        400,
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
      );
    }
    return undefined;
  }

  const server = startFakeServer(async (req, raw) => {
    const url = new URL(raw.url);
    if (req.method !== "POST" || url.pathname !== "/token") {
      return jsonResponse(404, { error: "not_found" });
    }
    exchanges++;
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      return oauthError(400, "invalid_request", "Invalid Content-Type.");
    }
    const form = new URLSearchParams(typeof req.body === "string" ? req.body : "");
    const grant = form.get("grant_type");
    if (grant === "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      const assertion = form.get("assertion");
      if (!assertion) {
        return oauthError(400, "invalid_request", "Missing required parameter: assertion");
      }
      const failure = await verifyAssertion(assertion);
      if (failure) return failure;
    } else if (grant === "refresh_token") {
      const user = options.authorizedUser;
      if (
        !user || form.get("client_id") !== user.clientId ||
        form.get("client_secret") !== user.clientSecret
      ) {
        return oauthError(401, "invalid_client", "Unauthorized");
      }
      if (form.get("refresh_token") !== user.refreshToken) {
        return oauthError(400, "invalid_grant", "Bad Request");
      }
    } else {
      return oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${grant ?? ""}`);
    }
    const token = `ya29.fake-${issued.size + 1}-${crypto.randomUUID().slice(0, 8)}`;
    issued.add(token);
    return jsonResponse(200, {
      access_token: token,
      expires_in: options.expiresIn ?? 3599,
      token_type: "Bearer",
    });
  });
  tokenUri = `${server.url}/token`;
  return Object.assign(server, {
    tokenUri,
    exchanges: () => exchanges,
    issued,
    isValid: (token: string) => issued.has(token) && !revoked.has(token),
    revokeAll: () => {
      for (const token of issued) revoked.add(token);
    },
  });
}
