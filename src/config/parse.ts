/**
 * `parseConfig(text, { env })`: a LiteLLM proxy `config.yaml` → a validated
 * {@linkcode GatewayConfig} plus the Router's arguments. Pure: the environment
 * is injected, nothing is printed (warnings are returned), nothing is read.
 *
 * @module
 */

import { Router } from "../fallback/router.ts";
import { deploymentId } from "../fallback/deployment.ts";
import type { DeploymentConfig } from "../fallback/config.ts";
import { ConfigError } from "./errors.ts";
import {
  type ConfigPath,
  isMapping,
  type MissingEnvRef,
  resolveEnvRefs,
  toEnvReader,
  withConfigEnv,
} from "./env.ts";
import type {
  EnvReader,
  GatewayConfig,
  LoadedConfig,
  ParseConfigOptions,
  UnavailableModel,
} from "./types.ts";
import { parseYaml, type YamlDocument } from "./_yaml.ts";
import { validateConfig } from "./_schema.ts";
import { keyWarnings } from "./_warnings.ts";
import { checkDeployment } from "./_availability.ts";
import { applyCredentials, checkGroups, checkUniqueIds } from "./_semantics.ts";
import { describeFound, formatPath, parsePath } from "./_format.ts";
import { toRouterConfig } from "./to_router.ts";

/** Where LiteLLM looks for the master key when `general_settings.master_key` is absent. */
const MASTER_KEY_ENV = "LITELLM_MASTER_KEY";

/**
 * Parse and validate a LiteLLM-format config.
 *
 * - `os.environ/NAME` anywhere is read from `options.env`, with the file's
 *   `environment_variables` filling names the environment leaves unset. An
 *   unset variable in `litellm_params.api_key` makes that deployment
 *   unavailable unless the provider's own key variable is set; in
 *   `general_settings.master_key` it is an error (llmux never starts open when
 *   told to require a key); anywhere else the value is treated as unset, with
 *   a warning.
 * - Invalid values, unknown providers, duplicate ids, fallbacks to groups that
 *   do not exist, bad YAML: a {@linkcode ConfigError} naming the path (and,
 *   with `source`, the file, line and column).
 * - Keys LiteLLM documents that llmux does not implement, and unknown keys,
 *   are warnings.
 * - Deployments that cannot be served (missing key, a provider llmux lacks, a
 *   wildcard model) are listed in `unavailable` and left out of `router`; if
 *   none is left, that is a {@linkcode ConfigError}.
 *
 * @example A demo config served by the mock provider, no keys needed
 * ```ts
 * import { parseConfig } from "./parse.ts";
 * const { config, router, warnings, unavailable } = parseConfig(`
 * model_list:
 *   - model_name: demo
 *     litellm_params: { model: openai/demo, mock_response: "Hello!" }
 *   - model_name: gpt
 *     litellm_params: { model: openai/gpt-4o-mini, api_key: os.environ/OPENAI_API_KEY }
 * litellm_settings: { num_retries: 3, request_timeout: 30 }
 * router_settings: { num_retries: 1 }
 * `, { env: {} });
 * console.assert(config.model_list.length === 2 && router.model_list.length === 1);
 * console.assert(router.num_retries === 1 && router.timeout === 30);
 * console.assert(unavailable[0].reason.includes("OPENAI_API_KEY"));
 * console.assert(warnings.length === 0);
 * ```
 *
 * @param text The YAML text.
 * @param options The environment, and the file name for messages.
 */
