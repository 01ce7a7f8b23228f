/**
 * Helpers for end-to-end tests of the real proxy process: spawn
 * `server.ts` (or a bundle of it) with `--port 0`, wait for its
 * `listening on http://<host>:<port>` log line, collect its output, stop it
 * (SIGTERM, then SIGKILL after a grace period). Always hold a started server
 * with `await using`, so it is stopped even when an assertion fails.
 *
 * @module
 */

const repoPath = (relative: string) =>
  decodeURIComponent(new URL(relative, import.meta.url).pathname);

/** The repository root (the process's working directory, where deno.json lives). */
export const ROOT: string = repoPath("../../");

/** `server.ts`, by absolute path. */
export const SERVER_TS: string = repoPath("../../server.ts");

/** `config.example.yaml`, by absolute path. */
export const EXAMPLE_CONFIG: string = repoPath("../../config.example.yaml");

/**
 * An environment without provider keys or llmux variables (for `clearEnv`),
 * with just what deno needs to find its cache.
 */
export function bareEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

const LISTEN_REGEXP = /listening on http:\/\/(\[[^\]]+\]|[^\s:/]+):(\d+)/;

/** Collected output of a child process stream, with waiting on a pattern. */
class Output {
  text = "";
  #waiters = new Set<() => void>();
  #closed = false;
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      try {
        for await (const piece of stream.pipeThrough(new TextDecoderStream())) {
          this.text += piece;
          for (const wake of this.#waiters) wake();
        }
      } catch {
        // the stream broke: the process is gone
      } finally {
        this.#closed = true;
        for (const wake of this.#waiters) wake();
      }
    })();
  }

  /** Resolve with the first match of `pattern`; reject at the deadline or when the stream ends. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.text);
      if (match) return match;
      if (this.#closed) throw new Error(`output ended without ${pattern}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      let wake!: () => void;
      await new Promise<void>((resolve) => {
        wake = resolve;
        this.#waiters.add(wake);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.#waiters.delete(wake);
    }
  }
}

/** Options of {@linkcode startServer} and {@linkcode spawnServer}. */
export interface ServerOptions {
  /** Arguments after the script (e.g. `["--config", path, "--workers", "2"]`). `--port 0` and `--host 127.0.0.1` are added unless `rawArgs`. */
  args: string[];
  /** Do not add `--port 0 --host 127.0.0.1`. */
  rawArgs?: boolean;
  /** The script to run (default `server.ts`). */
  script?: string;
  /** `deno` arguments before the script (default `["run", "-A"]`). */
  denoArgs?: string[];
  /** Environment for the child (added to the inherited one unless `clearEnv`). */
  env?: Record<string, string>;
  /** Start from an empty environment (plus `env`). */
  clearEnv?: boolean;
  /** Working directory (default the repository root). */
  cwd?: string;
}

/** A running (or finished) server process. */
export class ServerProcess implements AsyncDisposable {
  /** The child process. */
  readonly child: Deno.ChildProcess;
  /** Its exit status, once it has exited and its output is read to the end. */
  readonly status: Promise<Deno.CommandStatus>;
  #stdout: Output;
  #stderr: Output;
  #exited = false;
  /** `http://127.0.0.1:<port>`, once listening. */
  url = "";
  /** The port, once listening. */
  port = 0;

  constructor(child: Deno.ChildProcess) {
    this.child = child;
    this.#stdout = new Output(child.stdout);
    this.#stderr = new Output(child.stderr);
    this.status = Promise.all([child.status, this.#stdout.done, this.#stderr.done]).then((
      [status],
    ) => {
      this.#exited = true;
      return status;
    });
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid;
  }

  /** Whether the process has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Everything written to stdout so far. */
  get stdout(): string {
    return this.#stdout.text;
  }

  /** Everything written to stderr so far. */
  get stderr(): string {
    return this.#stderr.text;
  }

