// The EIP-712 digest of a batch of transfers (docs/protocol.md, "Attestations"), computed word by word. It is exactly what ethers'
// TypedDataEncoder.hash gives for BATCH_TYPES (test/common/transfer.test.ts checks the two agree on
// random batches), at a fraction of the CPU: the relayer hashes every batch it proposes, co-signs or
// checks, and the generic encoder spent milliseconds per batch walking the types for each field.
// Any change here must match contracts/core/TransferHashing.sol.
import { TypedDataEncoder, keccak256, toUtf8Bytes, type TypedDataDomain, type TypedDataField } from "ethers";
import { checksumAddress } from "./address.ts";

export interface HashableTransfer {
  srcChainId: bigint;
  srcGateway: string;
  srcRef: string;
  kind: number;
  dstChainId: bigint;
  recipient: string;
  amount: bigint;
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Hashes batches of `types` (BATCH_TYPES: `Batch { Transfer[] transfers }`). */
export class BatchHasher {
  private readonly transferTypeHash: string;
  private readonly batchTypeHash: string;
  private readonly domains = new Map<string, string>();

  constructor(types: Record<string, TypedDataField[]>) {
    // The type strings as ethers encodes them, so that both can never disagree on a name or an order.
    const encoder = TypedDataEncoder.from(types);
    this.transferTypeHash = body(keccak256(toUtf8Bytes(encoder.encodeType("Transfer"))));
    this.batchTypeHash = body(keccak256(toUtf8Bytes(encoder.encodeType("Batch"))));
    const fields = types.Transfer?.map((f) => `${f.type} ${f.name}`).join(",");
    if (fields !== "uint64 srcChainId,bytes32 srcGateway,bytes32 srcRef,uint8 kind,uint64 dstChainId,address recipient,uint256 amount") {
      throw new Error("BatchHasher encodes the spec §4 Transfer fields only");
    }
  }

  /** keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(Batch { transfers })). */
  digest(domain: TypedDataDomain, transfers: readonly HashableTransfer[]): string {
    const items = transfers.map((t) => this.transferHash(t)).join("");
    const batch = body(keccak256(hexBytes(this.batchTypeHash + body(keccak256(hexBytes(items))))));
    return keccak256(hexBytes("1901" + this.domainSeparator(domain) + batch));
  }

  private transferHash(t: HashableTransfer): string {
    return body(
      keccak256(
        hexBytes(
          this.transferTypeHash +
            uint(t.srcChainId, 64, "srcChainId") +
            bytes32(t.srcGateway, "srcGateway") +
            bytes32(t.srcRef, "srcRef") +
            uint(BigInt(t.kind), 8, "kind") +
            uint(t.dstChainId, 64, "dstChainId") +
            address(t.recipient) +
            uint(t.amount, 256, "amount"),
        ),
      ),
    );
  }

  private domainSeparator(domain: TypedDataDomain): string {
    const key = JSON.stringify(domain, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    let separator = this.domains.get(key);
    if (separator === undefined) {
      separator = body(TypedDataEncoder.hashDomain(domain));
      if (this.domains.size < 1_000) this.domains.set(key, separator);
    }
    return separator;
  }
}

function body(hex: string): string {
  return hex.slice(2).toLowerCase();
}

function hexBytes(hex: string): Uint8Array {
  return Buffer.from(hex, "hex");
}

function uint(value: bigint, bits: number, field: string): string {
  if (typeof value !== "bigint" || value < 0n || value >= 1n << BigInt(bits))
    throw new RangeError(`${field}: not a uint${bits}: ${String(value)}`);
  return value.toString(16).padStart(64, "0");
}

function bytes32(value: string, field: string): string {
  if (!BYTES32.test(value)) throw new TypeError(`${field}: not 32 bytes of hex: ${value}`);
  return body(value);
}

/** A recipient as ethers takes it: 20 bytes of hex, with the right EIP-55 checksum if mixed-case. */
function address(value: string): string {
  if (!ADDRESS.test(value)) throw new TypeError(`recipient: not an address: ${value}`);
  checksumAddress(value); // throws on a wrong checksum, as ethers' encoder does
  return body(value).padStart(64, "0");
}
