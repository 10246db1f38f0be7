// The Node half of the browser tests' EVM wallet: an EIP-1193 `request()` answered by an ethers Wallet
// holding a demo key, as a wallet extension would (the page half, evm-wallet-page.ts, only forwards).
// It signs and sends with the key, passes read calls to the current chain's RPC, remembers every
// transaction it sent (so a test can say "nothing was sent"), and tells the page which events to emit.
import { JsonRpcProvider, Transaction, Wallet, getAddress, getBytes, isHexString, toBeHex, type TransactionRequest } from "ethers";

/** An EIP-1193 error as a wallet gives it: 4001 refused, 4100 unauthorized, 4200 unsupported, 4902 unknown chain. */
export interface ProviderErrorShape {
  code: number;
  message: string;
}

/** What the page half receives for one request: the answer or the error, and events to emit after it. */
export interface WalletAnswer {
  result?: unknown;
  error?: ProviderErrorShape;
  events?: [event: "chainChanged" | "accountsChanged", data: unknown][];
}

export interface RequestArguments {
  method: string;
  params?: unknown;
}

export interface EvmChainEntry {
  chainId: bigint;
  rpcUrl: string;
}

export interface SentTransaction {
  chainId: bigint;
  hash: string;
  /** 0 legacy, 2 EIP-1559. */
  type: number;
  to: string | null;
  data: string;
  value: bigint;
}

class ProviderError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** Methods that sign or change the wallet; everything else is a read passed to the chain. */
const WALLET_METHODS = new Set([
  "eth_requestAccounts",
  "eth_accounts",
  "eth_chainId",
  "net_version",
  "wallet_switchEthereumChain",
  "wallet_addEthereumChain",
  "wallet_requestPermissions",
  "wallet_getPermissions",
  "eth_sendTransaction",
  "eth_signTransaction",
  "personal_sign",
  "eth_sign",
  "eth_signTypedData_v4",
]);

export class EvmTestWallet {
  readonly wallet: Wallet;
  private readonly chains = new Map<bigint, EvmChainEntry>();
  private readonly providers = new Map<bigint, JsonRpcProvider>();
  private current: bigint;
  private connected = false;
  /** Every transaction sent, in order. */
  readonly sent: SentTransaction[] = [];
  /** Every method asked, in order (for a failure's message). */
  readonly log: string[] = [];

  constructor(privateKey: string, chains: readonly EvmChainEntry[], initialChainId?: bigint) {
    if (chains.length === 0) throw new Error("the test wallet needs at least one chain");
    this.wallet = new Wallet(privateKey);
    for (const c of chains) this.chains.set(c.chainId, c);
    this.current = initialChainId ?? chains[0]!.chainId;
    if (!this.chains.has(this.current)) throw new Error(`the test wallet has no chain ${this.current}`);
  }

  get address(): string {
    return this.wallet.address;
  }

  get chainId(): bigint {
    return this.current;
  }

