import assert from "node:assert/strict";
import {
  createMetrics,
  DEPLOYMENT_STATE,
  type GatewayMetrics,
  routerDeploymentStates,
} from "../../src/server/metrics.ts";
import type { RouterCallEvent } from "../../src/fallback/hooks.ts";
import { createDeployment, type Deployment } from "../../src/fallback/deployment.ts";
import { Router } from "../../src/fallback/router.ts";
import { routeInfo } from "../../src/fallback/route_info.ts";
import { RateLimitError } from "../../src/errors.ts";

// --- a small parser of the Prometheus text exposition -------------------------

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(re)) {
    labels[m[1]!] = m[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
  }
  return labels;
}

function parseExposition(body: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of body.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `unparsable exposition line: ${line}`);
    samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? ""), value: Number(m[3]) });
  }
  return samples;
}

async function scrape(metrics: GatewayMetrics): Promise<Sample[]> {
  const { contentType, body } = await metrics.render();
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  return parseExposition(body);
}

/** The samples of one metric, as `labels → value` with label keys in name order. */
function series(samples: Sample[], name: string): Sample[] {
  return samples.filter((s) => s.name === name);
}

/** The value of the one sample of `name` with exactly these labels. */
function value(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = series(samples, name).filter((s) =>
    JSON.stringify(Object.entries(s.labels).sort()) ===
      JSON.stringify(Object.entries(labels).sort())
  );
  assert.equal(
    found.length,
    1,
    `expected one ${name}${JSON.stringify(labels)}, got ${JSON.stringify(series(samples, name))}`,
  );
  return found[0]!.value;
}

// --- fixtures ------------------------------------------------------------------

const SECRET_A = "sk-live-SECRET-a-0123456789abcdef";
const SECRET_B = "sk-live-SECRET-b-0123456789abcdef";

const gptA: Deployment = createDeployment({
  model_name: "gpt",
  litellm_params: { model: "openai/gpt-4o", api_key: SECRET_A },
  model_info: { id: "gpt-a" },
});
const gptB: Deployment = createDeployment({
  model_name: "gpt",
  litellm_params: { model: "anthropic/claude-sonnet-4-5", api_key: SECRET_B },
});
const local: Deployment = createDeployment({
  model_name: "local",
  litellm_params: { model: "ollama/llama3.2" },
  model_info: { id: "local-1" },
});

function event(
  deployment: Deployment,
  overrides: Partial<RouterCallEvent> = {},
): RouterCallEvent {
  return {
    kind: "completion",
    deployment,
    modelGroup: deployment.modelGroup,
    requestedModel: deployment.modelGroup,
    attempt: 1,
    stream: false,
    startTime: 0,
    latencyMs: 250,
    outcome: "success",
    ...overrides,
  };
}

function emit(metrics: GatewayMetrics, e: RouterCallEvent): void {
  if (e.outcome === "success") metrics.routerCallback.onSuccess?.(e);
  else metrics.routerCallback.onFailure?.(e);
}

// --- tests ---------------------------------------------------------------------

