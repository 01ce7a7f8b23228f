/**
 * The shape of one row of the OpenAI-compatible table: how a host differs
 * from OpenAI, as typed data. Every quirk that needs code is a typed flag
 * handled once in `convert_request.ts`; rows stay data.
 *
 * @module
 */

/** OpenAI request fields a row may rename (`seed` → `random_seed` for Mistral). */
export type RenamableParam = "seed" | "user" | "max_completion_tokens";

/** How one OpenAI-compatible host differs from OpenAI. */
export interface OpenAICompatibleSpec {
  /** Default base URL, up to and including the version segment (no trailing slash). */
  readonly baseURL: string;
  /** Env vars holding the key, LiteLLM's name first (named in missing-key errors). */
  readonly apiKeyEnv: readonly string[];
  /** False for local servers that need no key (default true). */
  readonly apiKeyRequired?: boolean;
  /** Env vars that may hold the base URL, LiteLLM's name first. */
  readonly apiBaseEnv?: readonly string[];
  /** OpenAI params this host rejects (an error, or dropped with `drop_params`). */
  readonly unsupportedParams?: readonly string[];
  /** Send the output limit under this name (many hosts only know `max_tokens`). */
  readonly maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** Params sent under another name, e.g. `{ seed: "random_seed" }`. */
  readonly renameParams?: Readonly<Partial<Record<RenamableParam, string>>>;
  /** False when the host does not know the `developer` role (sent as `system`). */
  readonly developerRole?: boolean;
  /** False when the host rejects `stream_options` (usage then comes unasked or not at all). */
  readonly streamOptions?: boolean;
  /** Whether the host serves `/embeddings` (default true). */
  readonly embeddings?: boolean;
  /** Merge consecutive same-role user/assistant turns (hosts that demand strict alternation). */
  readonly mergeSameRole?: boolean;
  /** Send text-only content arrays as one string (hosts that reject content arrays). */
  readonly flattenTextContent?: boolean;
  /** False when the host rejects `name` on messages other than `tool` ones. */
  readonly messageName?: boolean;
  /** Rewrite tool-call ids into the host's required format. */
  readonly toolCallIdFormat?: "mistral";
  /** Send `tool_choice: "required"` as this value (Fireworks: `"any"`). */
  readonly requiredToolChoice?: string;
  /** Qualify bare model ids, e.g. Fireworks `llama-v3p1-8b-instruct` → `accounts/fireworks/models/…`. */
  readonly modelPrefix?: { readonly prefix: string; readonly unlessStartsWith: string };
  /** Fixed headers the host wants. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Documentation URL the base URL and key were verified against. */
  readonly docs?: string;
}
