/**
 * Fixture helpers: load JSON and raw stream fixtures, re-chunk bytes.
 *
 * @module
 */

const ROOT = new URL("./fixtures/", import.meta.url);

/** Load `tests/fixtures/<path>` as JSON. */
export async function loadJson<T = unknown>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(new URL(path, ROOT))) as T;
}

/** Load `tests/fixtures/<path>` as text, verbatim (CRLF kept). */
export function loadText(path: string): Promise<string> {
  return Deno.readTextFile(new URL(path, ROOT));
}

/** Split bytes into pieces of the given sizes (cycled); `[1]` gives one byte at a time. */
export function rechunk(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  let i = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, sizes[i++ % sizes.length]);
    out.push(bytes.slice(offset, offset + size));
    offset += size;
  }
  return out;
}

/** Seeded pseudo-random sizes (mulberry32), for fragmented-input tests. */
export function randomSizes(seed: number, count: number, max: number): number[] {
  let a = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push(1 + (((t ^ (t >>> 14)) >>> 0) % max));
  }
  return out;
}

/** Collect an async iterable into an array. */
export async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of iter) out.push(v);
  return out;
}
