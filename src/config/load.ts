/**
 * `loadConfig(path, { env })`: read a LiteLLM-format `config.yaml` and parse
 * it with {@linkcode parseConfig}; messages name the file, line and column.
 *
 * @module
 */

import { ConfigError } from "./errors.ts";
import { parseConfig } from "./parse.ts";
import type { LoadConfigOptions, LoadedConfig } from "./types.ts";

/**
 * Read and parse a config file. A file that cannot be read is a
 * {@linkcode ConfigError} too, so callers handle one error type.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./load.ts";
 * const files: Record<string, string> = {
 *   "gateway.yaml": "model_list:\n  - model_name: demo\n    litellm_params: { model: openai/demo, mock_response: hi }\n",
 * };
 * const loaded = await loadConfig("gateway.yaml", {
 *   env: {},
 *   readTextFile: (path) => Promise.resolve(files[path]),
 * });
 * console.assert(loaded.router.model_list[0].model_name === "demo");
 * ```
 *
 * @param path The file to read.
 * @param options The environment; optionally the file reader.
 */
export async function loadConfig(path: string, options: LoadConfigOptions): Promise<LoadedConfig> {
  const read = options.readTextFile ?? Deno.readTextFile;
  let text: string;
  try {
    text = await read(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError({
      path: "",
      expected: "a readable YAML file",
      found: reason,
      message: `Cannot read config file "${path}": ${reason}`,
      cause: error,
    });
  }
  return parseConfig(text, { env: options.env, source: path });
}
