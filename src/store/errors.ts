/**
 * Errors raised by the store backends.
 *
 * @module
 */

import { LLMuxError } from "../errors.ts";

/** Which unique field a conflicting write collided on. */
export type ConflictField = "token" | "key_alias" | "team_id" | "user_id" | "request_id";

/**
 * A write collided with an existing row (duplicate key hash, key alias,
 * team id or user id). Status 400 with code `conflict`, as LiteLLM answers
 * a duplicate `/key/generate` alias or `/team/new` id.
 *
 * @example
 * ```ts
 * import { StoreConflictError } from "./errors.ts";
 * const err = new StoreConflictError("key", "key_alias");
 * console.assert(err.status === 400 && err.field === "key_alias");
 * ```
 */
export class StoreConflictError extends LLMuxError {
  /** Default status of the class. */
  static override readonly defaultStatus: number = 400;
  /** Default OpenAI type of the class. */
  static override readonly defaultType: string = "invalid_request_error";

  /** The entity written: `key`, `team`, `user` or `spend log`. */
  readonly entity: string;
  /** The unique field that collided. */
  readonly field: ConflictField;

  /**
   * Create the error.
   *
   * @param entity The entity written.
   * @param field The unique field that collided.
   * @param options The underlying driver error.
   */
  constructor(entity: string, field: ConflictField, options: { cause?: unknown } = {}) {
    super(`Cannot write ${entity}: another ${entity} already has this ${field}`, {
      code: "conflict",
      param: field,
      cause: options.cause,
    });
    this.entity = entity;
    this.field = field;
  }
}
