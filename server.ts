// deno-lint-ignore-file no-console
/**
 * llmux proxy: the command line. Reads a LiteLLM `config.yaml`, builds the
 * router and serves the OpenAI- and Anthropic-compatible API.
 *
 *   deno run -A server.ts --config config.yaml [--port 4000] [--host 0.0.0.0]
 *                         [--workers N] [--env-file .env]
 *
 * Exit codes: 0 clean shutdown or --help; 1 bad config or cannot listen;
 * 2 bad command line.
 *
 * @module
 */

// Only the command line and the supervisor are loaded up front: the gateway's modules load with
// `import()` in the process that serves, so a `--workers N` supervisor stays small.
import type { Router } from "./src/fallback/router.ts";
import type { GatewayState } from "./src/server/enforce/gateway.ts";
import type { Logger } from "@logtape/logtape";
import denoJson from "./deno.json" with { type: "json" };

const HELP = `llmux ${denoJson.version}: an LLM gateway speaking the OpenAI and Anthropic APIs

Usage:
  deno run -A server.ts --config <file> [options]
  llmux --config <file> [options]            (compiled binary)

Options:
  -c, --config <file>         LiteLLM-format config.yaml (default: config.yaml, or $LLMUX_CONFIG)
  -p, --port <n>              port to listen on (default: 4000, or $PORT)
  -H, --host <addr>           address to bind (default: 0.0.0.0, or $HOST)
  -w, --workers <n>           processes sharing the port via SO_REUSEPORT (default: 1)
      --env-file <file>       load KEY=VALUE lines into the environment before reading the config
      --shutdown-timeout <s>  seconds to let in-flight requests finish on SIGTERM/SIGINT (default: 30)
      --log-level <level>     debug | info | warning | error (default: info)
      --check                 validate the config, print what would be served, and exit
  -h, --help                  show this help
  -v, --version               print the version

Exit codes: 0 clean exit, 1 invalid config or cannot listen, 2 invalid command line.
`;

/** Parsed command line. */
interface Flags {
  config: string;
  port: number;
  host: string;
  workers: number;
  envFile: string | undefined;
  shutdownTimeout: number;
  logLevel: string;
  check: boolean;
}

class UsageError extends Error {}

