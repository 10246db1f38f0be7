// GET /health and GET /metrics of the watchtower (node:http: two read-only routes need no framework).
// /health answers 200 while rounds complete (the last one within `staleMs`), 503 when they do not (an
// RPC endpoint down for long, a stalled loop); either way it says which blocks were checked, how many
// alarms are recorded and which gateways the watchtower has seen paused.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Watchtower } from "./watchtower.ts";

export interface WatchtowerHttp {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startHttp(watchtower: Watchtower, host: string, port: number): Promise<WatchtowerHttp> {
  const staleMs = Math.max(30_000, 20 * watchtower.config.pollIntervalMs);
  const server = createServer((request, response) => {
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { "content-type": type });
      response.end(body);
    };
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET") return send(405, "application/json", JSON.stringify({ code: "METHOD_NOT_ALLOWED", message: "GET only" }));
    if (path === "/metrics") {
      watchtower.metrics.registry.metrics().then(
        (text) => send(200, watchtower.metrics.registry.contentType, text),
        (error: unknown) => send(500, "text/plain", String(error)),
      );
      return;
    }
    if (path === "/health") {
      const last = watchtower.lastRoundAt;
      const healthy = last !== null && Date.now() - last <= staleMs;
      const state = watchtower.state;
      return send(
        healthy ? 200 : 503,
        "application/json",
        JSON.stringify({
          status: healthy ? "ok" : "stalled",
          mode: watchtower.config.mode,
          lastRoundAt: last === null ? null : new Date(last).toISOString(),
          lastError: watchtower.lastError,
          checkedTo: Object.fromEntries(watchtower.chains.map((c) => [c.name, (state.next(c.name) - 1n).toString()])),
          alarms: state.alarms.length,
          pause: state.pause,
        }),
      );
    }
    send(404, "application/json", JSON.stringify({ code: "NOT_FOUND", message: `no route ${path}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
