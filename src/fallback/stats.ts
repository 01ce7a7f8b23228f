/**
 * Live per-deployment numbers the strategies read: calls in flight, moving
 * averages of latency and time to first token, and this minute's requests
 * and tokens. One set per Router instance.
 *
 * @module
 */

/**
 * A moving average over the last `size` samples (O(1) per sample).
 *
 * @example
 * ```ts
 * import { MovingAverage } from "./stats.ts";
 * const avg = new MovingAverage(2);
 * avg.add(10); avg.add(20); avg.add(30);
 * console.assert(avg.mean === 25 && avg.count === 2);
 * ```
 */
export class MovingAverage {
  #samples: number[];
  #next = 0;
  #count = 0;
  #sum = 0;

  /**
   * Create an empty average.
   *
   * @param size How many recent samples to average (default 10, as LiteLLM keeps).
   */
  constructor(size = 10) {
    this.#samples = new Array(Math.max(1, size)).fill(0);
  }

  /** Add a sample. */
  add(value: number): void {
    const size = this.#samples.length;
    if (this.#count === size) this.#sum -= this.#samples[this.#next];
    else this.#count++;
    this.#samples[this.#next] = value;
    this.#sum += value;
    this.#next = (this.#next + 1) % size;
  }

  /** Samples held (at most the size). */
  get count(): number {
    return this.#count;
  }

  /** The mean of the held samples, or `NaN` when there are none. */
  get mean(): number {
    return this.#count === 0 ? Number.NaN : this.#sum / this.#count;
  }
}

/** Milliseconds in the usage window (one minute, as rpm/tpm are per minute). */
export const USAGE_WINDOW_MS = 60_000;

/**
 * One deployment's live numbers.
 *
 * @example
 * ```ts
 * import { DeploymentStats } from "./stats.ts";
 * const s = new DeploymentStats();
 * s.countRequest(1_000);
 * s.countTokens(1_500, 42);
 * console.assert(s.requestsThisMinute(59_999) === 1 && s.tokensThisMinute(59_999) === 42);
 * console.assert(s.requestsThisMinute(60_000) === 0);
 * ```
 */
export class DeploymentStats {
  /** Calls in flight (streams count until they end). */
  inFlight = 0;
  /** Latency of whole calls, in ms. */
  readonly latency: MovingAverage = new MovingAverage();
  /** Time to first content of streams, in ms. */
  readonly ttft: MovingAverage = new MovingAverage();
  #minute = -1;
  #requests = 0;
  #tokens = 0;

  #roll(now: number): void {
    const minute = Math.floor(now / USAGE_WINDOW_MS);
    if (minute !== this.#minute) {
      this.#minute = minute;
      this.#requests = 0;
      this.#tokens = 0;
    }
  }

  /** Count a request started at `now`. */
  countRequest(now: number): void {
    this.#roll(now);
    this.#requests++;
  }

  /** Count tokens used at `now`. */
  countTokens(now: number, tokens: number): void {
    this.#roll(now);
    if (Number.isFinite(tokens) && tokens > 0) this.#tokens += tokens;
  }

  /** Requests started in the minute that holds `now`. */
  requestsThisMinute(now: number): number {
    return Math.floor(now / USAGE_WINDOW_MS) === this.#minute ? this.#requests : 0;
  }

  /** Tokens used in the minute that holds `now`. */
  tokensThisMinute(now: number): number {
    return Math.floor(now / USAGE_WINDOW_MS) === this.#minute ? this.#tokens : 0;
  }
}
