// The fees a payer offers: the node's fee data (EIP-1559 where the chain has a base fee, a legacy gasPrice
// where it has none, as BTTC under Berlin rules, or as configured; docs/operations.md, "Fees"), within
// the payer's caps, reused briefly for new transactions.
import type { FeeData } from "ethers";
import type { FeeType } from "../../../../common/chains/config.ts";
import { maxOf, minOf } from "./fees.ts";
import { PayerError } from "./send-errors.ts";
import type { FeeSettings } from "./types.ts";

export interface FeeOracleOptions {
  /** The chain's name, for messages. */
  chain: string;
  /** `legacy`: always a gasPrice; `eip1559`: always type 2; `auto` (default): type 2 where the node's fee
   * data has EIP-1559 fees (its latest block has a base fee), a gasPrice where it has not. */
  type?: FeeType;
  /** Never pay more than this per gas (maxFeePerGas, or gasPrice on a chain without EIP-1559). */
  feeCap: bigint;
  /** Never tip more than this per gas. */
  tipCap: bigint;
  /** How long fee data read for new transactions is reused. */
  cacheMs: number;
  /** Reads the node's fee data (with the payer's retry). */
  feeData(): Promise<FeeData>;
}

export class FeeOracle {
  readonly feeCap: bigint;
  readonly tipCap: bigint;
  readonly #o: FeeOracleOptions;
  #cache: { at: number; fees: Promise<FeeSettings> } | undefined;

  constructor(options: FeeOracleOptions) {
    this.#o = options;
    this.feeCap = options.feeCap;
    this.tipCap = options.tipCap;
  }

  /** Fees for a new transaction: read at most every cacheMs. */
  forNew(): Promise<FeeSettings> {
    const now = Date.now();
    if (!this.#cache || now - this.#cache.at > this.#o.cacheMs) {
      const fees = this.current();
      this.#cache = { at: now, fees };
      // A failed read is not reused: the next send asks again.
      void fees.catch(() => {
        if (this.#cache?.fees === fees) this.#cache = undefined;
      });
    }
    return this.#cache.fees;
  }

  /** Drops the fees read for new transactions (the base fee rose since). */
  forget(): void {
    this.#cache = undefined;
  }

  /** The node's fees now (EIP-1559 where the chain has a base fee), within the caps. */
  async current(): Promise<FeeSettings> {
    const data = await this.#o.feeData();
    const type = this.#o.type ?? "auto";
    if (type !== "legacy" && data.maxFeePerGas !== null && data.maxPriorityFeePerGas !== null) {
      const tip = minOf(data.maxPriorityFeePerGas, this.tipCap);
      return { type: 2, maxFeePerGas: minOf(maxOf(data.maxFeePerGas, tip), this.feeCap), maxPriorityFeePerGas: tip };
    }
    if (type === "eip1559") {
      throw new PayerError(
        "PAYER_NO_FEE_DATA",
        `${this.#o.chain}: EIP-1559 fees configured, but the node's latest block has no base fee`,
        true,
      );
    }
    if (data.gasPrice === null) throw new PayerError("PAYER_NO_FEE_DATA", `${this.#o.chain}: the node gave no fee data`, true);
    return { type: 0, gasPrice: minOf(data.gasPrice, this.feeCap) };
  }
}