Deno.test("routerCallback counts upstream calls per deployment, with latency, TTFT and retries", async () => {
  const metrics = createMetrics({ modelGroups: ["gpt", "local"] });
  emit(
    metrics,
    event(gptA, {
      outcome: "failure",
      latencyMs: 40,
      error: new RateLimitError("slow down", { provider: "openai" }),
    }),
  );
  emit(metrics, event(gptB, { attempt: 2, stream: true, latencyMs: 1500, ttftMs: 300 }));
  emit(metrics, event(local, { attempt: 1, latencyMs: 80 }));
  emit(metrics, event(local, { attempt: 1, outcome: "cancelled", latencyMs: 10 }));
  emit(metrics, event(gptA, { attempt: 3, outcome: "failure", error: new TypeError("boom") }));

  const s = await scrape(metrics);
  const a = { model_group: "gpt", model_id: "gpt-a", api_provider: "openai" };
  const b = { model_group: "gpt", model_id: gptB.id, api_provider: "anthropic" };
  const l = { model_group: "local", model_id: "local-1", api_provider: "ollama" };

  assert.equal(value(s, "llmux_deployment_total_requests_total", a), 2);
  assert.equal(value(s, "llmux_deployment_total_requests_total", b), 1);
  assert.equal(value(s, "llmux_deployment_total_requests_total", l), 2);
  assert.equal(series(s, "llmux_deployment_success_responses_total").length, 2);
  assert.equal(value(s, "llmux_deployment_success_responses_total", b), 1);
  assert.equal(value(s, "llmux_deployment_success_responses_total", l), 1);
  assert.equal(
    value(s, "llmux_deployment_failure_responses_total", {
      ...a,
      exception_class: "RateLimitError",
      exception_status: "429",
    }),
    1,
  );
  assert.equal(
    value(s, "llmux_deployment_failure_responses_total", {
      ...a,
      exception_class: "TypeError",
      exception_status: "unknown",
    }),
    1,
  );
  // Cancelled streams are neither successes nor failures.
  assert.equal(series(s, "llmux_deployment_failure_responses_total").length, 2);

  // Latency of successful calls only, in seconds.
  const gb = { model_group: "gpt", model_id: gptB.id };
  assert.equal(value(s, "llmux_llm_api_latency_metric_count", gb), 1);
  assert.equal(value(s, "llmux_llm_api_latency_metric_sum", gb), 1.5);
  assert.equal(value(s, "llmux_llm_api_latency_metric_bucket", { ...gb, le: "1" }), 0);
  assert.equal(value(s, "llmux_llm_api_latency_metric_bucket", { ...gb, le: "2.5" }), 1);
  assert.equal(value(s, "llmux_llm_api_latency_metric_bucket", { ...gb, le: "+Inf" }), 1);
  assert.equal(
    series(s, "llmux_llm_api_latency_metric_count").find((x) => x.labels.model_id === "gpt-a"),
    undefined,
  );
  assert.equal(value(s, "llmux_llm_api_time_to_first_token_metric_count", gb), 1);
  assert.equal(value(s, "llmux_llm_api_time_to_first_token_metric_sum", gb), 0.3);
  assert.equal(series(s, "llmux_llm_api_time_to_first_token_metric_count").length, 1);

  // Calls after a request's first.
  assert.equal(value(s, "llmux_llm_api_retries_total", { model_group: "gpt" }), 2);
  assert.equal(series(s, "llmux_llm_api_retries_total").length, 1);
});