  /** Stdout's JSON log lines, parsed (other lines skipped). */
  logs(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // a partial line
      }
    }
    return out;
  }

  /** Wait for stdout to match `pattern`. */
  waitForStdout(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return this.#stdout.waitFor(pattern, timeoutMs);
  }

  /** Wait for the listen line and record the URL. */
  async ready(timeoutMs = 20_000): Promise<this> {
    let match: RegExpExecArray;
    try {
      match = await this.#stdout.waitFor(LISTEN_REGEXP, timeoutMs);
    } catch (error) {
      await this.stop();
      throw new Error(
        `server did not start: ${
          (error as Error).message
        }\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`,
      );
    }
    this.port = Number(match[2]);
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  /** Send a signal (ignored once the process is gone). */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    if (this.#exited) return;
    try {
      this.child.kill(signal);
    } catch {
      // already exited
    }
  }

  /** Wait for exit, at most `timeoutMs`; `undefined` on timeout. */
  async waitForExit(timeoutMs: number): Promise<Deno.CommandStatus | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((
      r,
    ) => (timer = setTimeout(() => r(undefined), timeoutMs)));
    try {
      return await Promise.race([this.status, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit status. */
  async stop(graceMs = 5_000): Promise<Deno.CommandStatus> {
    this.kill("SIGTERM");
    const status = await this.waitForExit(graceMs);
    if (status) return status;
    this.kill("SIGKILL");
    return await this.status;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

function command(options: ServerOptions): Deno.Command {
  const args = [
    ...(options.denoArgs ?? ["run", "-A"]),
    options.script ?? SERVER_TS,
    ...options.args,
    ...(options.rawArgs ? [] : ["--port", "0", "--host", "127.0.0.1"]),
  ];
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    clearEnv: options.clearEnv ?? false,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Spawn the server without waiting for it to listen. */
export function spawnServer(options: ServerOptions): ServerProcess {
  return new ServerProcess(command(options).spawn());
}

/**
 * Spawn the server on `127.0.0.1`, port 0, and wait until it listens.
 *
 * @example
 * ```ts ignore
 * await using server = await startServer({ args: ["--config", EXAMPLE_CONFIG] });
 * await fetch(`${server.url}/health/liveliness`);
 * ```
 */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  return await spawnServer(options).ready();
}

/** Result of a command run to completion. */
export interface RunResult {
  /** Exit code. */
  code: number;
  /** Stdout text. */
  stdout: string;
  /** Stderr text. */
  stderr: string;
}

/** Run the server command to completion (killed after `timeoutMs`): for `--help`, `--check`, bad configs. */
export async function runServer(
  options: ServerOptions & { timeoutMs?: number },
): Promise<RunResult> {
  const server = spawnServer({ ...options, rawArgs: options.rawArgs ?? true });
  const status = await server.waitForExit(options.timeoutMs ?? 15_000);
  if (!status) {
    await server.stop(0);
    throw new Error(
      `server did not exit within ${options.timeoutMs ?? 15_000} ms: ${server.stdout}`,
    );
  }
  return { code: status.code, stdout: server.stdout, stderr: server.stderr };
}

/** A temporary directory, removed on dispose. */
export interface TempDir extends AsyncDisposable {
  /** Its path. */
  path: string;
  /** Write a file in it; resolves with the file's path. */
  write(name: string, text: string): Promise<string>;
}

/** Make a temporary directory (for configs and bundles). */
export async function tempDir(): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix: "llmux-e2e-" });
  return {
    path,
    async write(name, text) {
      const file = `${path}/${name}`;
      await Deno.writeTextFile(file, text);
      return file;
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/** Poll `probe` every `intervalMs` until it returns true or `timeoutMs` passes; resolves with the elapsed ms or `undefined`. */
export async function pollUntil(
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 1,
): Promise<number | undefined> {
  const start = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Whether a new TCP connection to `127.0.0.1:port` is refused.
 *
 * A connection reset is "not yet": while a listener closes, a connection
 * already in its accept queue is reset rather than refused, and the next
 * attempt is refused. Pollers call again; a single call answers `false`.
 */
export async function connectionRefused(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return false;
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionRefused) return true;
    if (error instanceof Deno.errors.ConnectionReset) return false;
    throw error;
  }
}

/** A response read off a raw HTTP/1.1 connection. */
export interface RawResponse {
  /** Status code. */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** Body text (chunked encoding undone). */
  body: string;
}

function dechunk(body: string): string {
  let out = "";
  let rest = body;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    if (eol === -1) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/**
 * Send raw bytes on a new TCP connection to `127.0.0.1:port` and read the
 * response until the server closes (send `Connection: close`); at most
 * `timeoutMs` (default 5 s), then the connection is closed. One fresh
 * connection per call, so `SO_REUSEPORT` can hand each to any worker.
 */
export async function rawHttp(
  port: number,
  request: string | Uint8Array,
  options: { timeoutMs?: number; closeWrite?: boolean } = {},
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), options.timeoutMs ?? 5_000);
  try {
    await conn.write(typeof request === "string" ? new TextEncoder().encode(request) : request);
    // Half-close: the server reads end-of-stream after the request (e.g. a truncated body).
    if (options.closeWrite) await conn.closeWrite();
    const parts: Uint8Array[] = [];
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      parts.push(buf.slice(0, n));
    }
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      bytes.set(p, offset);
      offset += p.length;
    }
    const text = new TextDecoder().decode(bytes);
    const split = text.indexOf("\r\n\r\n");
    if (split === -1) throw new Error(`no HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
    const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
    const headers = new Headers();
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    let body = text.slice(split + 4);
    if (headers.get("transfer-encoding")?.includes("chunked")) body = dechunk(body);
    return { status: Number(statusLine.split(" ")[1]), headers, body };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // closed by the timer
    }
  }
}

/** A complete HTTP/1.1 request with `Connection: close` for {@linkcode rawHttp}. */
export function httpRequest(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): string {
  const all: Record<string, string> = { host: "127.0.0.1", connection: "close", ...headers };
  if (body !== undefined) all["content-length"] = String(new TextEncoder().encode(body).length);
  const head = Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  return `${method} ${path} HTTP/1.1\r\n${head}\r\n${body ?? ""}`;
}
