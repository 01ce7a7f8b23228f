/**
 * Pick and open the {@linkcode Store} backend named by
 * `general_settings.database_url`.
 *
 * @module
 */

import type { Migration } from "./migrations/types.ts";
import { openSqliteStore } from "./sqlite.ts";
import type { Store } from "./types.ts";

/** Where the state lives, from {@linkcode parseDatabaseUrl}. */
export type DatabaseTarget =
  | {
    /** Embedded SQLite. */
    readonly kind: "sqlite";
    /** File path (relative to the working directory, or absolute), or `:memory:`. */
    readonly path: string;
  }
  | {
    /** PostgreSQL. */
    readonly kind: "postgres";
    /** The URL, unchanged. */
    readonly url: string;
  };

/** The SQLite file used when no `database_url` is configured. */
export const DEFAULT_SQLITE_PATH = "./llmux.db";

/**
 * Parse a `database_url`:
 *
 * | value                          | backend                        |
 * | ------------------------------ | ------------------------------ |
 * | absent (`undefined`)           | SQLite file `./llmux.db`       |
 * | `sqlite:///abs/path.db`        | SQLite file `/abs/path.db`     |
 * | `sqlite://rel/path.db`         | SQLite file `rel/path.db`      |
 * | `sqlite::memory:`, `:memory:`  | in-memory SQLite (tests)       |
 * | `postgres://…`, `postgresql://…` | PostgreSQL                   |
 *
 * @param url The configured URL, or undefined.
 * @returns The backend and its location.
 * @throws {TypeError} On anything else (an empty string included), without
 * echoing the URL (it may hold a password).
 *
 * @example
 * ```ts
 * import { parseDatabaseUrl } from "./open.ts";
 * console.assert(parseDatabaseUrl(undefined).kind === "sqlite");
 * const target = parseDatabaseUrl("sqlite:///var/lib/llmux/state.db");
 * console.assert(target.kind === "sqlite" && target.path === "/var/lib/llmux/state.db");
 * console.assert(parseDatabaseUrl("postgresql://u:p@db/llmux").kind === "postgres");
 * ```
 */
export function parseDatabaseUrl(url: string | undefined): DatabaseTarget {
  if (url === undefined) return { kind: "sqlite", path: DEFAULT_SQLITE_PATH };
  const text = url.trim();
  if (text === ":memory:" || text === "sqlite::memory:" || text === "sqlite://:memory:") {
    return { kind: "sqlite", path: ":memory:" };
  }
  if (/^postgres(ql)?:\/\//i.test(text)) return { kind: "postgres", url: text };
  if (/^sqlite:\/\//i.test(text)) {
    const rest = text.slice("sqlite://".length);
    // `sqlite:///abs` leaves "/abs"; `sqlite://rel` leaves "rel".
    if (rest === "" || rest === "/") {
      throw new TypeError("Cannot open database: the sqlite:// URL names no file");
    }
    return { kind: "sqlite", path: decodeURIComponent(rest) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1];
  throw new TypeError(
    `Cannot open database: unsupported database_url${
      scheme === undefined ? "" : ` scheme "${scheme}:"`
    }; use sqlite:///absolute/path.db, sqlite://relative/path.db, sqlite::memory:, ` +
      "postgres://… or postgresql://…",
  );
}

/** Options of {@linkcode openStore}. */
export interface OpenStoreOptions {
  /** Clock for `created_at` / `updated_at` (default `() => new Date()`). */
  now?: () => Date;
  /** Run migrations on open (default true). */
  migrate?: boolean;
  /** SQLite: how long a write waits for another process's lock, ms (default 5000). */
  busyTimeoutMs?: number;
  /** PostgreSQL: schema for the tables (default the URL's `?schema=`, else `public`). */
  schema?: string;
  /** PostgreSQL: most pooled connections (default 10). */
  maxConnections?: number;
  /** Schema versions to apply instead of the built-in ones (tests). */
  migrations?: readonly Migration[];
}

/**
 * Open the store named by `general_settings.database_url` (see
 * {@linkcode parseDatabaseUrl}) and migrate it.
 *
 * @param url The configured `database_url`, or undefined for `./llmux.db`.
 * @param options Clock, migration and backend options.
 * @returns The open, migrated store.
 *
 * @example
 * ```ts
 * import { openStore } from "./open.ts";
 * const store = await openStore("sqlite::memory:");
 * console.assert(store.kind === "sqlite");
 * await store.close();
 * ```
 */
export async function openStore(
  url: string | undefined,
  options: OpenStoreOptions = {},
): Promise<Store> {
  const target = parseDatabaseUrl(url);
  return target.kind === "sqlite"
    ? await openSqliteStore(target.path, options)
    // Loaded only when configured: the postgres driver costs ≈ 20 ms of every cold start.
    : await (await import("./postgres.ts")).openPostgresStore(target.url, options);
}
