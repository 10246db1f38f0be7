// What a delivery transaction says beyond its event: who signed it (its calldata, decoded with
// decodeDelivery and the signers recovered with recoverBatchSigners) and when its block was mined. Read
// once per transaction and kept in an LRU; a failed read is not kept (asked again next time).
import { getAddress } from "ethers";
import { decodeDelivery, recoverBatchSigners } from "../../common/contracts/delivery-calldata.ts";
import { compareAddresses } from "../../common/transfer.ts";
import type { EvmChain } from "../chains/evm-chain.ts";
import type { ChainDelivery } from "./destination-watcher.ts";
import { Lru } from "./lru.ts";

export interface DeliveryDetails {
  /** Block time of the delivery (ms). */
  minedAt: number;
  /** Signers of the delivery's signatures, ascending; null when its calldata is not a gateway call
   * (a delivery made through another contract). */
  signers: string[] | null;
}

export class DeliveryDetailsReader {
  private readonly cache: Lru<string, Promise<DeliveryDetails>>;
  private readonly receipts: Lru<string, Promise<{ blockNumber: bigint } | null>>;

  constructor(size: number) {
    this.cache = new Lru(size);
    this.receipts = new Lru(size);
  }

  details(chain: EvmChain, delivery: ChainDelivery): Promise<DeliveryDetails> {
    const key = `${delivery.txHash}:${delivery.blockHash}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const loading = this.load(chain, delivery);
    this.cache.set(key, loading);
    loading.catch(() => this.cache.delete(key));
    return loading;
  }

  /** The block of a transaction the node's record names (null: the chain knows no such transaction). */
  receipt(chain: EvmChain, txHash: string): Promise<{ blockNumber: bigint } | null> {
    const key = `receipt:${txHash}`;
    const hit = this.receipts.get(key);
    if (hit) return hit;
    const loading = chain.provider.getTransactionReceipt(txHash).then((r) => (r ? { blockNumber: BigInt(r.blockNumber) } : null));
    this.receipts.set(key, loading);
    loading.catch(() => this.receipts.delete(key));
    return loading;
  }

  private async load(chain: EvmChain, delivery: ChainDelivery): Promise<DeliveryDetails> {
    const [tx, block] = await Promise.all([chain.provider.getTransaction(delivery.txHash), chain.provider.getBlock(delivery.blockHash)]);
    const minedAt = block ? block.timestamp * 1000 : Date.now();
    let signers: string[] | null = null;
    const gateway = getAddress(chain.config.gateway);
    if (tx && tx.to && getAddress(tx.to) === gateway) {
      const decoded = decodeDelivery(tx.data, chain.chainId);
      if (decoded) {
        const recovered = recoverBatchSigners(chain.chainId, gateway, decoded.transfers, decoded.signatures);
        signers = [...new Set(recovered)].sort(compareAddresses);
      }
    }
    return { minedAt, signers };
  }
}
