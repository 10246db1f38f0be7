// Blocks as java-tron builds them: the header's raw data in protobuf (TronWeb ships no Block message,
// so it is encoded here with java-tron's field numbers), the block id (the header's sha256 with its
// first 8 bytes replaced by the block number), the transactions' merkle root and the witness signature.
import { SigningKey, getBytes, sha256 } from "ethers";
import { concatBytes, int64Bytes, toHex } from "./bytes.ts";
import { CONTRACT_RESULT_SUCCESS, TronWebProto } from "./proto.ts";
import type { DecodedTransaction } from "./transaction.ts";
import { lengthDelimitedField, varintField } from "./wire.ts";

export interface BlockHeader {
  readonly number: bigint;
  readonly timestamp: bigint;
  readonly parentHash: Uint8Array;
  readonly txTrieRoot: Uint8Array;
  readonly witnessAddress: Uint8Array;
  readonly version: bigint;
}

/** Fields of `BlockHeader.raw` and `Transaction` in java-tron's Tron.proto. */
const HEADER = { timestamp: 1, txTrieRoot: 2, parentHash: 3, number: 7, witnessAddress: 9, version: 10 } as const;
const TRANSACTION = { rawData: 1, signature: 2, ret: 5 } as const;

export const ZERO_HASH = new Uint8Array(32);

export function encodeHeader(header: BlockHeader): Uint8Array {
  return concatBytes([
    varintField(HEADER.timestamp, header.timestamp),
    lengthDelimitedField(HEADER.txTrieRoot, header.txTrieRoot),
    lengthDelimitedField(HEADER.parentHash, header.parentHash),
    varintField(HEADER.number, header.number),
    lengthDelimitedField(HEADER.witnessAddress, header.witnessAddress),
    varintField(HEADER.version, header.version),
  ]);
}

/** The block id, lower-case hex: the block number, then bytes 8..32 of sha256 of the header. */
export function blockId(header: BlockHeader): string {
  const hash = getBytes(sha256(encodeHeader(header)));
  hash.set(int64Bytes(header.number), 0);
  return toHex(hash);
}

const successResult = new TronWebProto.Transaction.Result().setContractret(CONTRACT_RESULT_SUCCESS).serializeBinary();

/** A transaction as a block stores it: raw data, signatures and `ret` = SUCCESS. */
export function encodeIncludedTransaction(tx: DecodedTransaction): Uint8Array {
  return concatBytes([
    lengthDelimitedField(TRANSACTION.rawData, tx.raw, true),
    ...tx.signatures.map((signature) => lengthDelimitedField(TRANSACTION.signature, signature, true)),
    lengthDelimitedField(TRANSACTION.ret, successResult, true),
  ]);
}

/** java-tron's MerkleTree over the transactions' sha256: pairs hashed together, an odd one carried up. */
export function merkleRoot(transactions: readonly Uint8Array[]): Uint8Array {
  let level = transactions.map((tx) => getBytes(sha256(tx)));
  if (level.length === 0) return ZERO_HASH;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1];
      next.push(right ? getBytes(sha256(concatBytes([left, right]))) : left);
    }
    level = next;
  }
  return level[0]!;
}

/** The witness's signature over sha256 of the header: r ‖ s ‖ v (27 or 28), as java-tron signs blocks. */
export function signHeader(header: BlockHeader, witness: SigningKey): Uint8Array {
  return getBytes(witness.sign(sha256(encodeHeader(header))).serialized);
}
