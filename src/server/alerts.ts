/**
 * Alerts to a Slack-compatible incoming webhook: a JSON POST of
 * `{ "text": … }`. The URL comes from `general_settings.alert_webhook_url`
 * (llmux), or from `SLACK_WEBHOOK_URL` when `general_settings.alerting`
 * lists `"slack"` (LiteLLM's way). Sending never blocks or fails a request:
 * {@linkcode Alerter.send} returns at once, errors go to `onError`, and a
 * slow webhook is abandoned after `timeoutMs`.
 *
 * @module
 */

/** Options of {@linkcode createAlerter}. */
export interface AlerterOptions {
  /** The webhook URL. */
  url: string;
  /** `fetch` to post with (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Milliseconds before a post is abandoned (default 5000). */
  timeoutMs?: number;
  /** Told about failed posts (default: nothing). */
  onError?: (error: unknown) => void;
}

/** Sends alert texts. */
export interface Alerter {
  /** Post `text` in the background; never throws. */
  send(text: string): void;
  /** Wait for the posts still in flight (tests, shutdown). */
  drain(): Promise<void>;
}

/**
 * The webhook URL from the config and environment: `alert_webhook_url`
 * wins; else `SLACK_WEBHOOK_URL` when `alerting` includes `"slack"`.
 *
 * @example
 * ```ts
 * import { alertWebhookUrl } from "./alerts.ts";
 * const env = (n: string) => n === "SLACK_WEBHOOK_URL" ? "https://hooks.example/x" : undefined;
 * console.assert(alertWebhookUrl({ alerting: ["slack"] }, env) === "https://hooks.example/x");
 * console.assert(alertWebhookUrl({}, env) === undefined);
 * ```
 */
export function alertWebhookUrl(
  settings: { alerting?: unknown; alert_webhook_url?: unknown },
  env: (name: string) => string | undefined,
): string | undefined {
  if (typeof settings.alert_webhook_url === "string" && settings.alert_webhook_url !== "") {
    return settings.alert_webhook_url;
  }
  const alerting = Array.isArray(settings.alerting) ? settings.alerting : [];
  if (alerting.includes("slack")) {
    const url = env("SLACK_WEBHOOK_URL");
    if (url) return url;
  }
  return undefined;
}

/**
 * Post alerts to a webhook.
 *
 * @example
 * ```ts
 * import { createAlerter } from "./alerts.ts";
 * const posted: string[] = [];
 * const alerter = createAlerter({
 *   url: "https://hooks.example/x",
 *   fetch: async (_url, init) => {
 *     posted.push(JSON.parse(String(init?.body)).text);
 *     return new Response("ok");
 *   },
 * });
 * alerter.send("Budget alert: key sk-...AbCd has spent 80% of its budget");
 * await alerter.drain();
 * console.assert(posted.length === 1);
 * ```
 */
export function createAlerter(options: AlerterOptions): Alerter {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const inFlight = new Set<Promise<void>>();
  const post = async (text: string): Promise<void> => {
    try {
      const res = await doFetch(options.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`alert webhook answered status ${res.status}`);
    } catch (error) {
      try {
        options.onError?.(error);
      } catch {
        // a failing logger must not fail anything
      }
    }
  };
  return {
    send(text) {
      const p = post(text);
      inFlight.add(p);
      p.finally(() => inFlight.delete(p));
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
