/**
 * Exchange rates for reporting spend in a currency other than USD
 * (`general_settings.currency`, `fx_rates`, `fx_rate_url`).
 *
 * A rate is the number of units of the currency per 1 USD (`ZAR: 18.5`).
 * `fx_rates` gives fixed rates; `fx_rate_url` is fetched on
 * {@linkcode Fx.refresh} and every `refreshSeconds` once
 * {@linkcode Fx.start}ed. The URL must return JSON in one of these shapes:
 *
 * - `{ "rates": { "ZAR": 18.4 } }` (rates from USD; `base` / `base_code`,
 *   when present and not `USD`, is converted through `rates.USD`),
 * - `{ "ZAR": 18.4 }` (the currency's key at the top level, any case),
 * - `18.4` (a bare number).
 *
 * Numeric strings are accepted in place of numbers. Every rate must be a
 * positive finite number. A failed or malformed refresh keeps the last
 * known rate and is reported to `onError`.
 *
 * @module
 */

import { ConfigError } from "../config/errors.ts";

/** Options of {@linkcode createFx} (the `general_settings` fields, plus seams). */
export interface FxOptions {
  /** ISO 4217 code spend is reported in (default `"USD"`). */
  currency?: string | undefined;
  /** Fixed rates: units of each currency per 1 USD, e.g. `{ ZAR: 18.5 }`. */
  fx_rates?: Readonly<Record<string, number>> | undefined;
  /** URL of a JSON rate feed (see the module docs for the accepted shapes). */
  fx_rate_url?: string | undefined;
  /** Seconds between refreshes of `fx_rate_url` after `start()` (default 3600). */
  refreshSeconds?: number | undefined;
  /** Milliseconds before a refresh request is abandoned (default 10000). */
  timeoutMs?: number | undefined;
  /** `fetch` to call the feed with (default `globalThis.fetch`). */
  fetch?: typeof fetch | undefined;
  /** Clock in ms (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Told about each failed refresh (the last rate is kept). */
  onError?: ((error: Error) => void) | undefined;
  /**
   * Runs `tick` every `ms` until the returned function is called (default:
   * an unref'd `setInterval`, so it never keeps the process alive). The
   * promise `tick` returns settles when the refresh it started (if any) is
   * over; it never rejects.
   */
  schedule?: ((tick: () => Promise<void>, ms: number) => () => void) | undefined;
}

/** An amount converted from USD. */
export interface FxAmount {
  /** The amount in {@linkcode FxAmount.currency}. */
  amount: number;
  /** Units of the currency per USD used. */
  rate: number;
  /** ISO 4217 code. */
  currency: string;
}

/** Converts USD into the configured currency. */
export interface Fx {
  /** The ISO 4217 code amounts are converted to. */
  readonly currency: string;
  /** Units of the currency per 1 USD (1 for USD); throws if no rate is known yet. */
  rate(): number;
  /** Convert a USD amount. Throws if no rate is known yet. */
  convert(usd: number): FxAmount;
  /** When the rate was last set from `fx_rate_url` (ms), if ever. */
  updatedAt(): number | undefined;
  /**
   * Fetch `fx_rate_url` now (no-op without one). A failure keeps the last
   * rate and goes to `onError`; it rejects only when no rate is known at all,
   * so awaiting the first refresh at start-up turns a missing rate into a
   * config-time error.
   */
  refresh(): Promise<void>;
  /**
   * Refresh every `refreshSeconds` (checked on a tick of a quarter of that,
   * at most a minute); a no-op without `fx_rate_url`, or if started.
   */
  start(): void;
  /** Stop refreshing and abort a refresh in flight. */
  close(): void;
}

const CURRENCY_REGEXP = /^[A-Z]{3}$/;

