// What the chains and the followed node say of a transfer beyond its record: its delivery on the
// destination (the API's own watch, api/deliveries), who signed it, the signed batch the node stored, the
// node's stuck list, the destination's validator set and daily limit, and a deferred payout. Each read is
// best-effort: a chain that does not answer leaves its part out (null) rather than failing the view,
// which the record alone can still show.
import { getAddress } from "ethers";
import { recoverBatchSigners } from "../../common/contracts/delivery-calldata.ts";
import { attestedTransfers, type StoredAttestation } from "../../common/records/attestation.ts";
import type { TransferRecordReader } from "../../common/records/reader.ts";
import type { TransferRecord } from "../../common/records/transfer-record.ts";
import { compareAddresses, transferId } from "../../common/transfer.ts";
import { EvmChain } from "../chains/evm-chain.ts";
import type { ChainRegistry } from "../chains/registry.ts";
import type { Deliveries } from "../deliveries/deliveries.ts";
import { tokensOf, type TokenPair } from "../tokens.ts";

export interface DeliveryFacts {
  txHash: string;
  blockNumber: bigint | null;
  final: boolean;
  /** Block time (ms), null when unknown. */
  minedAt: number | null;
  /** When the API saw it final (ms). */
  finalSeenAt: number | null;
  /** Signers of the delivery's calldata, ascending (null: not a direct gateway call, or not read). */
  signers: string[] | null;
  /** Read from the chain by the API (else: the node's record only). */
  fromChain: boolean;
}

export interface StatusFacts {
  delivery: DeliveryFacts | null;
  /** Signers (ascending) of the signed batch the node stored for it, with when it was stored. */
  stored: { signers: string[]; at: number } | null;
  /** The node's signed batch, as stored. */
  storedBatch: StoredAttestation | null;
  threshold: number | null;
  validators: string[] | null;
  /** Why the node lists it as stuck (or failing alone), null if not listed. */
  stuck: string | null;
  dailyLimit: { cap: bigint; available: bigint } | null;
  /** BTTC swaps: what the redenomination reserve holds. */
  reserve: bigint | null;
  /** A deferred BTTC payout the recipient can claim (its whole claimable balance). */
  claimable: bigint | null;
  /** The stored signatures hold a threshold of the destination's current set. */
  deliverable: boolean;
  tokens: TokenPair | null;
}

export class StatusFactsReader {
  private readonly chains: ChainRegistry;
  private readonly records: TransferRecordReader;
  private readonly deliveries: Deliveries;

  constructor(chains: ChainRegistry, records: TransferRecordReader, deliveries: Deliveries) {
    this.chains = chains;
    this.records = records;
    this.deliveries = deliveries;
  }

  async read(record: TransferRecord): Promise<StatusFacts> {
    const o = record.observed;
    const t = o.transfer;
    const dst = this.chains.byId(t.dstChainId);
    const evm = dst instanceof EvmChain ? dst : null;
    const kind = t.kind === 1 ? "swap" : "bridge";
    const [delivery, storedBatch, stuck, status, validators, tokens] = await Promise.all([
      this.delivery(record, evm),
      soft(() => this.records.attestationOf(o.id)),
      soft(() => this.records.stuckReason(o.id)),
      evm ? soft(() => evm.status()) : null,
      evm ? soft(() => evm.validators()) : null,
      soft(() => tokensOf(this.chains, kind, t.srcChainId, t.dstChainId)),
    ]);
    const usable =
      storedBatch !== null &&
      evm !== null &&
      storedBatch.dstChainId === t.dstChainId &&
      attestedTransfers(storedBatch).some((x) => transferId(x) === o.id);
    const stored = usable ? signersOf(storedBatch, evm) : null;
    const threshold = status?.threshold ?? null;
    const current = new Set(validators ?? []);
    const deliverable = stored !== null && threshold !== null && stored.signers.filter((s) => current.has(s)).length >= threshold;
    const completed = record.status === "completed" || delivery?.final === true;
    const home = evm?.config.role === "bttc";
    const [claimable, reserve] = await Promise.all([
      home && completed ? soft(() => evm.claimable(getAddress(t.recipient))) : null,
      home && kind === "swap" && record.status === "delayed" ? soft(() => evm.reserveBalance()) : null,
    ]);
    return {
      delivery,
      stored: stored ? { signers: stored.signers, at: storedBatch!.at } : null,
      storedBatch: usable ? storedBatch : null,
      threshold,
      validators,
      stuck,
      dailyLimit: status ? { cap: status.dailyLimit, available: status.dailyLimitAvailable } : null,
      reserve,
      claimable,
      deliverable,
      tokens,
    };
  }

  /** The delivery the API saw on the destination; else the one the node's record names, read from the chain. */
  private async delivery(record: TransferRecord, dst: EvmChain | null): Promise<DeliveryFacts | null> {
    if (!dst) return null;
    const seen = this.deliveries.find(dst.chainId, record.observed.id);
    if (seen) {
      const details = await soft(() => this.deliveries.detailsOf(dst, seen));
      return {
        txHash: seen.txHash,
        blockNumber: seen.blockNumber,
        final: seen.final,
        // A block's time may run ahead of this clock (a chain's blocks come faster than a second apart);
        // when the API first saw it bounds it.
        minedAt: Math.min(details?.minedAt ?? seen.seenAt, seen.seenAt),
        finalSeenAt: seen.finalSeenAt,
        signers: details?.signers ?? null,
        fromChain: true,
      };
    }
    if (record.status !== "completed") return null;
    const entry = [...record.timeline].reverse().find((e) => (e.status === "completed" || e.status === "submitted") && e.txHash);
    if (!entry?.txHash) return null;
    // Delivered before the API's watch began (or long enough ago to be forgotten): the node's word and
    // the transaction's receipt.
    const receipt = await soft(() => this.deliveries.receiptOf(dst, entry.txHash!));
    return {
      txHash: entry.txHash,
      blockNumber: receipt?.blockNumber ?? null,
      final: true,
      minedAt: null,
      finalSeenAt: null,
      signers: null,
      fromChain: false,
    };
  }
}

function signersOf(batch: StoredAttestation, dst: EvmChain): { signers: string[] } {
  const recovered = recoverBatchSigners(dst.chainId, dst.config.gateway, attestedTransfers(batch), batch.signatures);
  return { signers: [...new Set(recovered)].sort(compareAddresses) };
}

/** A read that may fail: its value, or null. */
async function soft<T>(read: () => Promise<T> | T): Promise<T | null> {
  try {
    return await read();
  } catch {
    return null;
  }
}
