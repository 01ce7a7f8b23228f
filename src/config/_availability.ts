/**
 * Can a deployment be served? Its model string must name a provider llmux
 * knows (an unknown prefix is a config error; a LiteLLM provider llmux has no
 * adapter for yet makes it unavailable), and a provider that needs a key must
 * have one: `litellm_params.api_key`, or one of the provider's env vars.
 * `mock_response` deployments never need keys.
 *
 * @module
 */

import { getProvider, knownProviders, resolveModel } from "../providers/registry.ts";
import type { DeploymentConfig } from "../fallback/config.ts";
import { ConfigError } from "./errors.ts";
import { LITELLM_ONLY_PROVIDERS } from "./known_keys.ts";
import type { EnvReader } from "./types.ts";
import { describeFound, formatPath } from "./_format.ts";

/** The verdict on one deployment. */
export interface DeploymentCheck {
  /** Why it cannot be served, or `undefined` when it can. */
  reason: string | undefined;
  /** A non-fatal note (e.g. the key came from the provider's default variable). */
  warning: string | undefined;
}

/**
 * Check one `model_list` entry.
 *
 * @param entry The validated, env-resolved entry.
 * @param options `index` (for paths), the env, and the variable its
 *   `api_key: os.environ/NAME` named when that one was unset.
 */
export function checkDeployment(
  entry: DeploymentConfig,
  options: { index: number; env: EnvReader; missingKeyVar: string | undefined },
): DeploymentCheck {
  const lp = entry.litellm_params;
  const model = lp.model;
  const custom = typeof lp.custom_llm_provider === "string" ? lp.custom_llm_provider : undefined;
  if (model.includes("*")) {
    return {
      reason: `wildcard model "${model}" is not supported by llmux yet`,
      warning: undefined,
    };
  }
  let provider: string;
  try {
    provider = resolveModel(model, custom).provider;
  } catch {
    const prefix = custom ?? (model.includes("/") ? model.slice(0, model.indexOf("/")) : undefined);
    if (prefix !== undefined && LITELLM_ONLY_PROVIDERS.has(prefix)) {
      return { reason: `provider "${prefix}" is not supported by llmux yet`, warning: undefined };
    }
    throw providerError(options.index, model, custom, prefix);
  }
  if (lp.mock_response !== undefined) return { reason: undefined, warning: undefined };
  const adapter = getProvider(provider);
  if (!adapter.apiKeyRequired) {
    return { reason: adapter.missingCredentials?.(lp, options.env), warning: undefined };
  }
  if (typeof lp.api_key === "string" && lp.api_key !== "") {
    return { reason: undefined, warning: undefined };
  }
  const fromEnv = adapter.apiKeyEnv.find((name) => {
    const value = options.env(name);
    return value !== undefined && value !== "";
  });
  const keyPath = formatPath(["model_list", options.index, "litellm_params", "api_key"]);
  if (fromEnv !== undefined) {
    return {
      reason: undefined,
      warning: options.missingKeyVar === undefined
        ? undefined
        : `${keyPath}: environment variable ${options.missingKeyVar} is not set; ` +
          `using ${fromEnv} instead`,
    };
  }
  const unset = (vars: readonly string[]) =>
    vars.length === 1 ? `${vars[0]} is not set` : `none of ${vars.join(", ")} is set`;
  const missing = options.missingKeyVar;
  const others = adapter.apiKeyEnv.filter((name) => name !== missing);
  let reason = `${unset(adapter.apiKeyEnv)} and litellm_params.api_key is not given`;
  if (missing !== undefined) {
    reason = `litellm_params.api_key reads ${missing}, which is not set`;
    if (others.length > 0) reason += `, and ${unset(others)}`;
  }
  return {
    reason,
    warning: undefined,
  };
}

function providerError(
  index: number,
  model: string,
  custom: string | undefined,
  prefix: string | undefined,
): ConfigError {
  const field = custom === undefined ? "model" : "custom_llm_provider";
  const path = ["model_list", index, "litellm_params", field];
  const known = knownProviders().join(", ");
  return new ConfigError({
    path: formatPath(path),
    expected: custom === undefined
      ? 'a "provider/model" string with a known provider'
      : "a known provider",
    found: describeFound(custom ?? model, path),
    note: prefix === undefined
      ? `cannot infer the provider; write it as "provider/model"; known providers: ${known}`
      : `unknown provider "${prefix}"; known providers: ${known}`,
  });
}
