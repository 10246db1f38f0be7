// The fees a payer offers: the node's fee data (EIP-1559 where the chain has a base fee), within the
// payer's caps, reused briefly for new transactions.
import type { FeeData } from "ethers";
import { maxOf, minOf } from "./fees.ts";
import { PayerError } from "./send-errors.ts";
import type { FeeSettings } from "./types.ts";

export interface FeeOracleOptions {
  /** The chain's name, for messages. */
  chain: string;
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
    if (data.maxFeePerGas !== null && data.maxPriorityFeePerGas !== null) {
      const tip = minOf(data.maxPriorityFeePerGas, this.tipCap);
      return { type: 2, maxFeePerGas: minOf(maxOf(data.maxFeePerGas, tip), this.feeCap), maxPriorityFeePerGas: tip };
    }
    if (data.gasPrice === null) throw new PayerError("PAYER_NO_FEE_DATA", `${this.#o.chain}: the node gave no fee data`, true);
    return { type: 0, gasPrice: minOf(data.gasPrice, this.feeCap) };
  }
}