  /** A provider without ethers' 250 ms request cache, so two quick nonce reads never agree on a stale value. */
  provider(chainId: bigint = this.current): JsonRpcProvider {
    let provider = this.providers.get(chainId);
    if (!provider) {
      const chain = this.chains.get(chainId);
      if (!chain) throw new Error(`the test wallet has no chain ${chainId}`);
      provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, { staticNetwork: true, cacheTimeout: -1 });
      this.providers.set(chainId, provider);
    }
    return provider;
  }

  /** Answers one EIP-1193 request; never throws (errors travel as `error`, as a wallet's rejection does). */
  async handle(request: RequestArguments): Promise<WalletAnswer> {
    this.log.push(request.method);
    try {
      return await this.dispatch(request.method, Array.isArray(request.params) ? (request.params as unknown[]) : []);
    } catch (error) {
      if (error instanceof ProviderError) return { error: { code: error.code, message: error.message } };
      const message = error instanceof Error ? error.message : String(error);
      // -32603: internal error, what a wallet says when the node refused the call.
      return { error: { code: -32603, message } };
    }
  }

  /** Switches chain as if the user did it in the wallet: the page must then hear `chainChanged`. */
  switchTo(chainId: bigint): WalletAnswer["events"] {
    if (!this.chains.has(chainId)) throw new ProviderError(4902, `unrecognized chain id ${toBeHex(chainId)}`);
    if (chainId === this.current) return [];
    this.current = chainId;
    return [["chainChanged", toBeHex(chainId)]];
  }

  close(): void {
    for (const p of this.providers.values()) p.destroy();
    this.providers.clear();
  }

  private async dispatch(method: string, params: unknown[]): Promise<WalletAnswer> {
    if (!WALLET_METHODS.has(method)) {
      if (method.startsWith("wallet_") || method.startsWith("eth_sign")) throw new ProviderError(4200, `unsupported method ${method}`);
      return { result: await this.provider().send(method, params) };
    }
    switch (method) {
      case "eth_requestAccounts": {
        const first = !this.connected;
        this.connected = true;
        return { result: [this.address], events: first ? [["accountsChanged", [this.address]]] : [] };
      }
      case "eth_accounts":
        return { result: this.connected ? [this.address] : [] };
      case "eth_chainId":
        return { result: toBeHex(this.current) };
      case "net_version":
        return { result: this.current.toString() };
      case "wallet_requestPermissions":
        this.connected = true;
        return { result: [{ parentCapability: "eth_accounts" }] };
      case "wallet_getPermissions":
        return { result: this.connected ? [{ parentCapability: "eth_accounts" }] : [] };
      case "wallet_switchEthereumChain": {
        return { result: null, events: this.switchTo(chainIdParam(params[0])) };
      }
      case "wallet_addEthereumChain": {
        // Only the devnet's chains are known; adding one of them switches to it, as wallets offer.
        return { result: null, events: this.switchTo(chainIdParam(params[0])) };
      }
      case "eth_sendTransaction":
        return { result: await this.send(this.transactionRequest(params[0])) };
      case "eth_signTransaction": {
        const populated = await this.wallet.connect(this.provider()).populateTransaction(this.transactionRequest(params[0]));
        return { result: await this.wallet.signTransaction(populated) };
      }
      case "personal_sign": {
        this.requireConnected();
        this.requireSelf(params[1]);
        return { result: await this.wallet.signMessage(messageBytes(params[0])) };
      }
      case "eth_sign":
        throw new ProviderError(4200, "eth_sign is not offered: use personal_sign");
      case "eth_signTypedData_v4": {
        this.requireConnected();
        this.requireSelf(params[0]);
        const typed = (typeof params[1] === "string" ? JSON.parse(params[1]) : params[1]) as {
          domain: Record<string, unknown>;
          types: Record<string, { name: string; type: string }[]>;
          message: Record<string, unknown>;
        };
        // ethers derives the domain type itself and refuses it among the types.
        const types = Object.fromEntries(Object.entries(typed.types).filter(([name]) => name !== "EIP712Domain"));
        return { result: await this.wallet.signTypedData(typed.domain, types, typed.message) };
      }
    }
    throw new ProviderError(4200, `unsupported method ${method}`);
  }

  private requireConnected(): void {
    if (!this.connected) throw new ProviderError(4100, "the page has not been granted the account (eth_requestAccounts)");
  }

  private requireSelf(address: unknown): void {
    if (typeof address !== "string" || getAddress(address) !== this.address)
      throw new ProviderError(4100, `the wallet holds ${this.address}, not ${String(address)}`);
  }

  /** The page's transaction object (hex quantities, as EIP-1193 gives them) as an ethers request. */
  private transactionRequest(raw: unknown): TransactionRequest {
    this.requireConnected();
    if (typeof raw !== "object" || raw === null) throw new ProviderError(-32602, "eth_sendTransaction takes one transaction object");
    const tx = raw as Record<string, unknown>;
    if (tx.from !== undefined) this.requireSelf(tx.from);
    const quantity = (key: string): bigint | undefined => {
      const value = tx[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint")
        throw new ProviderError(-32602, `the transaction's ${key} is not a quantity`);
      return BigInt(value);
    };
    const chainId = quantity("chainId");
    if (chainId !== undefined && chainId !== this.current)
      throw new ProviderError(-32602, `the transaction is for chain ${chainId}, the wallet is on ${this.current}`);
    const request: TransactionRequest = {
      chainId: this.current,
      to: typeof tx.to === "string" ? tx.to : null,
      data: typeof tx.data === "string" ? tx.data : typeof tx.input === "string" ? tx.input : "0x",
      value: quantity("value") ?? 0n,
    };
    const gas = quantity("gas") ?? quantity("gasLimit");
    if (gas !== undefined) request.gasLimit = gas;
    const type = quantity("type");
    if (type !== undefined) request.type = Number(type);
    const gasPrice = quantity("gasPrice");
    if (gasPrice !== undefined) {
      // A gasPrice alone means legacy (type 0), as MetaMask reads it: BTTC refuses anything else.
      request.gasPrice = gasPrice;
      request.type ??= 0;
    }
    const maxFee = quantity("maxFeePerGas");
    const maxPriority = quantity("maxPriorityFeePerGas");
    if (maxFee !== undefined) request.maxFeePerGas = maxFee;
    if (maxPriority !== undefined) request.maxPriorityFeePerGas = maxPriority;
    const nonce = quantity("nonce");
    if (nonce !== undefined) request.nonce = Number(nonce);
    return request;
  }

  private async send(request: TransactionRequest): Promise<string> {
    const signer = this.wallet.connect(this.provider());
    // The pending nonce, read fresh: ethers' populate would do the same, but say it.
    request.nonce ??= await this.provider().getTransactionCount(this.address, "pending");
    const populated = await signer.populateTransaction(request);
    const signed = Transaction.from(await signer.signTransaction(populated));
    const hash: string = await this.provider().send("eth_sendRawTransaction", [signed.serialized]);
    this.sent.push({
      chainId: this.current,
      hash,
      type: signed.type ?? 0,
      to: signed.to,
      data: signed.data,
      value: signed.value,
    });
    return hash;
  }
}

/** `{chainId: "0x…"}`, the parameter of wallet_switchEthereumChain and wallet_addEthereumChain. */
function chainIdParam(param: unknown): bigint {
  const chainId = (param as { chainId?: unknown } | undefined)?.chainId;
  if (typeof chainId !== "string" || !isHexString(chainId)) throw new ProviderError(-32602, "chainId must be a 0x-prefixed hex string");
  return BigInt(chainId);
}

/** personal_sign's message: hex bytes, or (as some pages send) plain text. */
function messageBytes(message: unknown): Uint8Array | string {
  if (typeof message !== "string") throw new ProviderError(-32602, "personal_sign takes the message as its first parameter");
  return isHexString(message) ? getBytes(message) : message;
}
