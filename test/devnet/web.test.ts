// The devnet's web server (devnet/web.ts): serves the build and the generated config.json, nothing
// outside the build folder, and knows when the build is out of date.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { serveWeb, webBuildIsCurrent, webConfig, type WebServer } from "../../devnet/web.ts";

/** A raw GET (no URL normalisation by the client, so `..` reaches the server as sent). */
function get(url: string, path: string, method = "GET"): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"] ?? ""), body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("devnet web server", () => {
  let dir: string;
  let server: WebServer;
  const info = {
    api: { url: "http://127.0.0.1:8080", docs: "http://127.0.0.1:8080/docs" },
    chains: {
      bttc: { family: "evm", chainId: "1337199", rpcUrl: "http://127.0.0.1:8547" },
      tron: { family: "tron", chainId: "1337728", fullHost: "http://127.0.0.1:9090" },
    },
    accounts: [{ index: 0, address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", tronAddress: "TYBN", privateKey: "0xac" }],
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "bttb-web-"));
    mkdirSync(join(dir, "dist", "assets"), { recursive: true });
    writeFileSync(join(dir, "dist", "index.html"), "<!doctype html><title>page</title>");
    writeFileSync(join(dir, "dist", "assets", "app.js"), "console.log(1)");
    writeFileSync(join(dir, "secret.txt"), "not to be served");
    server = await serveWeb(join(dir, "dist"), "127.0.0.1", 0, webConfig(info));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves index.html, the assets and a config.json naming this devnet", async () => {
    const index = await get(server.url, "/");
    assert.equal(index.status, 200);
    assert.match(index.type, /text\/html/);
    assert.match(index.body, /<title>page<\/title>/);
    const asset = await get(server.url, "/assets/app.js");
    assert.equal(asset.status, 200);
    assert.match(asset.type, /javascript/);
    const config = await get(server.url, "/config.json");
    assert.equal(config.status, 200);
    assert.deepEqual(JSON.parse(config.body), {
      apiUrl: "http://127.0.0.1:8080",
      devnet: true,
      chains: {
        bttc: { chainId: "1337199", rpcUrl: "http://127.0.0.1:8547" },
        tron: { chainId: "1337728", fullHost: "http://127.0.0.1:9090" },
      },
      demoAccounts: info.accounts,
    });
  });

  it("serves nothing outside the build folder, and only GET and HEAD", async () => {
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt", "/%2e%2e%2fsecret.txt"]) {
      const answer = await get(server.url, path);
      assert.equal(answer.status, 404, path);
      assert.doesNotMatch(answer.body, /not to be served/, path);
    }
    assert.equal((await get(server.url, "/nothing.js")).status, 404);
    assert.equal((await get(server.url, "/%zz")).status, 400);
    assert.equal((await get(server.url, "/", "POST")).status, 405);
  });

  it("calls the build out of date when it is missing or older than a source", () => {
    const root = mkdtempSync(join(tmpdir(), "bttb-webroot-"));
    try {
      mkdirSync(join(root, "web", "src"), { recursive: true });
      writeFileSync(join(root, "web", "src", "main.tsx"), "x");
      assert.equal(webBuildIsCurrent(root), false); // no build
      mkdirSync(join(root, "web", "dist"));
      writeFileSync(join(root, "web", "dist", "index.html"), "x");
      const now = Date.now() / 1000;
      utimesSync(join(root, "web", "src", "main.tsx"), now - 100, now - 100);
      utimesSync(join(root, "web", "dist", "index.html"), now - 50, now - 50);
      assert.equal(webBuildIsCurrent(root), true);
      utimesSync(join(root, "web", "src", "main.tsx"), now, now); // a source edited after the build
      assert.equal(webBuildIsCurrent(root), false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