export function parseConfig(text: string, options: ParseConfigOptions): LoadedConfig {
  let doc: YamlDocument | undefined;
  try {
    doc = parseYaml(text);
    return build(doc.value, toEnvReader(options.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const path = parsePath(error.path);
    const pos = error.line === undefined && doc !== undefined && path !== undefined
      ? doc.locate(path)
      : undefined;
    const source = options.source;
    if (source === undefined && pos === undefined) throw error;
    throw error.locate({ source, line: pos?.line, column: pos?.column });
  }
}

function rootError(value: unknown): ConfigError {
  const empty = value === undefined || value === null ||
    (isMapping(value) && Object.keys(value).length === 0);
  return new ConfigError({
    path: "",
    expected: "a mapping with a model_list",
    found: empty ? "an empty document" : describeFound(value),
  });
}

function build(raw: unknown, baseEnv: EnvReader): LoadedConfig {
  if (!isMapping(raw) || Object.keys(raw).length === 0) throw rootError(raw);
  const warnings: string[] = [];

  // 1. environment_variables, resolved against the process environment.
  const configEnv: Record<string, string> = {};
  let envSection = raw.environment_variables;
  if (isMapping(envSection)) {
    const resolved = resolveEnvRefs(envSection, baseEnv);
    for (const m of resolved.missing) {
      warnings.push(missingWarning(["environment_variables", ...m.path], m));
    }
    envSection = resolved.value;
    for (const [name, value] of Object.entries(envSection as Record<string, unknown>)) {
      if (["string", "number", "boolean"].includes(typeof value)) configEnv[name] = String(value);
    }
  }
  const env = withConfigEnv(baseEnv, configEnv);

  // 2. os.environ/NAME everywhere else.
  const { environment_variables: _, ...rest } = raw;
  const resolved = resolveEnvRefs(rest, env);
  const tree = resolved.value as Record<string, unknown>;
  if (envSection !== undefined) tree.environment_variables = envSection;
  const missingKeys = new Map<number, string>();
  for (const m of resolved.missing) {
    const [section, index, params, field] = m.path;
    if (section === "general_settings" && index === "master_key" && m.path.length === 2) {
      throw new ConfigError({
        path: "general_settings.master_key",
        expected: `environment variable ${m.name} to be set`,
        found: "it unset",
        note: "llmux does not start without the master key it was told to require",
      });
    }
    if (
      section === "model_list" && typeof index === "number" && params === "litellm_params" &&
      field === "api_key" && m.path.length === 4
    ) {
      missingKeys.set(index, m.name);
    } else {
      warnings.push(missingWarning(m.path, m));
    }
  }

  // 3. Unknown keys, shared credentials, then the schema.
  warnings.push(...keyWarnings(raw));
  const fromCredential = applyCredentials(tree);
  for (const [i, j] of fromCredential) {
    const missing = resolved.missing.find((m) =>
      m.path[0] === "credential_list" && m.path[1] === j && m.path[2] === "credential_values" &&
      m.path[3] === "api_key"
    );
    if (missing !== undefined) missingKeys.set(i, missing.name);
  }
  const config: GatewayConfig = validateConfig(tree);
  if (config.general_settings.master_key === undefined) {
    const fromEnv = env(MASTER_KEY_ENV);
    if (fromEnv) config.general_settings.master_key = fromEnv;
  }

  // 4. What can be served.
  const available: DeploymentConfig[] = [];
  const availableIndex: number[] = [];
  const unavailable: UnavailableModel[] = [];
  config.model_list.forEach((entry, index) => {
    const check = checkDeployment(entry, { index, env, missingKeyVar: missingKeys.get(index) });
    if (check.warning !== undefined) warnings.push(check.warning);
    if (check.reason === undefined) {
      available.push(entry);
      availableIndex.push(index);
    } else {
      unavailable.push({
        model_name: entry.model_name,
        model: entry.litellm_params.model,
        reason: check.reason,
      });
    }
  });
  checkUniqueIds(config);
  checkGroups(config);
  if (available.length === 0) {
    throw new ConfigError({
      path: "model_list",
      expected: "at least one model llmux can serve",
      found: "none",
      note: unavailable.map((u) => `${u.model_name}: ${u.reason}`).join("; "),
    });
  }

  // 5. The Router's arguments (identical deployments once); the Router itself is the last check.
  const router = toRouterConfig(config, { modelList: available });
  const seen = new Map<string, number>();
  router.model_list = router.model_list.filter((deployment, k) => {
    const id = deploymentId(deployment);
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, availableIndex[k]!);
      return true;
    }
    warnings.push(
      `model_list[${availableIndex[k]}]: the same deployment as model_list[${first}]; ignored`,
    );
    return false;
  });
  try {
    new Router(router);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new ConfigError({
      path: "",
      expected: "settings the Router accepts",
      found: "a conflict",
      message: error.message,
      cause: error,
    });
  }
  return { config, router, env: configEnv, warnings, unavailable };
}

function missingWarning(path: ConfigPath, ref: MissingEnvRef): string {
  return `${formatPath(path)}: environment variable ${ref.name} is not set; treated as unset`;
}
