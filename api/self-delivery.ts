// "Deliver it yourself" (docs/api.md): the unsigned transaction that delivers a transfer, for anyone to
// send, built from the signed batch the followed node stored when it collected a threshold of signatures
// (common/records/attestation.ts). The API holds no key: it can only hand out what validators signed.
// Signatures sign a whole ordered batch, so the transaction is `deliver` when the batch held this transfer
// alone, and `deliverBatch` of exactly that batch otherwise (the gateway skips what was delivered
// meanwhile, and delivers the rest of the batch too). Only signatures of the destination's current
// validator set count, exactly its threshold of them, ascending by signer; the call is simulated first,
// so that nothing is handed out that the gateway would refuse now.
import { Interface, Signature, getAddress, recoverAddress } from "ethers";
import { attestedTransfers } from "../common/records/attestation.ts";
import type { TransferRecordReader } from "../common/records/reader.ts";
import { batchDigest, compareAddresses, gatewayDomain, transferId, type CompactSignature } from "../common/transfer.ts";
import { EvmChain, shortReason } from "./chains/evm-chain.ts";
import type { ChainRegistry } from "./chains/registry.ts";
import type { Deliveries } from "./deliveries/deliveries.ts";
import { ApiError } from "./errors.ts";

export interface UnsignedTransaction {
  chainId: bigint;
  to: string;
  data: string;
  value: bigint;
  gasPrice?: bigint;
}

export interface SelfDelivery {
  transferId: string;
  chain: string;
  method: "deliver" | "deliverBatch";
  batchSize: number;
  signatures: number;
  threshold: number;
  signers: string[];
  transaction: UnsignedTransaction;
}

const NOT_DELIVERABLE_STATUSES = new Set(["pending", "dropped", "rejected"]);

export class SelfDeliveryBuilder {
  private readonly chains: ChainRegistry;
  private readonly records: TransferRecordReader;
  private readonly deliveries: Deliveries;

  constructor(chains: ChainRegistry, records: TransferRecordReader, deliveries: Deliveries) {
    this.chains = chains;
    this.records = records;
    this.deliveries = deliveries;
  }

  async build(id: string): Promise<SelfDelivery> {
    const record = await fromStore(() => this.records.get(id));
    if (!record) throw new ApiError("TRANSFER_NOT_FOUND", `no transfer ${id} (yet)`);
    const t = record.observed.transfer;
    if (NOT_DELIVERABLE_STATUSES.has(record.status)) {
      throw new ApiError("NOT_DELIVERABLE", `the transfer is ${record.status}: there is nothing to deliver`);
    }
    const dst = this.chains.byId(t.dstChainId);
    if (!(dst instanceof EvmChain))
      throw new ApiError("NOT_DELIVERABLE", `its destination (chain ${t.dstChainId}) is not one this API serves`);
    if (record.status === "completed" || this.deliveries.find(dst.chainId, id)) {
      throw new ApiError("ALREADY_DELIVERED", `the transfer is delivered on ${dst.name} already`);
    }
    if (await dst.isDelivered(t.srcChainId, t.srcGateway, t.srcRef)) {
      throw new ApiError("ALREADY_DELIVERED", `the transfer is delivered on ${dst.name} already`);
    }
    const batch = await fromStore(() => this.records.attestationOf(id));
    const transfers = batch && batch.dstChainId === dst.chainId ? attestedTransfers(batch) : [];
    if (!batch || !transfers.some((x) => transferId(x) === id)) {
      throw new ApiError(
        "NOT_ATTESTED",
        "no threshold of validator signatures is held for this transfer yet; try again once it is attested",
      );
    }
    const [validators, status] = await Promise.all([dst.validators(), dst.status()]);
    const current = new Set(validators);
    const digest = batchDigest(gatewayDomain(dst.chainId, dst.config.gateway), transfers);
    const bySigner = new Map<string, CompactSignature>();
    for (const s of batch.signatures) {
      const signer = recoverSigner(digest, s);
      if (signer && current.has(signer)) bySigner.set(signer, s);
    }
    if (bySigner.size < status.threshold) {
      throw new ApiError(
        "NOT_ATTESTED",
        `${bySigner.size} of the signatures held are from ${dst.name}'s current validator set, which needs ${status.threshold} ` +
          "(the others are from an older set); the relayers sign it again",
      );
    }
    const signers = [...bySigner.keys()].sort(compareAddresses).slice(0, status.threshold);
    const signatures = signers.map((s) => bySigner.get(s)!);
    const iface = dst.gatewayInterface;
    const method = batch.items.length === 1 ? "deliver" : "deliverBatch";
    const items = batch.items.map((i) => ({ srcRef: i.srcRef, kind: i.kind, recipient: i.recipient, amount: i.amount }));
    const data = iface.encodeFunctionData(method, [
      batch.srcChainId,
      batch.srcGateway,
      method === "deliver" ? items[0] : items,
      signatures,
    ]);
    await simulate(dst, iface, method, data);
    const gasPrice = await dst.legacyGasPrice();
    return {
      transferId: id,
      chain: dst.name,
      method,
      batchSize: batch.items.length,
      signatures: signatures.length,
      threshold: status.threshold,
      signers,
      transaction: { chainId: dst.chainId, to: dst.config.gateway, data, value: 0n, ...(gasPrice === null ? {} : { gasPrice }) },
    };
  }
}

function recoverSigner(digest: string, s: CompactSignature): string | null {
  try {
    return getAddress(recoverAddress(digest, Signature.from({ r: s.r, yParityAndS: s.vs })));
  } catch {
    return null;
  }
}

/** Runs the delivery as a call: what the gateway would refuse now is answered as a 409 naming why. */
async function simulate(dst: EvmChain, iface: Interface, method: "deliver" | "deliverBatch", data: string): Promise<void> {
  let result: string;
  try {
    result = await dst.provider.call({ to: dst.config.gateway, data });
  } catch (error) {
    const revert = (error as { data?: string }).data;
    const parsed = typeof revert === "string" && revert.length >= 10 ? safeParseError(iface, revert) : null;
    if (!parsed)
      throw new ApiError("CHAIN_UNAVAILABLE", `${dst.name}: could not simulate the delivery (${shortReason(error)})`, { cause: error });
    if (parsed.name === "AlreadyDelivered") throw new ApiError("ALREADY_DELIVERED", `the transfer is delivered on ${dst.name} already`);
    throw new ApiError("NOT_DELIVERABLE", `${dst.name}'s gateway would refuse the delivery now: ${parsed.name}(${parsed.args.join(", ")})`);
  }
  if (method === "deliverBatch") {
    const delivered = iface.decodeFunctionResult("deliverBatch", result)[0] as bigint;
    if (delivered === 0n) {
      throw new ApiError(
        "NOT_DELIVERABLE",
        `${dst.name}'s gateway would deliver nothing of the signed batch now (a daily limit or the reserve)`,
      );
    }
  }
}

function safeParseError(iface: Interface, data: string) {
  try {
    return iface.parseError(data);
  } catch {
    return null;
  }
}

async function fromStore<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (cause) {
    throw new ApiError("STORE_UNAVAILABLE", "the relayer node's store (Redis) did not answer; try again shortly", { cause });
  }
}
