/**
 * Vertex AI wire types that differ from the Gemini API and Anthropic ones:
 * Google credential files, the OAuth token response, the Claude body
 * (`anthropic_version` instead of `model`) and the `:predict` embeddings.
 *
 * @module
 */

import type { AnthropicRequest } from "../anthropic/api_types.ts";

/** A service-account key file (`"type": "service_account"`), the fields llmux uses. */
export interface GoogleServiceAccountCredentials {
  /** Always `"service_account"`. */
  type: "service_account";
  /** The account's e-mail: the JWT `iss`. */
  client_email: string;
  /** PKCS#8 RSA private key, PEM. */
  private_key: string;
  /** Key id: the JWT header `kid`. */
  private_key_id?: string;
  /** Token endpoint: the JWT `aud` and where the JWT is exchanged. */
  token_uri: string;
  /** The project the account belongs to (used when no project is configured). */
  project_id?: string;
  /** Quota project, when set. */
  quota_project_id?: string;
}

/** A user credential file written by `gcloud auth application-default login`. */
export interface GoogleAuthorizedUserCredentials {
  /** Always `"authorized_user"`. */
  type: "authorized_user";
  /** OAuth client id. */
  client_id: string;
  /** OAuth client secret. */
  client_secret: string;
  /** Long-lived refresh token. */
  refresh_token: string;
  /** Token endpoint (default `https://oauth2.googleapis.com/token`). */
  token_uri?: string;
  /** Quota project, when set (used when no project is configured). */
  quota_project_id?: string;
}

/** The Google credential kinds llmux can mint access tokens from. */
export type GoogleCredentials = GoogleServiceAccountCredentials | GoogleAuthorizedUserCredentials;

/** A successful OAuth token response. */
export interface GoogleTokenResponse {
  /** The bearer token (`ya29.…`). */
  access_token: string;
  /** Lifetime in seconds (normally 3599). */
  expires_in?: number;
  /** Always `"Bearer"`. */
  token_type?: string;
}

/** A failed OAuth token response (RFC 6749 §5.2). */
export interface GoogleTokenErrorResponse {
  /** Error code, e.g. `invalid_grant`. */
  error: string;
  /** Human-readable detail, e.g. `Invalid JWT Signature.` */
  error_description?: string;
}

/**
 * The body of Claude's `:rawPredict` / `:streamRawPredict` on Vertex: the
 * Anthropic Messages body without `model` (it is in the URL) and with
 * `anthropic_version`.
 */
export type VertexAnthropicRequest = Omit<AnthropicRequest, "model"> & {
  /** Always `"vertex-2023-10-16"`. */
  anthropic_version: string;
};

/** One instance of a text-embedding `:predict` request. */
export interface VertexEmbedInstance {
  /** The text. */
  content: string;
  /** Task type, e.g. `RETRIEVAL_DOCUMENT`, `RETRIEVAL_QUERY`. */
  task_type?: string;
  /** Document title (with `RETRIEVAL_DOCUMENT`). */
  title?: string;
}

/** The body of a text-embedding `:predict` request. */
export interface VertexEmbedRequest {
  /** One instance per input text. */
  instances: VertexEmbedInstance[];
  /** Output options. */
  parameters?: {
    /** Truncate vectors to this many dimensions. */
    outputDimensionality?: number;
    /** Truncate over-long input instead of failing (default true upstream). */
    autoTruncate?: boolean;
  };
}

/** One prediction of a text-embedding `:predict` response. */
export interface VertexEmbedPrediction {
  /** The embedding. */
  embeddings: {
    /** The vector. */
    values: number[];
    /** Token count and truncation flag. */
    statistics?: { token_count?: number; truncated?: boolean };
  };
}

/** The response of a text-embedding `:predict` request. */
export interface VertexEmbedResponse {
  /** One prediction per instance, in order. */
  predictions: VertexEmbedPrediction[];
  /** Deployed model id and billing metadata. */
  metadata?: Record<string, unknown>;
}
