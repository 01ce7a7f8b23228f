import assert from "node:assert/strict";
import { advanceReset, nextReset, parseDuration, parseDurationParts } from "../../src/store/mod.ts";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

const VALID: [string, number][] = [
  ["30s", 30 * S],
  ["1m", M],
  ["15m", 15 * M],
  ["1h", H],
  ["24h", 24 * H],
  ["1d", D],
  ["30d", 30 * D],
  ["2w", 14 * D],
  ["1mo", 30 * D],
  ["3mo", 90 * D],
  [" 7d ", 7 * D],
];

for (const [text, ms] of VALID) {
  Deno.test(`parseDuration(${JSON.stringify(text)}) is ${ms} ms`, () => {
    assert.equal(parseDuration(text), ms);
  });
}

const INVALID = ["", "d", "30", "0d", "1.5h", "-1d", "1y", "1M", "1 month", "30dd", "1 d"];

for (const text of INVALID) {
  Deno.test(`parseDuration(${JSON.stringify(text)}) throws a TypeError`, () => {
    assert.throws(() => parseDuration(text), TypeError);
  });
}

Deno.test("parseDuration() rejects non-strings and huge values", () => {
  assert.throws(() => parseDuration(30 as never), TypeError);
  assert.throws(() => parseDuration("99999999999999d"), /not huge/);
});

Deno.test("parseDurationParts() splits value and unit", () => {
  assert.deepEqual(parseDurationParts("12mo"), { value: 12, unit: "mo" });
  assert.deepEqual(parseDurationParts("5m"), { value: 5, unit: "m" });
});

const NEXT: [string, string, string][] = [
  ["2025-03-01T12:00:00.000Z", "30s", "2025-03-01T12:00:30.000Z"],
  ["2025-03-01T12:00:00.000Z", "1d", "2025-03-02T12:00:00.000Z"],
  ["2025-03-01T12:00:00.000Z", "1w", "2025-03-08T12:00:00.000Z"],
  ["2025-01-15T08:30:00.000Z", "1mo", "2025-02-15T08:30:00.000Z"],
  ["2025-01-31T00:00:00.000Z", "1mo", "2025-02-28T00:00:00.000Z"],
  ["2024-01-31T00:00:00.000Z", "1mo", "2024-02-29T00:00:00.000Z"],
  ["2025-11-30T00:00:00.000Z", "3mo", "2026-02-28T00:00:00.000Z"],
  ["2025-12-01T00:00:00.000Z", "1mo", "2026-01-01T00:00:00.000Z"],
];

for (const [from, duration, expected] of NEXT) {
  Deno.test(`nextReset(${from}, ${duration}) is ${expected}`, () => {
    assert.equal(nextReset(new Date(from), duration).toISOString(), expected);
  });
}

const ADVANCE: [string, string, string, string][] = [
  // [resetAt, duration, now, expected]: the first boundary strictly after now.
  ["2025-03-01T00:00:00.000Z", "1d", "2025-03-01T00:00:00.000Z", "2025-03-02T00:00:00.000Z"],
  ["2025-03-01T00:00:00.000Z", "1d", "2025-03-04T12:00:00.000Z", "2025-03-05T00:00:00.000Z"],
  ["2025-03-01T00:00:00.000Z", "1h", "2025-03-01T00:59:59.999Z", "2025-03-01T01:00:00.000Z"],
  ["2020-01-01T00:00:00.000Z", "1s", "2025-01-01T00:00:00.500Z", "2025-01-01T00:00:01.000Z"],
  ["2025-01-31T00:00:00.000Z", "1mo", "2025-03-04T00:00:00.000Z", "2025-03-31T00:00:00.000Z"],
  ["2025-01-31T00:00:00.000Z", "1mo", "2025-02-28T00:00:00.000Z", "2025-03-31T00:00:00.000Z"],
  ["2025-01-31T00:00:00.000Z", "2mo", "2025-12-31T00:00:00.000Z", "2026-01-31T00:00:00.000Z"],
  ["2023-05-15T00:00:00.000Z", "1mo", "2025-05-14T23:00:00.000Z", "2025-05-15T00:00:00.000Z"],
  // Not due yet: unchanged.
  ["2025-03-10T00:00:00.000Z", "1d", "2025-03-01T00:00:00.000Z", "2025-03-10T00:00:00.000Z"],
];

for (const [resetAt, duration, now, expected] of ADVANCE) {
  Deno.test(`advanceReset(${resetAt}, ${duration}, ${now}) is ${expected}`, () => {
    assert.equal(
      advanceReset(new Date(resetAt), duration, new Date(now)).toISOString(),
      expected,
    );
  });
}
