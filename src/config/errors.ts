/**
 * The one error the config loader throws: {@linkcode ConfigError}, naming
 * where in the YAML the problem is, what was found and what was expected.
 *
 * @module
 */

/** What a {@linkcode ConfigError} is built from. */
export interface ConfigErrorOptions {
  /** Where in the config, e.g. `model_list[2].litellm_params.model`; `""` for the whole document. */
  path: string;
  /** What a valid value looks like, e.g. `a number`. */
  expected: string;
  /** What the config has there, e.g. `string "fast"`. */
  found: string;
  /** Extra explanation, appended in parentheses. */
  note?: string | undefined;
  /** The file name, when known (prefixed to the message). */
  source?: string | undefined;
  /** 1-based line of the offending value, when known. */
  line?: number | undefined;
  /** 1-based column of the offending value, when known. */
  column?: number | undefined;
  /** A complete message to use instead of the generated one (the prefix is still added). */
  message?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * An invalid config: bad YAML, a value of the wrong type, an unknown
 * provider, a fallback to a group that does not exist, … The message reads
 * `Invalid config at <path>: expected <expected>, found <found>`, prefixed
 * with `<source>:<line>:<column>: ` when the file name is known.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * const error = new ConfigError({
 *   path: "model_list[0].litellm_params.rpm",
 *   expected: "a number",
 *   found: 'string "fast"',
 * });
 * console.assert(
 *   error.message ===
 *     'Invalid config at model_list[0].litellm_params.rpm: expected a number, found string "fast"',
 * );
 * ```
 */
export class ConfigError extends Error {
  /** Always `"ConfigError"`. */
  override name = "ConfigError";
  /** Where in the config (`""` for the whole document). */
  readonly path: string;
  /** What a valid value looks like. */
  readonly expected: string;
  /** What the config has there. */
  readonly found: string;
  /** The file name, when known. */
  readonly source: string | undefined;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** 1-based column, when known. */
  readonly column: number | undefined;
  #body: string;

  /**
   * Build the error; the message is generated from the options.
   *
   * @param options Where, what was expected, what was found.
   */
  constructor(options: ConfigErrorOptions) {
    const body = options.message ?? formatBody(options);
    super(
      locationPrefix(options) + body,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.#body = body;
    this.path = options.path;
    this.expected = options.expected;
    this.found = options.found;
    this.source = options.source;
    this.line = options.line;
    this.column = options.column;
  }

  /**
   * The same error with the file name and position filled in where unset.
   *
   * @example
   * ```ts
   * import { ConfigError } from "./errors.ts";
   * const error = new ConfigError({ path: "model_list", expected: "a list", found: "a mapping" })
   *   .locate({ source: "config.yaml", line: 3, column: 1 });
   * console.assert(error.message.startsWith("config.yaml:3:1: Invalid config at model_list"));
   * ```
   *
   * @param where File name and 1-based position.
   */
  locate(
    where: { source?: string | undefined; line?: number | undefined; column?: number | undefined },
  ): ConfigError {
    return new ConfigError({
      path: this.path,
      expected: this.expected,
      found: this.found,
      source: this.source ?? where.source,
      line: this.line ?? where.line,
      column: this.column ?? where.column,
      message: this.#body,
      cause: this.cause,
    });
  }
}

function formatBody(options: ConfigErrorOptions): string {
  const where = options.path === "" ? "Invalid config" : `Invalid config at ${options.path}`;
  return `${where}: expected ${options.expected}, found ${options.found}` +
    (options.note ? ` (${options.note})` : "");
}

function locationPrefix(options: ConfigErrorOptions): string {
  if (options.source === undefined) return "";
  return options.line === undefined
    ? `${options.source}: `
    : `${options.source}:${options.line}:${options.column ?? 1}: `;
}
