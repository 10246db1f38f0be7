// A test-only HTTP proxy in front of a local JSON-RPC endpoint that can be switched, while a test runs,
// between passing requests through, answering 429 (with Retry-After), dropping connections and delaying
// requests: an RPC endpoint having a bad moment, on demand. Loopback only, bounded, closes cleanly.
import { Agent, createServer, request as httpRequest } from "node:http";
import type { ClientRequest, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FlakyMode =
  | { kind: "pass" }
  /** Answers HTTP 429 with `Retry-After: retryAfterSeconds` (default 1). */
  | { kind: "rateLimit"; retryAfterSeconds?: number }
  /** Destroys the connection without an answer. */
  | { kind: "drop" }
  /** Passes the request on after `ms`. */
  | { kind: "delay"; ms: number };

export interface FlakyStats {
  requests: number;
  passed: number;
  rateLimited: number;
  dropped: number;
  delayed: number;
  /** JSON-RPC methods seen (batches counted per call), whatever happened to them. */
  methods: Map<string, number>;
}

export interface FlakyRpc {
  readonly url: string;
  readonly stats: FlakyStats;
  /** Switches behaviour; with `requests`, only for that many HTTP requests, then back to `pass`. */
  set(mode: FlakyMode, options?: { requests?: number }): void;
  resetStats(): void;
  close(): Promise<void>;
}

export interface FlakyLimits {
  maxBodyBytes?: number;
  maxDelayMs?: number;
  maxConnections?: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export async function startFlakyRpc(target: string, limits: FlakyLimits = {}): Promise<FlakyRpc> {
  const upstream = new URL(target);
  if (upstream.protocol !== "http:" || !LOOPBACK.has(upstream.hostname)) {
    throw new Error(`flaky-rpc forwards only to a loopback http endpoint, not ${target}`);
  }
  const maxBodyBytes = limits.maxBodyBytes ?? 1 << 20;
  const maxDelayMs = limits.maxDelayMs ?? 30_000;

  let mode: FlakyMode = { kind: "pass" };
  let remaining: number | null = null;
  const stats: FlakyStats = { requests: 0, passed: 0, rateLimited: 0, dropped: 0, delayed: 0, methods: new Map() };
  const timers = new Set<NodeJS.Timeout>();
  const forwarded = new Set<ClientRequest>();
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  let closed = false;

  const nextMode = (): FlakyMode => {
    const current = mode;
    if (remaining !== null && --remaining <= 0) {
      mode = { kind: "pass" };
      remaining = null;
    }
    return current;
  };

  const forward = (body: Buffer, res: ServerResponse) => {
    if (closed) return void res.destroy();
    const out = httpRequest(
      upstream,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": body.length } },
      (answer: IncomingMessage) => {
        res.writeHead(answer.statusCode ?? 502, { "content-type": answer.headers["content-type"] ?? "application/json" });
        answer.pipe(res);
      },
    );
    forwarded.add(out);
    out.once("close", () => forwarded.delete(out));
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    out.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        res.writeHead(413, { connection: "close" }).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > maxBodyBytes) return;
      const body = Buffer.concat(chunks);
      stats.requests++;
      countMethods(stats.methods, body);
      const current = nextMode();
      switch (current.kind) {
        case "pass":
          stats.passed++;
          forward(body, res);
          return;
        case "rateLimit":
          stats.rateLimited++;
          res
            .writeHead(429, { "content-type": "application/json", "retry-after": String(current.retryAfterSeconds ?? 1) })
            .end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32005, message: "rate limited (flaky-rpc)" } }));
          return;
        case "drop":
          stats.dropped++;
          req.socket.destroy();
          return;
        case "delay": {
          stats.delayed++;
          const timer = setTimeout(
            () => {
              timers.delete(timer);
              forward(body, res);
            },
            Math.min(Math.max(0, current.ms), maxDelayMs),
          );
          timers.add(timer);
          return;
        }
      }
    });
  });
  server.maxConnections = limits.maxConnections ?? 64;
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    set(next, options = {}) {
      if (next.kind === "delay" && !(next.ms >= 0 && next.ms <= maxDelayMs)) {
        throw new Error(`flaky-rpc delay must be 0..${maxDelayMs} ms`);
      }
      mode = next;
      remaining = options.requests ?? null;
      if (remaining !== null && remaining <= 0) {
        mode = { kind: "pass" };
        remaining = null;
      }
    },
    resetStats() {
      Object.assign(stats, { requests: 0, passed: 0, rateLimited: 0, dropped: 0, delayed: 0 });
      stats.methods.clear();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const out of forwarded) out.destroy();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await done;
    },
  };
}

function countMethods(methods: Map<string, number>, body: Buffer): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return;
  }
  for (const call of Array.isArray(parsed) ? parsed : [parsed]) {
    const method = (call as { method?: unknown } | null)?.method;
    if (typeof method === "string") methods.set(method, (methods.get(method) ?? 0) + 1);
  }
}
