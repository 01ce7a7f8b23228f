/** Shared helpers for the config tests: fixture paths and reading. */

/** The fixtures folder. */
export const FIXTURES: URL = new URL("./fixtures/", import.meta.url);

/** The repository root. */
export const ROOT: URL = new URL("../../", import.meta.url);

/** Text of `tests/config/fixtures/<name>`. */
export function readFixture(name: string): Promise<string> {
  return Deno.readTextFile(new URL(name, FIXTURES));
}

/** The path of a fixture, relative to the repository root (as `deno test` runs there). */
export function fixturePath(name: string): string {
  return `tests/config/fixtures/${name}`;
}
