// The page halves of the browser tests' wallets, installed before any page script runs: an EIP-1193
// provider announced through EIP-6963 (as wallet extensions announce themselves) and a TronLink-shaped
// `window.tronLink` / `window.tronWeb`. Neither holds a key: each request goes to Node through a
// Playwright binding, where evm-wallet.ts and tron-wallet.ts answer it.
import type { Page } from "playwright-core";
import type { EvmTestWallet, WalletAnswer } from "./evm-wallet.ts";
import type { TronTestWallet } from "./tron-wallet.ts";

export const TEST_WALLET_NAME = "Test Wallet";
export const TEST_WALLET_RDNS = "org.bttbridge.testwallet";
const EVM_BINDING = "__bttbEvmWallet";
const TRON_BINDING = "__bttbTronWallet";
/** A small square icon, as EIP-6963 asks for (a data URI). */
const ICON =
  "data:image/svg+xml;base64," +
  Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="#2a6"/></svg>').toString(
    "base64",
  );

// Runs in the page (plain JavaScript: it is sent as source text).
const EVM_PAGE_SCRIPT = `(() => {
  const info = Object.freeze(__INFO__);
  const listeners = new Map();
  const emit = (event, data) => {
    for (const listener of [...(listeners.get(event) || [])]) {
      try { listener(data); } catch (error) { console.error(error); }
    }
  };
  const provider = {
    isTestWallet: true,
    async request(args) {
      if (!args || typeof args.method !== "string") {
        throw Object.assign(new Error("request() takes { method, params }"), { code: -32602 });
      }
      const answer = await window.${EVM_BINDING}({ method: args.method, params: args.params === undefined ? [] : args.params });
      for (const [event, data] of answer.events || []) emit(event, data);
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      return answer.result;
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
      return provider;
    },
    removeListener(event, listener) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
  };
  provider.off = provider.removeListener;
  provider.addListener = provider.on;
  Object.defineProperty(window, "__bttbTestWallet", { value: Object.freeze({ provider, emit }) });
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();`;

const TRON_PAGE_SCRIPT = `(() => {
  const wallet = __WALLET__;
  const call = async (path, args) => {
    const answer = await window.${TRON_BINDING}({ path, args });
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer.result;
  };
  // Each method of a namespace is forwarded by name; Node refuses what it does not offer.
  const forward = (namespace) =>
    new Proxy({}, { get: (_, name) => (typeof name === "string" && name !== "then" ? (...args) => call(namespace + "." + name, args) : undefined) });
  const node = (host) => Object.freeze({ host });
  const tronWeb = {
    ready: true,
    defaultAddress: Object.freeze({ base58: wallet.base58, hex: wallet.hex }),
    fullNode: node(wallet.fullHost),
    solidityNode: node(wallet.fullHost),
    eventServer: node(wallet.fullHost),
    trx: forward("trx"),
    transactionBuilder: forward("transactionBuilder"),
  };
  let ready = false;
  const tronLink = {
    get ready() { return ready; },
    tronWeb,
    async request(args) {
      if (!args || args.method !== "tron_requestAccounts") throw new Error("the test TronLink does not offer " + (args && args.method));
      await call("connect", []);
      ready = true;
      return { code: 200, message: "The site is already in the whitelist" };
    },
  };
  window.tronLink = tronLink;
  window.tronWeb = tronWeb;
})();`;

export interface PageWallets {
  evm?: EvmTestWallet;
  tron?: TronTestWallet;
}

/** Installs the wallets into `page` (before it navigates: they are in place before the app's scripts). */
export async function installWallets(page: Page, wallets: PageWallets, uuid = "7e57a11e-0000-4000-8000-000000000001"): Promise<void> {
  if (wallets.evm) {
    const evm = wallets.evm;
    await page.exposeBinding(EVM_BINDING, (_source, request: { method: string; params?: unknown }) => evm.handle(request));
    const info = { uuid, name: TEST_WALLET_NAME, icon: ICON, rdns: TEST_WALLET_RDNS };
    await page.addInitScript({ content: EVM_PAGE_SCRIPT.replace("__INFO__", JSON.stringify(info)) });
  }
  if (wallets.tron) {
    const tron = wallets.tron;
    await page.exposeBinding(TRON_BINDING, (_source, call: { path: string; args: unknown[] }) => tron.handle(call));
    const wallet = { base58: tron.base58, hex: tron.hex, fullHost: tron.fullHost };
    await page.addInitScript({ content: TRON_PAGE_SCRIPT.replace("__WALLET__", JSON.stringify(wallet)) });
  }
}

/** Emits an EIP-1193 event in the page as the wallet would after a change made in the wallet itself. */
export async function emitWalletEvents(page: Page, events: WalletAnswer["events"]): Promise<void> {
  for (const [event, data] of events ?? [])
    await page.evaluate(
      ([e, d]) => (globalThis as unknown as { __bttbTestWallet: { emit(e: unknown, d: unknown): void } }).__bttbTestWallet.emit(e, d),
      [event, data] as const,
    );
}
