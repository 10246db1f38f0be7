// The web app on the devnet: built into web/dist when the build is missing or older than its sources,
// then served as static files with a `config.json` generated for this devnet (the API's URL, the chains'
// RPC URLs, the demo accounts) by a small node:http server inside the devnet process.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import type { DevnetInfo } from "./configs.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
};

/** What the build reads: when any of it is newer than web/dist/index.html, the build is out of date. */
function newestSource(root: string): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const p of ["web/src", "web/index.html", "web/vite.config.ts", "web/public", "common/redenomination.ts", "package-lock.json"]) {
    visit(join(root, p));
  }
  return newest;
}

export function webBuildIsCurrent(root: string): boolean {
  const index = join(root, "web", "dist", "index.html");
  return existsSync(index) && statSync(index).mtimeMs >= newestSource(root);
}

/** The page's runtime configuration (docs/web.md), from what the devnet started. */
export function webConfig(info: Pick<DevnetInfo, "api" | "chains" | "accounts">): Record<string, unknown> {
  const chains: Record<string, unknown> = {};
  for (const [name, chain] of Object.entries(info.chains)) {
    chains[name] =
      chain.family === "tron"
        ? { fullHost: chain.fullHost, chainId: String(chain.chainId) }
        : { chainId: String(chain.chainId), rpcUrl: chain.rpcUrl };
  }
  return { apiUrl: info.api.url, devnet: true, chains, demoAccounts: info.accounts };
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `dist` (GET and HEAD only; no path leaves it) and `config` as /config.json. */
export function serveWeb(dist: string, host: string, port: number, config: unknown): Promise<WebServer> {
  const base = resolve(dist);
  const configBody = JSON.stringify(config, null, 2);
  const server: Server = createServer((request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    if (path === "/config.json") {
      response.writeHead(200, { "content-type": TYPES[".json"]!, "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : configBody);
      return;
    }
    const file = normalize(join(base, path === "/" ? "index.html" : path));
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
      return;
    }
    // Hashed asset names never change content; index.html must be revalidated to pick up a new build.
    const cache = path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": cache });
    response.end(request.method === "HEAD" ? undefined : readFileSync(file));
  });
  return new Promise((resolveServer, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolveServer({
        url: `http://${host}:${typeof address === "object" && address ? address.port : port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** The origins the page is served from, which the devnet's API lets call it (CORS). */
export function webOrigins(host: string, port: number): string[] {
  const origins = [`http://${host}:${port}`];
  if (host === "127.0.0.1") origins.push(`http://localhost:${port}`);
  return origins;
}

/** Builds web/dist (`vite build`) when it is missing or out of date; says so when it is current. */
export async function buildWebIfStale(
  root: string,
  group: { run(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<void> },
  env: NodeJS.ProcessEnv,
  timed: (what: string, work: () => Promise<void>) => Promise<void>,
): Promise<void> {
  if (webBuildIsCurrent(root)) return;
  await timed("web app built (web/dist)", () =>
    group.run("web-build", join(root, "node_modules", ".bin", "vite"), ["build", "web"], env, root),
  );
}

/** Serves web/dist with this devnet's config.json. */
export function startWeb(root: string, host: string, port: number, info: DevnetInfo): Promise<WebServer> {
  return serveWeb(join(root, "web", "dist"), host, port, webConfig(info));
}
