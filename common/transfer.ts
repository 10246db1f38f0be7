// The transfer identity and EIP-712 attestation format (docs/protocol.md, "Transfer identity",
// "Attestations"), shared by the contracts' tests, the relayer and the API. Any change here must match
// contracts/core/TransferHashing.sol.
import { AbiCoder, Signature, getAddress, keccak256, toBeHex, zeroPadValue } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { BatchHasher } from "./batch-hashing.ts";

export const TransferKind = { Bridge: 0, Swap: 1 } as const;
export type TransferKind = (typeof TransferKind)[keyof typeof TransferKind];

export interface Transfer {
  srcChainId: bigint;
  /** Source gateway (TRON: deposit account) as a left-padded 32-byte hex string. */
  srcGateway: string;
  /** Sequence number (EVM source) or transaction id (TRON source), as a 32-byte hex string. */
  srcRef: string;
  kind: TransferKind;
  dstChainId: bigint;
  recipient: string;
  /** What the recipient receives, in destination base units. */
  amount: bigint;
}

/** A transfer as a delivery carries it: a batch names its source once, and its destination is the chain
 * it is delivered on (contracts/core/BridgeTypes.sol). */
export interface TransferItem {
  srcRef: string;
  kind: TransferKind;
  recipient: string;
  amount: bigint;
}

/** The arguments of a gateway's `deliver`/`deliverBatch` for transfers from one source gateway. */
export interface DeliveryArgs {
  srcChainId: bigint;
  srcGateway: string;
  items: TransferItem[];
}

/** An ERC-2098 compact signature, as the gateways take it. */
export interface CompactSignature {
  r: string;
  vs: string;
}

export const TRANSFER_FIELDS: TypedDataField[] = [
  { name: "srcChainId", type: "uint64" },
  { name: "srcGateway", type: "bytes32" },
  { name: "srcRef", type: "bytes32" },
  { name: "kind", type: "uint8" },
  { name: "dstChainId", type: "uint64" },
  { name: "recipient", type: "address" },
  { name: "amount", type: "uint256" },
];

export const BATCH_TYPES: Record<string, TypedDataField[]> = {
  Batch: [{ name: "transfers", type: "Transfer[]" }],
  Transfer: TRANSFER_FIELDS,
};

export const VALIDATOR_SET_UPDATE_TYPES: Record<string, TypedDataField[]> = {
  ValidatorSetUpdate: [
    { name: "epoch", type: "uint64" },
    { name: "validators", type: "address[]" },
    { name: "threshold", type: "uint8" },
    { name: "deadline", type: "uint64" },
  ],
};

const abi = AbiCoder.defaultAbiCoder();

/** The EIP-712 domain of a destination gateway. */
export function gatewayDomain(chainId: bigint, gateway: string): TypedDataDomain {
  return { name: "BTT Bridge", version: "1", chainId, verifyingContract: getAddress(gateway) };
}

/** `keccak256(abi.encode(srcChainId, srcGateway, srcRef))`. */
export function transferId(t: Pick<Transfer, "srcChainId" | "srcGateway" | "srcRef">): string {
  // Three static words: encoded by hand, as the ABI coder took longer than the hash (every node computes
  // the id of every transfer it reads).
  if (t.srcChainId < 0n || t.srcChainId >= 2n ** 64n) throw new RangeError(`srcChainId: not a uint64: ${t.srcChainId}`);
  if (!BYTES32.test(t.srcGateway) || !BYTES32.test(t.srcRef)) {
    return keccak256(abi.encode(["uint64", "bytes32", "bytes32"], [t.srcChainId, t.srcGateway, t.srcRef])); // ethers' error
  }
  return keccak256(Buffer.from(t.srcChainId.toString(16).padStart(64, "0") + t.srcGateway.slice(2) + t.srcRef.slice(2), "hex"));
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** A 20-byte address left-padded to the 32 bytes of `srcGateway`. */
export function addressToBytes32(address: string): string {
  return zeroPadValue(getAddress(address), 32);
}

/** An EVM gateway's sequence number as `srcRef`. */
export function sequenceToRef(sequence: bigint): string {
  return zeroPadValue(toBeHex(sequence), 32);
}

/** Splits a batch into delivery arguments; every transfer must come from one source gateway. */
export function toDeliveryArgs(transfers: readonly Transfer[]): DeliveryArgs {
  const first = transfers[0];
  if (!first) throw new Error("a batch holds at least one transfer");
  for (const t of transfers) {
    if (t.srcChainId !== first.srcChainId || t.srcGateway.toLowerCase() !== first.srcGateway.toLowerCase()) {
      throw new Error("a batch must come from one source gateway");
    }
    if (t.dstChainId !== first.dstChainId) throw new Error("a batch must go to one destination chain");
  }
  return {
    srcChainId: first.srcChainId,
    srcGateway: first.srcGateway,
    items: transfers.map(({ srcRef, kind, recipient, amount }) => ({ srcRef, kind, recipient, amount })),
  };
}

let hasher: BatchHasher | undefined;

/** The digest validators sign for an ordered batch delivered to the gateway of `domain` (the EIP-712
 * hash of BATCH_TYPES, as TypedDataEncoder.hash computes it, only faster: common/batch-hashing.ts). */
export function batchDigest(domain: TypedDataDomain, transfers: readonly Transfer[]): string {
  hasher ??= new BatchHasher(BATCH_TYPES);
  return hasher.digest(domain, transfers);
}

/** Converts a 65-byte signature to the compact form the gateways take. */
export function toCompact(signature: string): CompactSignature {
  const sig = Signature.from(signature);
  return { r: sig.r, vs: sig.yParityAndS };
}

/** Anything that signs EIP-712 typed data (an ethers Wallet, a KMS-backed signer, ...). */
export interface TypedDataSigner {
  getAddress(): Promise<string>;
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string>;
}

export interface SignerSignature {
  signer: string;
  signature: CompactSignature;
}

/** Signs a batch for the gateway of `domain`. */
export async function signBatch(
  signer: TypedDataSigner,
  domain: TypedDataDomain,
  transfers: readonly Transfer[],
): Promise<SignerSignature> {
  const signature = await signer.signTypedData(domain, BATCH_TYPES, { transfers });
  return { signer: getAddress(await signer.getAddress()), signature: toCompact(signature) };
}

/** Orders signatures by signer address, ascending, as the gateways require. */
export function orderBySigner(signatures: readonly SignerSignature[]): CompactSignature[] {
  return [...signatures].sort((a, b) => compareAddresses(a.signer, b.signer)).map((s) => s.signature);
}

export function compareAddresses(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
