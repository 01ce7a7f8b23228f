import assert from "node:assert/strict";
import { createFx, parseFxRate } from "../../src/cost/mod.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { startFakeServer } from "../fakes/_server.ts";

/** A scheduler the test ticks by hand, and a clock it moves by hand. */
function fakeTimers(start = 1_700_000_000_000) {
  let t = start;
  const ticks: { tick: () => Promise<void>; ms: number; stopped: boolean }[] = [];
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    schedule(tick: () => Promise<void>, ms: number): () => void {
      const entry = { tick, ms, stopped: false };
      ticks.push(entry);
      return () => {
        entry.stopped = true;
      };
    },
    ticks,
    /** Run every live tick and wait for the refreshes they start. */
    async fire(): Promise<void> {
      await Promise.all(ticks.filter((e) => !e.stopped).map((e) => e.tick()));
    },
  };
}

const noFetch: typeof fetch = () => Promise.reject(new Error("unexpected fetch"));

Deno.test("createFx() passes USD through at rate 1 and never fetches", async () => {
  const fx = createFx({ fx_rate_url: "http://127.0.0.1:9/never", fetch: noFetch });
  assert.equal(fx.currency, "USD");
  assert.equal(fx.rate(), 1);
  assert.deepEqual(fx.convert(1.2345), { amount: 1.2345, rate: 1, currency: "USD" });
  await fx.refresh();
  fx.start();
  fx.close();
  assert.equal(fx.updatedAt(), undefined);
});

Deno.test("createFx() uses static fx_rates", () => {
  const fx = createFx({ currency: "zar", fx_rates: { ZAR: 18.5, EUR: 0.92 } });
  assert.equal(fx.currency, "ZAR");
  assert.equal(fx.rate(), 18.5);
  assert.deepEqual(fx.convert(2), { amount: 37, rate: 18.5, currency: "ZAR" });
  assert.equal(createFx({ currency: "EUR", fx_rates: { eur: 0.92 } }).rate(), 0.92);
});