function isRate(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

function toRate(value: unknown): number | undefined {
  if (isRate(value)) return value;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    if (isRate(n)) return n;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pick(record: Record<string, unknown>, currency: string): unknown {
  if (Object.hasOwn(record, currency)) return record[currency];
  const lower = currency.toLowerCase();
  return Object.hasOwn(record, lower) ? record[lower] : undefined;
}

/**
 * The rate (units of `currency` per USD) in a feed body, or a `TypeError`
 * saying why there is none. See the module docs for the accepted shapes.
 *
 * @example
 * ```ts
 * import { parseFxRate } from "./fx.ts";
 * console.assert(parseFxRate({ rates: { ZAR: 18.4 } }, "ZAR") === 18.4);
 * console.assert(parseFxRate({ base: "EUR", rates: { USD: 1.1, ZAR: 20.24 } }, "ZAR") === 18.4);
 * console.assert(parseFxRate({ zar: "18.4" }, "ZAR") === 18.4);
 * console.assert(parseFxRate(18.4, "ZAR") === 18.4);
 * ```
 */
export function parseFxRate(body: unknown, currency: string): number {
  const direct = toRate(body);
  if (direct !== undefined) return direct;
  if (!isObject(body)) {
    throw new TypeError(`Cannot read a ${currency} rate from a JSON ${kind(body)}`);
  }
  if (isObject(body.rates)) {
    const base = body.base ?? body.base_code;
    const rate = toRate(pick(body.rates, currency));
    if (rate === undefined) {
      throw new TypeError(
        `Cannot read a ${currency} rate: "rates.${currency}" is not a positive number`,
      );
    }
    if (base === undefined || (typeof base === "string" && base.toUpperCase() === "USD")) {
      return rate;
    }
    const usd = toRate(pick(body.rates, "USD"));
    if (usd === undefined) {
      throw new TypeError(
        `Cannot read a ${currency} rate: base is ${
          JSON.stringify(base)
        } and "rates.USD" is missing`,
      );
    }
    return rate / usd;
  }
  const rate = toRate(pick(body, currency));
  if (rate === undefined) {
    throw new TypeError(
      `Cannot read a ${currency} rate: no "rates" object and no "${currency}" key`,
    );
  }
  return rate;
}

function kind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function defaultSchedule(tick: () => Promise<void>, ms: number): () => void {
  const id = setInterval(tick, ms);
  Deno.unrefTimer(id);
  return () => clearInterval(id);
}

/**
 * Build the converter for `general_settings.currency`. Throws a
 * {@linkcode ConfigError} for a malformed currency code or rate, or for a
 * non-USD currency with neither an `fx_rates` entry nor an `fx_rate_url`.
 * With only `fx_rate_url`, await {@linkcode Fx.refresh} before use (it
 * rejects if the feed yields no rate), then call {@linkcode Fx.start}.
 *
 * @example
 * ```ts
 * import { createFx } from "./fx.ts";
 *
 * const zar = createFx({ currency: "ZAR", fx_rates: { ZAR: 18.5 } });
 * console.assert(zar.convert(2).amount === 37);
 *
 * const usd = createFx({});
 * console.assert(usd.rate() === 1 && usd.convert(1.25).amount === 1.25);
 *
 * const fed = createFx({
 *   currency: "EUR",
 *   fx_rate_url: "https://rates.example/latest",
 *   fetch: () => Promise.resolve(Response.json({ rates: { EUR: 0.9 } })),
 * });
 * await fed.refresh();
 * console.assert(fed.rate() === 0.9);
 * ```
 */
export function createFx(options: FxOptions = {}): Fx {
  const {
    fx_rates,
    fx_rate_url,
    refreshSeconds = 3600,
    timeoutMs = 10_000,
    fetch: fetchFn = globalThis.fetch,
    now = Date.now,
    onError,
    schedule = defaultSchedule,
  } = options;
  const given = options.currency ?? "USD";
  const currency = given.trim().toUpperCase();
  if (!CURRENCY_REGEXP.test(currency)) {
    throw new ConfigError({
      path: "general_settings.currency",
      expected: "a three-letter ISO 4217 code such as USD or ZAR",
      found: JSON.stringify(given),
    });
  }
  if (!(Number.isFinite(refreshSeconds) && refreshSeconds > 0)) {
    throw new TypeError(`Invalid refreshSeconds: ${refreshSeconds} (must be a positive number)`);
  }
  let rate: number | undefined = currency === "USD" ? 1 : undefined;
  for (const [code, value] of Object.entries(fx_rates ?? {})) {
    if (!isRate(value)) {
      throw new ConfigError({
        path: `general_settings.fx_rates.${code}`,
        expected: "a positive finite number (units per 1 USD)",
        found: `${kind(value)} ${JSON.stringify(value)}`,
      });
    }
    if (code.toUpperCase() === currency && currency !== "USD") rate = value;
  }
  const url = currency === "USD" ? undefined : fx_rate_url;
  if (rate === undefined && url === undefined) {
    throw new ConfigError({
      path: "general_settings.currency",
      expected:
        `a rate for ${currency} in general_settings.fx_rates or a general_settings.fx_rate_url`,
      found: JSON.stringify(given),
      note: "spend is priced in USD and needs an exchange rate to report in another currency",
    });
  }

  let updated: number | undefined;
  let lastAttempt: number | undefined;
  let inFlight: Promise<void> | undefined;
  let controller: AbortController | undefined;
  let stop: (() => void) | undefined;
  let closed = false;

  const current = (): number => {
    if (rate === undefined) {
      throw new Error(
        `No exchange rate for ${currency} yet: fx_rate_url ${url} has not answered with one`,
      );
    }
    return rate;
  };

  const fetchRate = async (feed: string): Promise<number> => {
    controller = new AbortController();
    const timer = setTimeout(() => controller?.abort(), timeoutMs);
    try {
      const res = await fetchFn(feed, {
        headers: { accept: "application/json" },
        signal: controller.signal,
      });
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(
          `Cannot refresh the ${currency} rate: ${feed} returned status ${res.status}`,
        );
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new SyntaxError(`Cannot refresh the ${currency} rate: ${feed} did not return JSON`);
      }
      return parseFxRate(body, currency);
    } finally {
      clearTimeout(timer);
      controller = undefined;
    }
  };

  const refresh = (): Promise<void> => {
    if (url === undefined || closed) return Promise.resolve();
    if (inFlight !== undefined) return inFlight;
    lastAttempt = now();
    inFlight = fetchRate(url).then(
      (fresh) => {
        rate = fresh;
        updated = now();
      },
      (error: unknown) => {
        const err = toError(error);
        if (closed) return;
        if (rate === undefined) {
          throw new ConfigError({
            path: "general_settings.fx_rate_url",
            expected: `a JSON feed with a positive ${currency} rate`,
            found: JSON.stringify(url),
            note: err.message,
            cause: err,
          });
        }
        onError?.(err);
      },
    ).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    currency,
    rate: current,
    convert(usd: number): FxAmount {
      const r = current();
      return { amount: usd * r, rate: r, currency };
    },
    updatedAt: () => updated,
    refresh,
    start(): void {
      if (url === undefined || closed || stop !== undefined) return;
      const periodMs = refreshSeconds * 1000;
      // Tick more often than the period so a refresh is at most one tick late.
      const tickMs = Math.min(60_000, Math.max(1, periodMs / 4));
      stop = schedule(() => {
        if (lastAttempt !== undefined && now() - lastAttempt < periodMs) return Promise.resolve();
        return refresh().catch((error: unknown) => onError?.(toError(error)));
      }, tickMs);
    },
    close(): void {
      closed = true;
      stop?.();
      stop = undefined;
      controller?.abort();
    },
  };
}