Deno.test("requestFinished() counts requests, failures, latency, TTFT, tokens and fallbacks", async () => {
  const metrics = createMetrics({ modelGroups: ["gpt", "backup", "last"] });
  const route = "/v1/chat/completions";
  metrics.requestFinished({
    route,
    modelGroup: "gpt",
    deployment: "gpt-a",
    provider: "openai",
    status: 200,
    latencyMs: 420,
    usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
    fallbacks: [],
  });
  metrics.requestFinished({
    route,
    modelGroup: "gpt",
    deployment: "gpt-a",
    provider: "openai",
    status: 200,
    latencyMs: 2000,
    ttftMs: 250,
    usage: { prompt_tokens: 8, completion_tokens: 2 },
  });
  // Fell back twice, and the last fallback answered.
  metrics.requestFinished({
    route,
    modelGroup: "gpt",
    deployment: "last-1",
    provider: "groq",
    status: 200,
    latencyMs: 900,
    fallbacks: ["backup", "last"],
    usage: { prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 },
  });
  // Every fallback failed.
  metrics.requestFinished({
    route,
    modelGroup: "gpt",
    status: 429,
    latencyMs: 100,
    fallbacks: ["backup"],
    error: new RateLimitError("no capacity"),
  });
  // A stream that broke after its headers: a 200, but a failure.
  metrics.requestFinished({
    route,
    modelGroup: "gpt",
    deployment: "gpt-a",
    provider: "openai",
    status: 200,
    latencyMs: 300,
    outcome: "failure",
    errorType: "APIConnectionError",
  });
  // A cancelled stream is no failure.
  metrics.requestFinished({
    route,
    modelGroup: "gpt",
    deployment: "gpt-a",
    provider: "openai",
    status: 200,
    latencyMs: 50,
    outcome: "cancelled",
  });

  const s = await scrape(metrics);
  const ok = { route, model_group: "gpt", model_id: "gpt-a", api_provider: "openai" };
  assert.equal(
    value(s, "llmux_proxy_total_requests_metric_total", { ...ok, status_code: "200" }),
    4,
  );
  assert.equal(
    value(s, "llmux_proxy_total_requests_metric_total", {
      route,
      model_group: "gpt",
      model_id: "last-1",
      api_provider: "groq",
      status_code: "200",
    }),
    1,
  );
  assert.equal(
    value(s, "llmux_proxy_total_requests_metric_total", {
      route,
      model_group: "gpt",
      model_id: "none",
      api_provider: "none",
      status_code: "429",
    }),
    1,
  );
  assert.equal(series(s, "llmux_proxy_total_requests_metric_total").length, 3);

  assert.equal(series(s, "llmux_proxy_failed_requests_metric_total").length, 2);
  assert.equal(
    value(s, "llmux_proxy_failed_requests_metric_total", {
      route,
      model_group: "gpt",
      exception_class: "RateLimitError",
      exception_status: "429",
    }),
    1,
  );
  assert.equal(
    value(s, "llmux_proxy_failed_requests_metric_total", {
      route,
      model_group: "gpt",
      exception_class: "APIConnectionError",
      exception_status: "200",
    }),
    1,
  );

  const ga = { model_group: "gpt", model_id: "gpt-a" };
  assert.equal(value(s, "llmux_request_total_latency_metric_count", ga), 4);
  assert.equal(value(s, "llmux_request_total_latency_metric_sum", ga), 0.42 + 2 + 0.3 + 0.05);
  assert.equal(value(s, "llmux_request_time_to_first_token_metric_count", ga), 1);
  assert.equal(value(s, "llmux_request_time_to_first_token_metric_sum", ga), 0.25);

  assert.equal(value(s, "llmux_input_tokens_metric_total", ga), 20);
  assert.equal(value(s, "llmux_output_tokens_metric_total", ga), 32);
  assert.equal(value(s, "llmux_total_tokens_metric_total", ga), 52);
  const last = { model_group: "gpt", model_id: "last-1" };
  assert.equal(value(s, "llmux_input_tokens_metric_total", last), 5);
  assert.equal(value(s, "llmux_total_tokens_metric_total", last), 5);
  assert.equal(series(s, "llmux_output_tokens_metric_total").length, 1); // zero is not counted

  assert.equal(
    value(s, "llmux_deployment_successful_fallbacks_total", {
      requested_model: "gpt",
      fallback_model: "last",
    }),
    1,
  );
  assert.equal(series(s, "llmux_deployment_successful_fallbacks_total").length, 1);
  assert.equal(
    value(s, "llmux_deployment_failed_fallbacks_total", {
      requested_model: "gpt",
      fallback_model: "backup",
    }),
    2,
  );
  assert.equal(series(s, "llmux_deployment_failed_fallbacks_total").length, 1);
});

Deno.test("label values are bounded: unknown groups, other routes, none, bad statuses and error names", async () => {
  const metrics = createMetrics({
    modelGroups: ["gpt"],
    routes: ["/v1/chat/completions"],
  });
  metrics.requestFinished({
    route: "/v1/chat/completions/../../etc/passwd",
    modelGroup: "made-up-model-from-a-client",
    status: 404,
    latencyMs: 1,
    error: { error: { type: "not found!! <script>", message: "x" } },
    fallbacks: ["also-made-up"],
  });
  metrics.requestFinished({
    route: "/v1/chat/completions",
    modelGroup: undefined,
    status: 1234,
    latencyMs: Number.NaN,
    errorType: "x".repeat(500),
  });
  const done = metrics.requestStarted("/admin/secret-path", "another-made-up");
  metrics.recordSpend({ modelGroup: "nope", costUsd: 0.5 });

  const s = await scrape(metrics);
  assert.equal(
    value(s, "llmux_proxy_total_requests_metric_total", {
      route: "other",
      model_group: "unknown",
      model_id: "none",
      api_provider: "none",
      status_code: "404",
    }),
    1,
  );
  assert.equal(
    value(s, "llmux_proxy_failed_requests_metric_total", {
      route: "other",
      model_group: "unknown",
      exception_class: "Error",
      exception_status: "404",
    }),
    1,
  );
  assert.equal(
    value(s, "llmux_proxy_failed_requests_metric_total", {
      route: "/v1/chat/completions",
      model_group: "none",
      exception_class: "Error",
      exception_status: "unknown",
    }),
    1,
  );
  assert.equal(
    value(s, "llmux_deployment_failed_fallbacks_total", {
      requested_model: "unknown",
      fallback_model: "unknown",
    }),
    1,
  );
  assert.equal(value(s, "llmux_in_flight_requests", { route: "other", model_group: "unknown" }), 1);
  assert.equal(
    value(s, "llmux_spend_metric_total", { model_group: "unknown", model_id: "none" }),
    0.5,
  );
  // A NaN latency is not observed.
  assert.equal(
    value(s, "llmux_request_total_latency_metric_count", {
      model_group: "unknown",
      model_id: "none",
    }),
    1,
  );
  assert.equal(
    series(s, "llmux_request_total_latency_metric_count").find((x) =>
      x.labels.model_group === "none"
    ),
    undefined,
  );
  done();
});

