/**
 * The gateway config: LiteLLM's proxy `config.yaml`, unchanged. `model_list`,
 * `router_settings`, `litellm_settings`, `general_settings`,
 * `environment_variables` and `credential_list`, with `os.environ/NAME`
 * resolved from an injected environment, validated (errors name the YAML
 * path), and turned into the arguments of `new Router(...)`.
 *
 * @example Load a config and build the Router
 * ```ts
 * import { parseConfig } from "./mod.ts";
 * import { Router } from "../fallback/mod.ts";
 * const loaded = parseConfig(`
 * model_list:
 *   - model_name: demo
 *     litellm_params: { model: openai/demo, mock_response: "Hello from llmux" }
 * general_settings:
 *   master_key: os.environ/LLMUX_MASTER_KEY
 * `, { env: { LLMUX_MASTER_KEY: "sk-local" } });
 * const router = new Router(loaded.router);
 * const res = await router.completion({ model: "demo", messages: [{ role: "user", content: "hi" }] });
 * console.assert(res.choices[0].message.content === "Hello from llmux");
 * console.assert(loaded.config.general_settings.master_key === "sk-local");
 * ```
 *
 * @module
 */

export { parseConfig } from "./parse.ts";
export { loadConfig } from "./load.ts";
export { ConfigError, type ConfigErrorOptions } from "./errors.ts";
export { CONFIG_ONLY_PARAMS, toRouterConfig, type ToRouterConfigOptions } from "./to_router.ts";
export {
  type ConfigPath,
  ENV_REF_PREFIX,
  envRefName,
  type MissingEnvRef,
  type ResolvedEnvRefs,
  resolveEnvRefs,
  toEnvReader,
  withConfigEnv,
} from "./env.ts";
export {
  CONFIG_KEYS,
  LITELLM_ONLY_PROVIDERS,
  type SectionKeys,
  SUPPORTED_CALLBACKS,
} from "./known_keys.ts";
export type {
  CredentialConfig,
  EnvReader,
  EnvSource,
  GatewayConfig,
  GeneralSettings,
  LitellmSettings,
  LoadConfigOptions,
  LoadedConfig,
  ParseConfigOptions,
  RouterSettings,
  UnavailableModel,
} from "./types.ts";
export type {
  AllowedFailsPolicy,
  DeploymentConfig,
  FallbackList,
  LiteLLMParams,
  ModelGroupAlias,
  ModelInfo,
  RetryPolicy,
  RouterConfig,
  RoutingStrategyName,
} from "../fallback/mod.ts";
