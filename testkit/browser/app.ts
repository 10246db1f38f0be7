// The web app in headless Chromium against a running devnet, for the browser scenarios: one devnet and
// one browser per test file; each scenario gets a fresh browser context (no state carried over) with the
// wallet stand-ins it asks for, and reads chains directly to check what the page claims.
import { readFileSync } from "node:fs";
import { Contract, JsonRpcProvider } from "ethers";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { DevnetInfo } from "../../devnet/configs.ts";
import { startDevnetProcess, type DevnetProcess } from "../devnet.ts";
import { launchChromium, withScreenshotOnFailure } from "./chromium.ts";
import { EvmTestWallet } from "./evm-wallet.ts";
import { installWallets } from "./page-wallets.ts";
import { TronTestWallet } from "./tron-wallet.ts";

export const EVM_CHAIN_NAMES = ["bttc", "ethereum", "bsc"] as const;
export type EvmChainName = (typeof EVM_CHAIN_NAMES)[number];

export interface Session {
  page: Page;
  context: BrowserContext;
  evm?: EvmTestWallet;
  tron?: TronTestWallet;
  /** The page's console and page errors, for a failure's message. */
  consoleLines: string[];
  /** Opens a route of the app, e.g. "#/bridge". */
  open(route: string): Promise<void>;
  /** Runs a step; on failure saves a screenshot and prints its path. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** A Hardhat key for the EIP-1193 wallet (announced through EIP-6963). */
  evmKey?: string;
  /** A key for the TronLink stand-in. */
  tronKey?: string;
  /** The chain the EVM wallet starts on (default BTTC). */
  evmChain?: EvmChainName;
}

/**
 * `BTTB_BROWSER_DEVNET=<devnet.json>`: run against a devnet already running (e.g. `npm start`'s
 * .devnet/devnet.json) instead of starting one; it is left running. For working on the tests.
 */
function attachedDevnet(): DevnetProcess | undefined {
  const file = process.env.BTTB_BROWSER_DEVNET;
  if (!file) return undefined;
  const info = JSON.parse(readFileSync(file, "utf8")) as DevnetInfo;
  return { info, infoFile: file, dataDir: "", child: null as never, output: () => "", stop: () => Promise.resolve(null) };
}

export class AppHarness {
  readonly devnet: DevnetProcess;
  readonly browser: Browser;
  /** The app's address (index.html). */
  readonly url: string;
  private readonly providers = new Map<EvmChainName, JsonRpcProvider>();

  private constructor(devnet: DevnetProcess, browser: Browser, url: string) {
    this.devnet = devnet;
    this.browser = browser;
    this.url = url;
  }

  /**
   * Chromium, then a devnet (with its web app, `web.url` in devnet.json), unless `running` gives one
   * already started. A missing Chromium fails here, saying how to install it.
   */
  static async start(label: string, running: DevnetProcess | undefined = attachedDevnet()): Promise<AppHarness> {
    const browser = await launchChromium();
    let devnet: DevnetProcess | undefined = running;
    try {
      devnet ??= await startDevnetProcess(label);
      const url = devnet.info.web?.url;
      if (!url) throw new Error("the devnet serves no web app (no web.url in its devnet.json)");
      return new AppHarness(devnet, browser, url);
    } catch (error) {
      if (!running) await devnet?.stop();
      await browser.close();
      throw error;
    }
  }

  get info(): DevnetInfo {
    return this.devnet.info;
  }

  chain(name: EvmChainName): { chainId: bigint; rpcUrl: string; gateway: string; token?: string; legacyToken?: string } {
    const c = this.info.chains[name]!;
    return {
      chainId: BigInt(c.chainId!),
      rpcUrl: String(c.rpcUrl),
      gateway: String(c.gateway),
      ...(c.token ? { token: String(c.token) } : {}),
      ...(c.legacyToken ? { legacyToken: String(c.legacyToken) } : {}),
    };
  }

  /** A provider without ethers' request cache, for reads that must see the latest state. */
  provider(name: EvmChainName): JsonRpcProvider {
    let p = this.providers.get(name);
    if (!p) {
      const c = this.chain(name);
      p = new JsonRpcProvider(c.rpcUrl, c.chainId, { staticNetwork: true, cacheTimeout: -1 });
      this.providers.set(name, p);
    }
    return p;
  }

  /** Native BTT on BTTC (wei). */
  async bttcBalance(address: string): Promise<bigint> {
    return this.provider("bttc").getBalance(address);
  }

  /** An ERC-20/BEP-20 balance on `chain`: the bridged BTT token, or the legacy BTTOLD token. */
  async tokenBalance(chain: EvmChainName, which: "token" | "legacyToken", address: string): Promise<bigint> {
    const token = this.chain(chain)[which];
    if (!token) throw new Error(`${chain} has no ${which}`);
    const erc20 = new Contract(token, ["function balanceOf(address) view returns (uint256)"], this.provider(chain));
    return (await erc20.getFunction("balanceOf")(address)) as bigint;
  }

  /** The TRC-10 BTTOLD (1002000) balance of a TRON account at the node's head, in base units. */
  async tronTokenBalance(base58: string): Promise<bigint> {
    const tron = this.info.chains.tron!;
    const response = await fetch(`${String(tron.fullHost)}/wallet/getaccount`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ address: base58, visible: true }),
    });
    // Decimal digits kept as text: an int64 balance may not fit a JS number.
    const text = await response.text();
    const match = new RegExp(`"key"\\s*:\\s*"${String(tron.token)}"\\s*,\\s*"value"\\s*:\\s*(\\d+)`).exec(text);
    return match ? BigInt(match[1]!) : 0n;
  }

  /** An API call, as JSON. */
  async api<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.info.api.url}${path}`, init);
    return { status: response.status, body: (await response.json()) as T };
  }

  async session(name: string, options: SessionOptions = {}): Promise<Session> {
    const context = await this.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const consoleLines: string[] = [];
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
    const evm = options.evmKey
      ? new EvmTestWallet(
          options.evmKey,
          EVM_CHAIN_NAMES.map((n) => ({ chainId: this.chain(n).chainId, rpcUrl: this.chain(n).rpcUrl })),
          this.chain(options.evmChain ?? "bttc").chainId,
        )
      : undefined;
    const tron = options.tronKey ? new TronTestWallet(options.tronKey, String(this.info.chains.tron!.fullHost)) : undefined;
    await installWallets(page, { ...(evm ? { evm } : {}), ...(tron ? { tron } : {}) });
    const base = this.url;
    return {
      page,
      context,
      ...(evm ? { evm } : {}),
      ...(tron ? { tron } : {}),
      consoleLines,
      open: async (route) => {
        await page.goto(new URL(route, base).toString());
      },
      step: (stepName, fn) => withScreenshotOnFailure(page, `${name}-${stepName}`, fn, consoleLines),
      close: async () => {
        evm?.close();
        await context.close();
      },
    };
  }

  async stop(): Promise<void> {
    for (const p of this.providers.values()) p.destroy();
    this.providers.clear();
    await this.browser.close().catch(() => {});
    await this.devnet.stop();
  }
}