Deno.test("requestStarted() tracks requests in flight; its end function works once", async () => {
  const metrics = createMetrics();
  const labels = { route: "/v1/chat/completions", model_group: "gpt" };
  const first = metrics.requestStarted(labels.route, "gpt");
  const second = metrics.requestStarted(labels.route, "gpt");
  const embed = metrics.requestStarted("/v1/embeddings", "embed");
  assert.equal(value(await scrape(metrics), "llmux_in_flight_requests", labels), 2);
  first();
  first();
  assert.equal(value(await scrape(metrics), "llmux_in_flight_requests", labels), 1);
  second();
  embed();
  const s = await scrape(metrics);
  assert.equal(value(s, "llmux_in_flight_requests", labels), 0);
  assert.equal(
    value(s, "llmux_in_flight_requests", { route: "/v1/embeddings", model_group: "embed" }),
    0,
  );
});

Deno.test("recordSpend() adds USD per group and deployment, ignoring non-positive amounts", async () => {
  const metrics = createMetrics({ modelGroups: ["gpt"] });
  metrics.recordSpend({ modelGroup: "gpt", deployment: "gpt-a", costUsd: 0.0025 });
  metrics.recordSpend({ modelGroup: "gpt", deployment: "gpt-a", costUsd: 0.0005 });
  metrics.recordSpend({ modelGroup: "gpt", deployment: "gpt-a", costUsd: 0 });
  metrics.recordSpend({ modelGroup: "gpt", deployment: "gpt-a", costUsd: -1 });
  metrics.recordSpend({
    modelGroup: "gpt",
    deployment: "gpt-a",
    costUsd: Number.POSITIVE_INFINITY,
  });
  const s = await scrape(metrics);
  assert.ok(
    Math.abs(
      value(s, "llmux_spend_metric_total", { model_group: "gpt", model_id: "gpt-a" }) - 0.003,
    ) <
      1e-12,
  );
});

Deno.test("two metric instances never share series", async () => {
  const one = createMetrics();
  const two = createMetrics();
  one.requestFinished({ route: "/v1/models", modelGroup: undefined, status: 200, latencyMs: 1 });
  emit(one, event(gptA));
  const s1 = await scrape(one);
  const s2 = await scrape(two);
  assert.equal(series(s1, "llmux_proxy_total_requests_metric_total").length, 1);
  assert.equal(series(s1, "llmux_deployment_total_requests_total").length, 1);
  assert.deepEqual(
    s2.filter((s) => s.name.endsWith("_total") || s.name.endsWith("_count")),
    [],
  );
});

Deno.test("no API key ever appears in the exposition", async () => {
  const metrics = createMetrics();
  const stream = event(gptB, { stream: true, ttftMs: 10 });
  emit(metrics, event(gptA));
  emit(
    metrics,
    event(gptA, { outcome: "failure", error: new RateLimitError(`bad key ${SECRET_A}`) }),
  );
  emit(metrics, stream);
  metrics.requestFinished({
    route: "/v1/chat/completions",
    modelGroup: "gpt",
    deployment: gptB.id,
    provider: gptB.provider,
    status: 401,
    latencyMs: 5,
    error: new Error(`Incorrect API key provided: ${SECRET_B}`),
  });
  metrics.recordSpend({ modelGroup: "gpt", deployment: gptA.id, costUsd: 1 });
  metrics.setDeploymentStateProvider(() =>
    [gptA, gptB].map((d) => ({
      id: d.id,
      modelGroup: d.modelGroup,
      provider: d.provider,
      coolingDown: false,
    }))
  );
  const { body } = await metrics.render();
  assert.ok(!body.includes(SECRET_A));
  assert.ok(!body.includes(SECRET_B));
  assert.ok(!body.includes("sk-"));
  for (const sample of parseExposition(body)) {
    assert.ok(!Object.keys(sample.labels).some((k) => /key/i.test(k)), sample.name);
  }
});

