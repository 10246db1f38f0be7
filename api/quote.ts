// Quotes: what a bridge transfer or a swap delivers, its fee and how long it takes, by the rules the
// gateways enforce (route fee and minimum, swap minimum, 1:1000 redenomination scaled by decimals,
// daily caps), read from the chains. POST /v1/bridge and /v1/swaps quote first, so what they build is
// what was quoted, and nothing is built that the gateway would refuse.
import { legacyToBtt } from "../common/redenomination.ts";
import type { ChainRegistry } from "./chains/registry.ts";
import { EvmChain } from "./chains/evm-chain.ts";
import { BTTOLD_TRC10_DECIMALS } from "../common/redenomination.ts";
import { TronChain } from "./chains/tron-chain.ts";
import type { ApiConfig } from "./config.ts";
import { ApiError } from "./errors.ts";
import { bttOn, bttoldOn, type TokenPair } from "./tokens.ts";

export type QuoteKind = "bridge" | "swap";

export interface QuoteRequest {
  kind: QuoteKind;
  from: string;
  to?: string | undefined;
  amount: bigint;
}

export interface NetworkFee {
  chain: string;
  amount: bigint;
  unit: string;
  what: string;
}

export interface Quote {
  kind: QuoteKind;
  from: string;
  to: string;
  /** What the sender sends, in the source's base units (BTT wei; swaps: BTTOLD base units). */
  amountIn: bigint;
  /** What the recipient receives, in BTT wei. */
  amountOut: bigint;
  /** The bridge's fee, in BTT wei, taken from amountIn (swaps: 0). */
  fee: bigint;
  /** Smallest amountIn accepted. */
  minimum: bigint;
  /** Fees the source chain itself charges (gas aside), e.g. TRON's memo fee. */
  networkFees: NetworkFee[];
  expectedSeconds: number;
  /** Set when a cap or the reserve will hold the transfer as `delayed` for now (it proceeds later). */
  delayedBy: string | null;
  /** Swaps: the legacy token's decimals. */
  legacyDecimals: number | null;
  /** The tokens of amountIn (`sent`) and amountOut (`received`). */
  tokens: TokenPair;
}

export class Quoter {
  private readonly chains: ChainRegistry;
  private readonly config: ApiConfig;

  constructor(chains: ChainRegistry, config: ApiConfig) {
    this.chains = chains;
    this.config = config;
  }

  quote(request: QuoteRequest): Promise<Quote> {
    return request.kind === "bridge" ? this.bridge(request) : this.swap(request);
  }

  private async bridge(request: QuoteRequest): Promise<Quote> {
    if (request.to === undefined) throw new ApiError("VALIDATION_FAILED", "a bridge quote needs `to`");
    const src = this.chains.evm(request.from, "is not a bridge chain (TRON only swaps BTTOLD: use kind=swap)");
    const dst = this.chains.evm(request.to, "is not a bridge chain");
    if (src === dst) throw new ApiError("ROUTE_UNAVAILABLE", `${src.name} to itself is not a transfer`);
    const [route, srcStatus, dstStatus] = await Promise.all([src.route(dst.chainId), src.status(), dst.status()]);
    if (!route.enabled) throw new ApiError("ROUTE_UNAVAILABLE", `${src.name}'s gateway has no route to ${dst.name}`);
    if (srcStatus.paused) throw new ApiError("ROUTE_UNAVAILABLE", `${src.name}'s gateway is paused`);
    const amount = request.amount;
    if (amount <= route.fee) {
      throw new ApiError("AMOUNT_NOT_ABOVE_FEE", `amount ${amount} must be more than the fee of ${route.fee} wei`);
    }
    if (amount < route.minAmount) {
      throw new ApiError(
        "AMOUNT_BELOW_MINIMUM",
        `amount ${amount} is under the minimum of ${route.minAmount} wei from ${src.name} to ${dst.name}`,
      );
    }
    const amountOut = amount - route.fee;
    return {
      kind: "bridge",
      from: src.name,
      to: dst.name,
      amountIn: amount,
      amountOut,
      fee: route.fee,
      minimum: route.minAmount > route.fee ? route.minAmount : route.fee + 1n,
      networkFees: [],
      expectedSeconds: this.expectedSeconds(src, dst),
      delayedBy: capDelay(dst.name, amountOut, dstStatus.dailyLimit, dstStatus.dailyLimitAvailable),
      legacyDecimals: null,
      tokens: { sent: bttOn(src), received: bttOn(dst) },
    };
  }