Deno.test("createFx() rejects bad config with a ConfigError naming the setting", () => {
  const cases: [Parameters<typeof createFx>[0], RegExp][] = [
    [{ currency: "ZAR" }, /general_settings\.currency: expected a rate for ZAR/],
    [{ currency: "ZAR", fx_rates: { EUR: 0.9 } }, /a rate for ZAR in general_settings\.fx_rates/],
    [
      { currency: "ZAR", fx_rates: { ZAR: 0 } },
      /general_settings\.fx_rates\.ZAR: expected a positive/,
    ],
    [{ currency: "ZAR", fx_rates: { ZAR: -18 } }, /fx_rates\.ZAR/],
    [{ currency: "ZAR", fx_rates: { ZAR: Number.POSITIVE_INFINITY } }, /fx_rates\.ZAR/],
    [{ currency: "ZAR", fx_rates: { ZAR: "18.5" as unknown as number } }, /found string "18\.5"/],
    [{ currency: "rand" }, /general_settings\.currency: expected a three-letter ISO 4217 code/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => createFx(options), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("parseFxRate() reads the documented feed shapes", () => {
  const ok: [unknown, number][] = [
    [18.4, 18.4],
    ["18.4", 18.4],
    [{ rates: { ZAR: 18.4 } }, 18.4],
    [{ base: "USD", rates: { ZAR: 18.4 } }, 18.4],
    [{ base_code: "USD", result: "success", rates: { ZAR: "18.4" } }, 18.4],
    [{ base: "EUR", rates: { USD: 1.25, ZAR: 23 } }, 23 / 1.25],
    [{ ZAR: 18.4 }, 18.4],
    [{ zar: 18.4 }, 18.4],
  ];
  for (const [body, rate] of ok) assert.equal(parseFxRate(body, "ZAR"), rate, JSON.stringify(body));
  const bad: unknown[] = [
    null,
    [],
    "abc",
    0,
    -1,
    {},
    { rates: {} },
    { rates: { ZAR: 0 } },
    { rates: { ZAR: "x" } },
    { base: "EUR", rates: { ZAR: 20 } },
    { ZAR: Number.NaN },
    { EUR: 0.9 },
  ];
  for (const body of bad) {
    assert.throws(() => parseFxRate(body, "ZAR"), TypeError, JSON.stringify(body));
  }
});

Deno.test("createFx() refreshes from fx_rate_url and keeps the last rate on failures", async () => {
  const bodies: (() => Response)[] = [
    () => Response.json({ rates: { ZAR: 18.4 } }),
    () => Response.json({ ZAR: 18.6 }),
    () => new Response("upstream down", { status: 503 }),
    () => new Response("<html>not json</html>", { headers: { "content-type": "text/html" } }),
    () => Response.json({ rates: { ZAR: -1 } }),
    () => Response.json({ rates: { EUR: 0.9 } }),
    () => new Response("19.25"),
  ];
  let served = 0;
  await using server = startFakeServer(() => bodies[served++]!());
  const timers = fakeTimers();
  const errors: Error[] = [];
  const fx = createFx({
    currency: "ZAR",
    fx_rates: { ZAR: 18 },
    fx_rate_url: `${server.url}/latest?base=USD`,
    refreshSeconds: 60,
    now: timers.now,
    schedule: timers.schedule,
    onError: (e) => errors.push(e),
  });
  assert.equal(fx.rate(), 18, "the static rate applies until the first refresh");
  await fx.refresh();
  assert.equal(fx.rate(), 18.4);
  assert.equal(fx.updatedAt(), timers.now());
  assert.equal(server.requests[0]!.path, "/latest?base=USD");

  fx.start();
  fx.start();
  assert.equal(timers.ticks.length, 1, "start() twice schedules once");
  assert.equal(timers.ticks[0]!.ms, 15_000, "ticks at a quarter of the period");

  await timers.fire();
  assert.equal(server.requests.length, 1, "not due yet: no request");

  const expected = [18.6, 18.6, 18.6, 18.6, 18.6, 19.25];
  for (const rate of expected) {
    timers.advance(60_000);
    await timers.fire();
    assert.equal(fx.rate(), rate);
  }
  assert.equal(server.requests.length, 7);
  assert.equal(errors.length, 4);
  assert.match(errors[0]!.message, /returned status 503/);
  assert.match(errors[1]!.message, /did not return JSON/);
  assert.match(errors[2]!.message, /rates\.ZAR" is not a positive number/);
  assert.match(errors[3]!.message, /rates\.ZAR" is not a positive number/);
  assert.equal(fx.updatedAt(), timers.now());

  fx.close();
  assert.equal(timers.ticks[0]!.stopped, true);
  await fx.refresh();
  assert.equal(server.requests.length, 7, "no refresh after close()");
});

Deno.test("createFx() with only fx_rate_url fails loudly until a rate is known", async () => {
  let body: () => Response = () => Response.json({ error: "bad key" }, { status: 401 });
  await using server = startFakeServer(() => body());
  const errors: Error[] = [];
  const fx = createFx({
    currency: "EUR",
    fx_rate_url: server.url,
    onError: (e) => errors.push(e),
  });
  assert.throws(() => fx.rate(), /No exchange rate for EUR yet/);
  await assert.rejects(fx.refresh(), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /general_settings\.fx_rate_url/);
    assert.match(error.message, /returned status 401/);
    return true;
  });
  assert.deepEqual(errors, [], "start-up failures reject instead of going to onError");
  body = () => Response.json({ rates: { EUR: 0.91 } });
  await fx.refresh();
  assert.deepEqual(fx.convert(10), { amount: 10 * 0.91, rate: 0.91, currency: "EUR" });
});

Deno.test("createFx() shares one request between concurrent refreshes", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await using server = startFakeServer(async () => {
    await gate;
    return Response.json({ ZAR: 17.9 });
  });
  const fx = createFx({ currency: "ZAR", fx_rates: { ZAR: 18 }, fx_rate_url: server.url });
  const a = fx.refresh();
  const b = fx.refresh();
  assert.equal(a, b);
  release();
  await Promise.all([a, b]);
  assert.equal(server.requests.length, 1);
  assert.equal(fx.rate(), 17.9);
});

Deno.test("createFx() reports a network failure and keeps the rate", async () => {
  const errors: Error[] = [];
  const fx = createFx({
    currency: "ZAR",
    fx_rates: { ZAR: 18 },
    fx_rate_url: "http://127.0.0.1:1/rates",
    fetch: () => Promise.reject(new TypeError("connection refused")),
    onError: (e) => errors.push(e),
  });
  await fx.refresh();
  assert.equal(fx.rate(), 18);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /connection refused/);
});

Deno.test("createFx() close() aborts a refresh in flight without reporting it", async () => {
  const errors: Error[] = [];
  let seen: AbortSignal | undefined;
  const fx = createFx({
    currency: "ZAR",
    fx_rates: { ZAR: 18 },
    fx_rate_url: "http://127.0.0.1:1/rates",
    fetch: (_input, init) =>
      new Promise<Response>((_resolve, reject) => {
        seen = init?.signal ?? undefined;
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
      }),
    onError: (e) => errors.push(e),
  });
  const pending = fx.refresh();
  fx.close();
  await pending;
  assert.equal(seen?.aborted, true);
  assert.equal(fx.rate(), 18);
  assert.deepEqual(errors, []);
});

Deno.test("createFx() abandons a refresh after timeoutMs", async () => {
  const errors: Error[] = [];
  const fx = createFx({
    currency: "ZAR",
    fx_rates: { ZAR: 18 },
    fx_rate_url: "http://127.0.0.1:1/rates",
    timeoutMs: 20,
    fetch: (_input, init) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(new Error("aborted by timeout")));
      }),
    onError: (e) => errors.push(e),
  });
  await fx.refresh();
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /aborted by timeout/);
});
