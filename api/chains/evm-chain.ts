// What the API reads from, and builds for, one EVM chain's gateway: routes (fee, minimum), caps, swap
// rules and accounting, all read from the chain itself — the same rules the gateway enforces — and
// cached briefly for quotes. Calls that fail for a reason on the chain's side come out as
// CHAIN_UNAVAILABLE (503), never as the caller's fault.
import { Contract, Interface, ZeroAddress, getAddress, type JsonRpcProvider, type TypedDataDomain } from "ethers";
import { contractInterface } from "../../common/contracts/artifacts.ts";
import { legacyGasPrice } from "../../common/chains/fees.ts";
import { DEVNET_CHAIN_IDS } from "../../common/chains/registry.ts";
import { createEvmProvider } from "../../common/rpc/evm-provider.ts";
import { TtlCache } from "../cache.ts";
import type { EvmChainConfig } from "../config.ts";
import { ApiError } from "../errors.ts";

export interface GatewayRoute {
  enabled: boolean;
  fee: bigint;
  minAmount: bigint;
}

export interface GatewayStatus {
  paused: boolean;
  sequence: bigint;
  validatorEpoch: bigint;
  threshold: number;
  dailyLimit: bigint;
  dailyLimitAvailable: bigint;
}

export interface SwapRules {
  legacyToken: string;
  legacyDecimals: number;
  minimum: bigint;
}

/** BNB Smart Chain mainnet and testnet, and the devnet's BSC. */
const BNB_CHAIN_IDS: ReadonlySet<bigint> = new Set([56n, 97n, DEVNET_CHAIN_IDS.bsc]);

const GATEWAY_ABI = { bttc: contractInterface("BttcGateway"), remote: contractInterface("RemoteGateway") } as const;
const TOKEN_ABI: Interface = contractInterface("LegacyBTTOLD");
const PERMIT_ABI = new Interface([
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
  "function nonces(address owner) view returns (uint256)",
]);

/** The configuration says something the chain contradicts: the API must not serve on it (503, and start-up refused).
 * Not retryable: asking again does not help until an operator fixes the configuration. */
export class MisconfiguredError extends ApiError {
  constructor(message: string) {
    super("CHAIN_UNAVAILABLE", message, { retryable: false });
  }
}

export class EvmChain {
  readonly config: EvmChainConfig;
  readonly provider: JsonRpcProvider;
  readonly gateway: Contract;
  private readonly cache: TtlCache;

  constructor(config: EvmChainConfig, options: { cacheMs: number; timeoutMs: number }) {
    this.config = config;
    this.provider = createEvmProvider(config, { timeoutMs: options.timeoutMs });
    this.gateway = new Contract(config.gateway, GATEWAY_ABI[config.role], this.provider);
    this.cache = new TtlCache(options.cacheMs);
  }

  get name(): string {
    return this.config.name;
  }

  get chainId(): bigint {
    return this.config.chainId;
  }

  get gatewayInterface(): Interface {
    return GATEWAY_ABI[this.config.role];
  }

  static readonly tokenInterface = TOKEN_ABI;

  route(dstChainId: bigint): Promise<GatewayRoute> {
    return this.cache.get(`route:${dstChainId}`, () =>
      this.read("route", async () => {
        const r = await this.gateway.getFunction("route")(dstChainId);
        return { enabled: r.enabled as boolean, fee: r.fee as bigint, minAmount: r.minAmount as bigint };
      }),
    );
  }

  status(): Promise<GatewayStatus> {
    return this.cache.get("status", () =>
      this.read("status", async () => {
        const s = await this.gateway.getFunction("status")();
        return {
          paused: s.paused as boolean,
          sequence: s.sequence as bigint,
          validatorEpoch: s.validatorEpoch as bigint,
          threshold: Number(s.threshold),
          dailyLimit: s.dailyLimit as bigint,
          dailyLimitAvailable: s.dailyLimitAvailable as bigint,
        };
      }),
    );
  }

  /** The gateway's current validator set (checksummed, ascending, as the gateway keeps it). */
  validators(): Promise<string[]> {
    return this.cache.get("validators", () =>
      this.read("validators", async () => ((await this.gateway.getFunction("validators")()) as string[]).map((v) => getAddress(v))),
    );
  }

  /** Whether the gateway has delivered the transfer (read from the chain, never cached). */
  isDelivered(srcChainId: bigint, srcGateway: string, srcRef: string): Promise<boolean> {
    return this.read("delivery record", () => this.gateway.getFunction("isDelivered")(srcChainId, srcGateway, srcRef) as Promise<boolean>);
  }

  /** BTTC: what `account` may claim (payouts its code refused, deferred); 0 elsewhere. */
  claimable(account: string): Promise<bigint> {
    if (this.config.role !== "bttc") return Promise.resolve(0n);
    return this.cache.get(`claimable:${account}`, () =>
      this.read("claimable", () => this.gateway.getFunction("claimable")(account) as Promise<bigint>),
    );
  }

  /** What users call this chain's ERC-20s: configured, else BEP-20 on BNB Chain, ERC-20 elsewhere. */
  get tokenStandard(): "ERC-20" | "BEP-20" {
    if (this.config.tokenStandard) return this.config.tokenStandard;
    return BNB_CHAIN_IDS.has(this.chainId) || /^(bsc|bnb)/.test(this.name) ? "BEP-20" : "ERC-20";
  }