  private async swap(request: QuoteRequest): Promise<Quote> {
    const home = this.chains.home;
    if (request.to !== undefined && request.to !== home.name) {
      throw new ApiError("ROUTE_UNAVAILABLE", `swaps deliver on ${home.name} only, not on ${request.to}`);
    }
    const src = this.chains.get(request.from);
    let decimals: number;
    let minimum: bigint;
    const networkFees: NetworkFee[] = [];
    if (src instanceof TronChain) {
      decimals = BTTOLD_TRC10_DECIMALS;
      minimum = src.config.minimumUnits;
      networkFees.push({
        chain: src.name,
        amount: src.config.memoFeeSun,
        unit: "sun",
        what: "TRON's fee for the transaction's memo (1 TRX = 1,000,000 sun)",
      });
      if (request.amount > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new ApiError("AMOUNT_TOO_LARGE", `a TRC-10 transfer is at most ${Number.MAX_SAFE_INTEGER} units`);
      }
    } else {
      const rules = await src.swapRules();
      if (!rules) throw new ApiError("ROUTE_UNAVAILABLE", `${src.name} has no legacy BTTOLD to swap`);
      decimals = rules.legacyDecimals;
      minimum = rules.minimum;
      const status = await src.status();
      if (status.paused) throw new ApiError("ROUTE_UNAVAILABLE", `${src.name}'s gateway is paused`);
    }
    if (request.amount < minimum) {
      throw new ApiError(
        "AMOUNT_BELOW_MINIMUM",
        `amount ${request.amount} is under the swap minimum of ${minimum} BTTOLD base units on ${src.name}`,
      );
    }
    let amountOut: bigint;
    try {
      amountOut = legacyToBtt(request.amount, decimals);
    } catch (cause) {
      throw new ApiError("VALIDATION_FAILED", (cause as Error).message);
    }
    const [homeStatus, reserve] = await Promise.all([home.status(), home.reserveBalance()]);
    return {
      kind: "swap",
      from: src.name,
      to: home.name,
      amountIn: request.amount,
      amountOut,
      fee: 0n,
      minimum: minimum > 0n ? minimum : 1n,
      networkFees,
      expectedSeconds: this.expectedSeconds(src, home),
      delayedBy:
        capDelay(home.name, amountOut, homeStatus.dailyLimit, homeStatus.dailyLimitAvailable) ??
        (amountOut > reserve ? `the redenomination reserve holds ${reserve} wei now; the swap waits until it is refilled` : null),
      legacyDecimals: decimals,
      tokens: { sent: await bttoldOn(src), received: bttOn(home) },
    };
  }

  /** Finality at the source, the relayers' work, finality of the delivery. */
  private expectedSeconds(src: EvmChain | TronChain, dst: EvmChain): number {
    return Math.ceil(finalitySeconds(src) + this.config.relayOverheadSeconds + finalitySeconds(dst));
  }
}

function finalitySeconds(chain: EvmChain | TronChain): number {
  if (chain instanceof TronChain) return (chain.config.solidityDepth * chain.config.blockTimeMs) / 1000;
  const f = chain.config.finality;
  return "tag" in f ? chain.config.finalizedTagSeconds : (f.confirmations * chain.config.blockTimeMs) / 1000;
}

/** Over the whole daily cap: refused (it could never be delivered). Over what is available now: delayed. */
function capDelay(chain: string, amount: bigint, limit: bigint, available: bigint): string | null {
  if (amount > limit) throw new ApiError("AMOUNT_OVER_CAP", `${amount} wei is over ${chain}'s daily cap of ${limit} wei`);
  return amount > available ? `${chain}'s daily cap has ${available} wei available now; the transfer waits as "delayed"` : null;
}

export function quoteJson(q: Quote) {
  return {
    ...q,
    amountIn: q.amountIn.toString(),
    amountOut: q.amountOut.toString(),
    fee: q.fee.toString(),
    minimum: q.minimum.toString(),
    networkFees: q.networkFees.map((f) => ({ ...f, amount: f.amount.toString() })),
  };
}
