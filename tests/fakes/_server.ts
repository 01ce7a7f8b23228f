/**
 * The shared base of the fake upstream servers: a real HTTP server on
 * 127.0.0.1, port 0, recording every request it receives.
 *
 * @module
 */

/** A request as the fake received it. */
export interface RecordedRequest {
  /** HTTP method. */
  method: string;
  /** Path and query, e.g. `/v1/messages`. */
  path: string;
  /** Request headers (lower-case names). */
  headers: Record<string, string>;
  /** Parsed JSON body, or the raw text when not JSON. */
  body: unknown;
  /** The body exactly as received (e.g. for signature checks). */
  text: string;
}

/** A running fake server. */
export interface FakeServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Number of connections whose response body was cancelled by the client. */
  cancelled: () => number;
  /** Stop the server. */
  close(): Promise<void>;
}

/** A handler gets the recorded request and returns the response. */
export type FakeHandler = (request: RecordedRequest, raw: Request) => Response | Promise<Response>;

/** Start a fake server on 127.0.0.1 with a handler. */
export function startFakeServer(handler: FakeHandler): FakeServer {
  const requests: RecordedRequest[] = [];
  let cancelled = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (raw) => {
    const url = new URL(raw.url);
    const text = await raw.text();
    let body: unknown = text;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      // keep text
    }
    const headers: Record<string, string> = {};
    raw.headers.forEach((v, k) => (headers[k] = v));
    const recorded = { method: raw.method, path: url.pathname + url.search, headers, body, text };
    requests.push(recorded);
    const response = await handler(recorded, raw);
    if (!response.body) return response;
    // Count client-side cancellations of streamed bodies.
    const reader = response.body.getReader();
    const tracked = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        cancelled++;
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
    return new Response(tracked, { status: response.status, headers: response.headers });
  });
  const addr = server.addr as Deno.NetAddr;
  const close = async () => {
    await server.shutdown();
  };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    cancelled: () => cancelled,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A streamed response body from pieces, with an optional delay between them. */
export function streamBody(
  pieces: readonly (string | Uint8Array)[],
  options: { delayMs?: number; cutAfter?: number } = {},
): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (options.cutAfter !== undefined && i >= options.cutAfter) {
        controller.error(new Error("connection reset by fake"));
        return;
      }
      if (i >= pieces.length) {
        controller.close();
        return;
      }
      if (options.delayMs && i > 0) await new Promise((r) => setTimeout(r, options.delayMs));
      const p = pieces[i++];
      controller.enqueue(typeof p === "string" ? enc.encode(p) : p);
    },
  }, { highWaterMark: 0 });
}

/** JSON error response helper. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