Deno.test("deployment_state reads cooldowns at scrape time and failures from the callbacks", async () => {
  const metrics = createMetrics({ modelGroups: ["gpt", "local"] });
  let cooling = new Set(["gpt-a"]);
  metrics.setDeploymentStateProvider(() =>
    [gptA, gptB, local].map((d) => ({
      id: d.id,
      modelGroup: d.modelGroup,
      provider: d.provider,
      coolingDown: cooling.has(d.id),
    }))
  );
  emit(metrics, event(gptB, { outcome: "failure", error: new RateLimitError("x") }));
  emit(metrics, event(local));
  let s = await scrape(metrics);
  const a = { model_group: "gpt", model_id: "gpt-a", api_provider: "openai" };
  const b = { model_group: "gpt", model_id: gptB.id, api_provider: "anthropic" };
  const l = { model_group: "local", model_id: "local-1", api_provider: "ollama" };
  assert.equal(value(s, "llmux_deployment_state", a), DEPLOYMENT_STATE.completeOutage);
  assert.equal(value(s, "llmux_deployment_state", b), DEPLOYMENT_STATE.partialOutage);
  assert.equal(value(s, "llmux_deployment_state", l), DEPLOYMENT_STATE.healthy);

  cooling = new Set();
  emit(metrics, event(gptB));
  s = await scrape(metrics);
  assert.equal(value(s, "llmux_deployment_state", a), 0);
  assert.equal(value(s, "llmux_deployment_state", b), 0);

  // A failing provider leaves the gauge empty but the scrape works.
  metrics.setDeploymentStateProvider(() => {
    throw new Error("store down");
  });
  s = await scrape(metrics);
  assert.deepEqual(series(s, "llmux_deployment_state"), []);
  metrics.setDeploymentStateProvider(undefined);
  assert.deepEqual(series(await scrape(metrics), "llmux_deployment_state"), []);
});

Deno.test("prefix and buckets options: LiteLLM's names with prefix 'litellm_', bad values throw", async () => {
  const metrics = createMetrics({
    prefix: "litellm_",
    buckets: { latency: [0.5, 1], ttft: [0.2] },
  });
  metrics.requestFinished({
    route: "/v1/chat/completions",
    modelGroup: "gpt",
    status: 200,
    latencyMs: 700,
    ttftMs: 100,
  });
  const s = await scrape(metrics);
  assert.ok(series(s, "litellm_proxy_total_requests_metric_total").length === 1);
  assert.deepEqual(
    series(s, "litellm_request_total_latency_metric_bucket").map((x) => [x.labels.le, x.value]),
    [["0.5", 0], ["1", 1], ["+Inf", 1]],
  );
  assert.deepEqual(
    series(s, "litellm_request_time_to_first_token_metric_bucket").map((
      x,
    ) => [x.labels.le, x.value]),
    [["0.2", 1], ["+Inf", 1]],
  );
  assert.ok(!s.some((x) => x.name.startsWith("llmux_")));
  const bare = createMetrics({ prefix: "" });
  bare.requestFinished({ route: "/v1/models", modelGroup: undefined, status: 200, latencyMs: 1 });
  assert.equal(series(await scrape(bare), "proxy_total_requests_metric_total").length, 1);

  assert.throws(() => createMetrics({ prefix: "bad-prefix" }), TypeError);
  assert.throws(() => createMetrics({ buckets: { latency: [] } }), TypeError);
  assert.throws(() => createMetrics({ buckets: { latency: [1, 0.5] } }), TypeError);
  assert.throws(() => createMetrics({ buckets: { ttft: [Number.NaN] } }), TypeError);
});

