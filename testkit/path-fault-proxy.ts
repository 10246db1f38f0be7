// A test-only HTTP proxy in front of a local HTTP API (the TRON development node) that passes every request
// through, except those to the paths a test names while it names them, which it answers with HTTP 503:
// one endpoint of a node having a bad moment while the rest works (e.g. a transaction's inclusion cannot
// be read, but new transactions are still taken). Loopback only; flaky-rpc.ts is its JSON-RPC sibling.
import { Agent, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";

export interface PathFaultProxy {
  readonly url: string;
  /** Paths (e.g. "/wallet/gettransactioninfobyid") answered 503 from now on; none = pass everything. */
  failPaths(paths: readonly string[]): void;
  /** Requests answered 503 so far. */
  readonly failed: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export async function startPathFaultProxy(target: string): Promise<PathFaultProxy> {
  const upstream = new URL(target);
  if (upstream.protocol !== "http:" || !LOOPBACK.has(upstream.hostname)) {
    throw new Error(`path-fault-proxy forwards only to a loopback http endpoint, not ${target}`);
  }
  let failing = new Set<string>();
  let failed = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://proxy").pathname;
    if (failing.has(path)) {
      failed++;
      req.resume();
      res.writeHead(503, { "content-type": "text/plain" }).end("unavailable (path-fault-proxy)");
      return;
    }
    const headers = { ...req.headers, host: upstream.host };
    const out = httpRequest(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(out);
  });

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
    failPaths(paths) {
      failing = new Set(paths);
    },
    get failed() {
      return failed;
    },
    async close() {
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await done;
    },
  };
}
