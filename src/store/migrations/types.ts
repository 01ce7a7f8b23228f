/**
 * The shape of a schema migration.
 *
 * @module
 */

/** One schema version: applied once, in order, inside a transaction. */
export interface Migration {
  /** Version number, 1-based, strictly increasing. */
  readonly version: number;
  /** Short description, recorded in `llmux_migrations`. */
  readonly name: string;
  /** The DDL, one or more statements. */
  readonly sql: string;
}
