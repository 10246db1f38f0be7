// The Node half of the browser tests' TronLink: a TronWeb with a demo key that answers the calls the
// page makes on `window.tronWeb` (the page half, tron-wallet-page.ts, forwards them here): it signs with
// the key and reads from, builds against and broadcasts to the configured TRON node. Only the calls a
// TronLink page uses are answered; a signature is only ever made with this wallet's own key.
import { TronWeb } from "tronweb";

export interface TronCall {
  /** `connect`, or `<namespace>.<method>` on TronWeb, e.g. `trx.sign`. */
  path: string;
  args: unknown[];
}

export interface TronAnswer {
  result?: unknown;
  error?: string;
}

/** What the page may call, by namespace; anything else is refused with a message naming it. */
const ALLOWED: Record<string, ReadonlySet<string>> = {
  trx: new Set([
    "sign",
    "signMessageV2",
    "sendRawTransaction",
    "getBalance",
    "getAccount",
    "getCurrentBlock",
    "getBlockByNumber",
    "getTransaction",
    "getTransactionInfo",
    "getConfirmedTransaction",
  ]),
  transactionBuilder: new Set(["sendToken", "sendTrx", "addUpdateData"]),
};

export class TronTestWallet {
  readonly tronWeb: TronWeb;
  readonly fullHost: string;
  private connected = false;
  /** Ids of the transactions this wallet signed, in order. */
  readonly signed: string[] = [];
  /** Ids of the transactions broadcast through it (`trx.sendRawTransaction`). */
  readonly broadcast: string[] = [];
  readonly log: string[] = [];

  constructor(privateKey: string, fullHost: string) {
    this.fullHost = fullHost;
    this.tronWeb = new TronWeb({ fullHost, privateKey: privateKey.replace(/^0x/, "") });
  }

  get base58(): string {
    return this.tronWeb.defaultAddress.base58 as string;
  }

  /** 41-prefixed hex, as TronLink's `defaultAddress.hex`. */
  get hex(): string {
    return this.tronWeb.defaultAddress.hex as string;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async handle(call: TronCall): Promise<TronAnswer> {
    this.log.push(call.path);
    try {
      return { result: await this.dispatch(call.path, Array.isArray(call.args) ? call.args : []) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  private async dispatch(path: string, args: unknown[]): Promise<unknown> {
    if (path === "connect") {
      this.connected = true;
      return this.base58;
    }
    const [namespace, method] = path.split(".");
    if (!namespace || !method || !ALLOWED[namespace]?.has(method)) throw new Error(`the test TronLink does not offer tronWeb.${path}`);
    if (method === "sign" || method === "signMessageV2" || method === "sendRawTransaction") {
      if (!this.connected) throw new Error("the page has not been granted the account (tron_requestAccounts)");
    }
    if (namespace === "trx" && method === "sign") {
      // TronWeb's sign takes an optional private key second: a page never chooses the key.
      const tx = args[0] as Parameters<TronWeb["trx"]["sign"]>[0];
      const signed = await this.tronWeb.trx.sign(tx);
      this.signed.push((signed as { txID: string }).txID);
      return signed;
    }
    if (namespace === "trx" && method === "signMessageV2") return this.tronWeb.trx.signMessageV2(args[0] as string);
    if (namespace === "trx" && method === "sendRawTransaction") {
      const answer = await this.tronWeb.trx.sendRawTransaction(args[0] as Parameters<TronWeb["trx"]["sendRawTransaction"]>[0]);
      const id = (args[0] as { txID?: string }).txID;
      if (id && (answer as { result?: boolean }).result === true) this.broadcast.push(id);
      return answer;
    }
    const target = (this.tronWeb as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>)[namespace]!;
    return target[method]!.apply(target, args);
  }
}