function parseFlags(
  args: string[],
  env: (name: string) => string | undefined,
): Flags | "help" | "version" {
  const flags: Flags = {
    config: env("LLMUX_CONFIG") ?? "config.yaml",
    port: Number(env("PORT") ?? 4000),
    host: env("HOST") ?? "0.0.0.0",
    workers: 1,
    envFile: undefined,
    shutdownTimeout: 30,
    logLevel: "info",
    check: false,
  };
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    let value: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq !== -1) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const take = () => {
      if (value !== undefined) return value;
      const next = args[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    const int = (name: string, min: number) => {
      const n = Number(take());
      if (!Number.isInteger(n) || n < min) {
        throw new UsageError(`${name} must be an integer ≥ ${min}`);
      }
      return n;
    };
    switch (arg) {
      case "-h":
      case "--help":
        return "help";
      case "-v":
      case "--version":
        return "version";
      case "-c":
      case "--config":
        flags.config = take();
        break;
      case "-p":
      case "--port":
        flags.port = int("--port", 0);
        break;
      case "-H":
      case "--host":
        flags.host = take();
        break;
      case "-w":
      case "--workers":
        flags.workers = int("--workers", 1);
        break;
      case "--env-file":
        flags.envFile = take();
        break;
      case "--shutdown-timeout":
        flags.shutdownTimeout = int("--shutdown-timeout", 0);
        break;
      case "--log-level":
        flags.logLevel = take();
        break;
      case "--check":
        flags.check = true;
        break;
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  if (!Number.isInteger(flags.port) || flags.port < 0 || flags.port > 65535) {
    throw new UsageError("--port must be between 0 and 65535");
  }
  return flags;
}

/** Parse a `.env` file: KEY=VALUE lines, `export` prefix, quotes, comments. */
function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (/^"(.*)"$/.test(value)) {
      value = value.slice(1, -1).replace(/\\n/g, "\n").replace(/\\"/g, '"');
    } else if (/^'(.*)'$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, "");
    out[m[1]] = value;
  }
  return out;
}

function processEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

async function main(args: string[]): Promise<number> {
  let flags: Flags | "help" | "version";
  try {
    flags = parseFlags(args, processEnv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`llmux: ${error.message}\n\n${HELP}`);
      return 2;
    }
    throw error;
  }
  if (flags === "help") {
    console.log(HELP);
    return 0;
  }
  if (flags === "version") {
    console.log(`llmux ${denoJson.version}`);
    return 0;
  }

  // Environment: process env, then --env-file, then the config's environment_variables.
  let fileEnv: Record<string, string> = {};
  if (flags.envFile) {
    try {
      fileEnv = parseEnvFile(await Deno.readTextFile(flags.envFile));
    } catch (error) {
      console.error(`llmux: cannot read --env-file ${flags.envFile}: ${(error as Error).message}`);
      return 1;
    }
  }
  const baseEnv = (name: string) => fileEnv[name] ?? processEnv(name);

  // --workers N: this process only supervises N workers sharing one port (SO_REUSEPORT); each
  // worker loads and checks the config (worker 0 reports what it finds).
  const isWorker = processEnv("LLMUX_WORKER") === "1";
  if (flags.workers > 1 && !isWorker && !flags.check) {
    const { configureLogging, getLlmuxLogger } = await import("./src/server/logging.ts");
    const logging = await configureLogging({
      sink: "stdout",
      level: flags.logLevel === "warn" ? "warning" : flags.logLevel as "info",
    });
    try {
      return await superviseWorkers(flags, args, getLlmuxLogger("server"));
    } finally {
      await logging[Symbol.asyncDispose]();
    }
  }
  // Workers other than the first say nothing the first one says too.
  const quiet = isWorker && processEnv("LLMUX_WORKER_INDEX") !== "0";
  const fail = quiet ? () => {} : (message: string) => console.error(message);

  const [
    { ConfigError, loadConfig, withConfigEnv },
    { Router },
    { tokenCounter },
    { createApp },
    { createServerRuntime, logPromptsOf },
    { createHealthMonitor },
  ] = await Promise.all([
    import("./src/config/mod.ts"),
    import("./src/fallback/router.ts"),
    import("./src/token_counter.ts"),
    import("./src/server/app.ts"),
    import("./src/server/runtime.ts"),
    import("./src/server/health.ts"),
  ]);

  let loaded;
  try {
    loaded = await loadConfig(flags.config, { env: baseEnv });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof Deno.errors.NotFound) {
      fail(`llmux: ${error.message}`);
      return 1;
    }
    fail(`llmux: cannot load ${flags.config}: ${(error as Error).message}`);
    return 1;
  }
  // As in LiteLLM, the real environment wins; environment_variables fill the gaps.
  const env = withConfigEnv(baseEnv, loaded.env);

  const masterKey = loaded.config.general_settings.master_key;
  const runtime = await createServerRuntime({
    logLevel: flags.logLevel,
    logPrompts: logPromptsOf(loaded.config),
    secrets: masterKey ? [masterKey] : [],
  });
  const log = runtime.log;
  const warn = quiet ? () => {} : (message: string) => log.warn(message);
  for (const warning of loaded.warnings) warn(`config: ${warning}`);
  for (const u of loaded.unavailable) {
    warn(`model "${u.model_name}" (${u.model}) is unavailable: ${u.reason}`);
  }
  if (!masterKey) {
    warn(
      "NO MASTER KEY: general_settings.master_key is not set, so anyone who can reach this port " +
        "can use every model. Set it (e.g. master_key: os.environ/LLMUX_MASTER_KEY).",
    );
  }
  if (loaded.router.model_list.length === 0) {
    fail("llmux: no model is available (every model in the config lacks its key)");
    await runtime.close();
    return 1;
  }

  // With a master key: virtual keys, budgets, limits and spend (store, counters, admin API).
  let gateway: GatewayState | undefined;
  if (masterKey && !flags.check) {
    try {
      const { openGatewayState } = await import("./src/server/enforce/gateway.ts");
      gateway = await openGatewayState({ config: loaded.config, env, log });
    } catch (error) {
      fail(`llmux: cannot open the gateway state: ${(error as Error).message}`);
      await runtime.close();
      return 1;
    }
  }

  let router: Router;
  try {
    router = new Router(loaded.router, {
      env,
      callbacks: runtime.routerCallbacks,
      preCallCheck: gateway?.enforcement.preCallCheck,
      cooldownStore: gateway?.cooldownStore,
    });
    runtime.attach(router);
  } catch (error) {
    fail(`llmux: invalid router settings: ${(error as Error).message}`);
    await gateway?.close();
    return 1;
  }
  if (flags.check) {
    console.log(
      `config OK: ${router.modelGroups.length} model group(s): ${router.modelGroups.join(", ")}`,
    );
    return 0;
  }

  const gs = loaded.config.general_settings;
  const health = createHealthMonitor(router, {
    background: gs.background_health_checks === true,
    intervalS: typeof gs.health_check_interval === "number" ? gs.health_check_interval : undefined,
    details: gs.health_check_details !== false,
    unavailable: loaded.unavailable,
  });
  let shuttingDown = false;
  const app = createApp({
    router,
    health,
    shuttingDown: () => shuttingDown,
    masterKey,
    allowClientSideCredentials:
      loaded.config.general_settings.allow_client_side_credentials === true,
    bodyLimits: {
      maxBytes: Math.floor(
        (loaded.config.general_settings.max_request_size_mb ?? 10) * 1024 * 1024,
      ),
      maxDepth: 64,
    },
    unavailable: loaded.unavailable,
    version: denoJson.version,
    ...runtime.appOptions,
    ...gateway?.appOptions(runtime.appOptions),
  });
  gateway?.start();

  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      port: flags.port,
      hostname: flags.host,
      reusePort: isWorker,
      onListen: ({ hostname, port }) => {
        // The tokenizer's tables (≈ 50 MB) load on first use. Only when a deployment sets
        // `max_input_tokens` (a token count before every call to its group) are they loaded
        // now, off the first request's path.
        if (router.deployments.some((d) => d.maxInputTokens !== undefined)) {
          tokenCounter({ text: "warm up" }).catch(() => {});
        }
        const worker = isWorker ? ` [worker ${processEnv("LLMUX_WORKER_INDEX") ?? "?"}]` : "";
        log.info(
          `llmux ${denoJson.version} listening on http://${hostname}:${port} ` +
            `(${router.modelGroups.length} model groups, ${flags.workers} worker(s))${worker}`,
        );
      },
    }, app.fetch);
  } catch (error) {
    console.error(
      `llmux: cannot listen on ${flags.host}:${flags.port}: ${(error as Error).message}`,
    );
    await gateway?.close();
    return 1;
  }

  // Graceful shutdown: stop accepting, let in-flight requests and streams finish (bounded).
  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    try {
      Deno.addSignalListener(signal, () => stop(signal));
    } catch {
      // signals unsupported on this platform
    }
  }
  const reason = await Promise.race([stopped, server.finished.then(() => "closed")]);
  if (reason !== "closed") {
    shuttingDown = true;
    log.info(
      `${reason}: shutting down (waiting up to ${flags.shutdownTimeout}s for in-flight requests)`,
    );
    const drained = server.shutdown().then(() => true);
    const timedOut = new Promise<boolean>((r) =>
      setTimeout(() => r(false), flags.shutdownTimeout * 1000)
    );
    const clean = await Promise.race([drained, timedOut]);
    if (!clean) log.warn("shutdown timeout reached: closing remaining connections");
  }
  await health[Symbol.asyncDispose]();
  await gateway?.close();
  await runtime.close();
  return 0;
}