Deno.test("with a real Router: a 429 falls back, and both paths feed the metrics", async () => {
  const calls: string[] = [];
  const fakeFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = new Headers(init?.headers);
    calls.push(`${new URL(url).host} ${headers.get("authorization") ?? ""}`);
    if (url.startsWith("http://primary.test/")) {
      return Promise.resolve(
        Response.json({
          error: { message: "Rate limit reached", type: "rate_limit_error", code: null },
        }, { status: 429 }),
      );
    }
    return Promise.resolve(Response.json({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model: "gpt-4o-mini",
      choices: [{
        index: 0,
        message: { role: "assistant", content: "hello" },
        finish_reason: "stop",
      }],
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    }));
  };
  // The metrics exist before the Router they are a callback of: groups are read lazily.
  let router: Router | undefined = undefined;
  const metrics = createMetrics({ modelGroups: () => router?.modelGroups ?? [] });
  router = new Router({
    model_list: [
      {
        model_name: "gpt",
        litellm_params: {
          model: "openai/gpt-4o",
          api_key: SECRET_A,
          api_base: "http://primary.test/v1",
        },
        model_info: { id: "primary" },
      },
      {
        model_name: "backup",
        litellm_params: {
          model: "openai/gpt-4o-mini",
          api_key: SECRET_B,
          api_base: "http://backup.test/v1",
        },
        model_info: { id: "backup-1" },
      },
    ],
    num_retries: 0,
    fallbacks: [{ gpt: ["backup"] }],
  }, { fetch: fakeFetch, callbacks: [metrics.routerCallback], sleep: () => Promise.resolve() });
  metrics.requestFinished({
    route: "/v1/chat/completions",
    modelGroup: "not-in-the-config",
    status: 404,
    latencyMs: 1,
  });
  metrics.setDeploymentStateProvider(routerDeploymentStates(router));

  const done = metrics.requestStarted("/v1/chat/completions", "gpt");
  const result = await router.completion({
    model: "gpt",
    messages: [{ role: "user", content: "hi" }],
  });
  const info = routeInfo(result)!;
  metrics.requestFinished({
    route: "/v1/chat/completions",
    modelGroup: "gpt",
    deployment: info.modelId,
    provider: info.provider,
    status: 200,
    latencyMs: info.latencyMs,
    usage: result.usage,
    fallbacks: info.fallbacks,
  });
  done();
  assert.equal(calls.length, 2);

  const { body } = await metrics.render();
  assert.ok(!body.includes(SECRET_A) && !body.includes(SECRET_B));
  const s = parseExposition(body);
  const primary = { model_group: "gpt", model_id: "primary", api_provider: "openai" };
  const backup = { model_group: "backup", model_id: "backup-1", api_provider: "openai" };
  assert.equal(
    value(s, "llmux_deployment_failure_responses_total", {
      ...primary,
      exception_class: "RateLimitError",
      exception_status: "429",
    }),
    1,
  );
  assert.equal(value(s, "llmux_deployment_success_responses_total", backup), 1);
  assert.equal(value(s, "llmux_llm_api_retries_total", { model_group: "backup" }), 1);
  assert.equal(
    value(s, "llmux_deployment_successful_fallbacks_total", {
      requested_model: "gpt",
      fallback_model: "backup",
    }),
    1,
  );
  assert.equal(
    value(s, "llmux_total_tokens_metric_total", { model_group: "gpt", model_id: "backup-1" }),
    10,
  );
  assert.equal(
    value(s, "llmux_in_flight_requests", { route: "/v1/chat/completions", model_group: "gpt" }),
    0,
  );
  assert.equal(
    value(s, "llmux_proxy_total_requests_metric_total", {
      route: "/v1/chat/completions",
      model_group: "unknown",
      model_id: "none",
      api_provider: "none",
      status_code: "404",
    }),
    1,
  );
  // The primary failed once; whether it cools down is the Router's policy.
  const state = value(s, "llmux_deployment_state", primary);
  assert.ok(state === DEPLOYMENT_STATE.partialOutage || state === DEPLOYMENT_STATE.completeOutage);
  assert.equal(value(s, "llmux_deployment_state", backup), DEPLOYMENT_STATE.healthy);
});