  /**
   * Remote chains: the legacy BTTOLD the gateway takes in (an immutable of the gateway, so read once),
   * null where it takes none. The configuration may name it too, as a check: a different one there is a
   * misconfiguration, and refused (start-up and /health say so) rather than used.
   */
  async legacyToken(): Promise<string | null> {
    if (this.config.role !== "remote") return null;
    const token = await this.cache.get(
      "legacyToken",
      () =>
        this.read("legacy token", async () => {
          const address = getAddress((await this.gateway.getFunction("legacyToken")()) as string);
          return address === ZeroAddress ? null : address;
        }),
      Infinity,
    );
    const configured = this.config.legacyToken;
    if (configured !== undefined && configured !== token) {
      throw new MisconfiguredError(
        `${this.name}: the configuration names legacy token ${configured}, but the gateway takes ${token ?? "none"}; correct or remove chains[].legacyToken`,
      );
    }
    return token;
  }

  /** Remote chains with legacy BTTOLD: its token and decimals (read from the gateway) and the swap minimum. */
  async swapRules(): Promise<SwapRules | null> {
    const legacyToken = await this.legacyToken();
    if (!legacyToken) return null;
    return this.cache.get("swapRules", () =>
      this.read("swap rules", async () => {
        const [decimals, minimum] = await Promise.all([
          this.gateway.getFunction("legacyDecimals")() as Promise<bigint>,
          this.gateway.getFunction("swapMinimum")() as Promise<bigint>,
        ]);
        return { legacyToken, legacyDecimals: Number(decimals), minimum };
      }),
    );
  }

  /** The chain's last final block: its head less the configured confirmations, or its `finalized` tag. */
  finalBlock(): Promise<bigint> {
    const finality = this.config.finality;
    return this.read("final block", async () => {
      if ("confirmations" in finality) {
        const final = BigInt(await this.provider.getBlockNumber()) - BigInt(finality.confirmations);
        return final > 0n ? final : 0n;
      }
      const block = await this.provider.getBlock("finalized");
      if (!block) throw new Error('the node has no "finalized" block; configure a confirmation depth');
      return BigInt(block.number);
    });
  }

  /** BTTC: what the reserve holds for swaps (a payout over it waits for the reserve to be refilled). */
  reserveBalance(): Promise<bigint> {
    return this.cache.get("reserve", () =>
      this.read("accounting", async () => (await this.gateway.getFunction("accounting")())[1] as bigint),
    );
  }

  /**
   * The EIP-712 domain of a token's EIP-2612 permit, read with ERC-5267's `eip712Domain()`; null for a
   * token without it (then only approve works). Kept for good: it never changes.
   */
  permitDomain(token: string): Promise<TypedDataDomain | null> {
    return this.cache.get(
      `permitDomain:${token}`,
      async () => {
        const contract = new Contract(token, PERMIT_ABI, this.provider);
        try {
          const d = await contract.getFunction("eip712Domain")();
          return {
            name: d.name as string,
            version: d.version as string,
            chainId: d.chainId as bigint,
            verifyingContract: d.verifyingContract as string,
          };
        } catch {
          return null;
        }
      },
      Infinity,
    );
  }

  /** An owner's next permit nonce on `token`. */
  permitNonce(token: string, owner: string): Promise<bigint> {
    return this.read("permit nonce", () => new Contract(token, PERMIT_ABI, this.provider).getFunction("nonces")(owner) as Promise<bigint>);
  }

  /** An account's balance of the chain's native coin. */
  nativeBalance(account: string): Promise<bigint> {
    return this.read("balance", () => this.provider.getBalance(account));
  }

  /** An account's balance and allowance to the gateway of an ERC-20 (bridged BTT is the gateway itself). */
  async tokenPosition(token: string, owner: string): Promise<{ balance: bigint; allowance: bigint }> {
    const contract = new Contract(token, TOKEN_ABI, this.provider);
    return this.read("token balance", async () => {
      const [balance, allowance] = await Promise.all([
        contract.getFunction("balanceOf")(owner) as Promise<bigint>,
        contract.getFunction("allowance")(owner, this.config.gateway) as Promise<bigint>,
      ]);
      return { balance, allowance };
    });
  }

  /**
   * The gas price for this chain's unsigned transactions where it takes legacy ones only (BTTC under
   * Berlin rules, or `fees.type` "legacy"; docs/api.md, "Building transactions"); null where a wallet
   * picks EIP-1559 fees itself.
   */
  async legacyGasPrice(): Promise<bigint | null> {
    return this.cache.get("legacyGasPrice", () => this.read("fee data", () => legacyGasPrice(this.provider, this.config.fees.type)));
  }

  /** Runs a chain read; a failure is the chain's (503), with what was being read. */
  async read<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new ApiError("CHAIN_UNAVAILABLE", `${this.name}: could not read ${what} (${shortReason(cause)})`, { cause });
    }
  }

  close(): void {
    this.provider.destroy();
  }
}

export function shortReason(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  const text = e?.shortMessage ?? e?.message ?? String(error);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