/**
 * `--workers N`: run N copies of this command as workers sharing one port
 * through SO_REUSEPORT (which Deno gates behind `--unstable-net`, so the
 * workers get it), forward SIGTERM/SIGINT to them and wait for them. 0 once
 * every worker has exited cleanly after a signal; 1 when one exits on its
 * own (the others are then stopped).
 */
async function superviseWorkers(flags: Flags, args: string[], log: Logger): Promise<number> {
  let port = flags.port;
  if (port === 0) {
    // One free port for every worker (port 0 would give each its own).
    try {
      const probe = Deno.listen({ hostname: flags.host, port: 0 });
      port = (probe.addr as Deno.NetAddr).port;
      probe.close();
    } catch (error) {
      console.error(`llmux: cannot listen on ${flags.host}:0: ${(error as Error).message}`);
      return 1;
    }
  }
  const exec = Deno.execPath();
  const viaDeno = /(^|[\\/])deno(\.exe)?$/.test(exec);
  const workerArgs = [
    ...(viaDeno
      ? ["run", "-A", "--unstable-net", "--unstable-no-legacy-abort", Deno.mainModule]
      : []),
    ...args,
    "--port",
    String(port),
  ];
  log.info(`starting ${flags.workers} workers on ${flags.host}:${port}`);
  const workers = Array.from({ length: flags.workers }, (_, i) =>
    new Deno.Command(exec, {
      args: workerArgs,
      env: { LLMUX_WORKER: "1", LLMUX_WORKER_INDEX: String(i) },
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn());
  let signalled = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const stopAll = (signal: Deno.Signal) => {
    for (const worker of workers) {
      try {
        worker.kill(signal);
      } catch {
        // already gone
      }
    }
    // Workers bound their own drain by --shutdown-timeout; this is the backstop.
    killTimer ??= setTimeout(() => stopAll("SIGKILL"), (flags.shutdownTimeout + 5) * 1000);
  };
  const listeners: [Deno.Signal, () => void][] = (["SIGTERM", "SIGINT"] as const).map((
    signal,
  ) => [signal, () => {
    signalled = true;
    stopAll(signal);
  }]);
  for (const [signal, listener] of listeners) {
    try {
      Deno.addSignalListener(signal, listener);
    } catch {
      // signals unsupported on this platform
    }
  }
  const statuses = workers.map((w) => w.status);
  const [index, first] = await Promise.race(
    statuses.map((status, i) => status.then((s) => [i, s] as const)),
  );
  if (!signalled) {
    log.error(`worker ${index} exited with code ${first.code}: stopping the others`);
    // A bad config stops every worker on its own, and worker 0 says why: give them a moment.
    let grace: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(statuses),
      new Promise((r) => grace = setTimeout(r, 2_000)),
    ]);
    clearTimeout(grace);
    stopAll("SIGTERM");
  }
  const all = await Promise.all(statuses);
  clearTimeout(killTimer);
  for (const [signal, listener] of listeners) {
    try {
      Deno.removeSignalListener(signal, listener);
    } catch {
      // signals unsupported on this platform
    }
  }
  return signalled && all.every((s) => s.success) ? 0 : 1;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
