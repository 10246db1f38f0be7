// Signature checks of java-tron's `TransactionCapsule.validateSignature` for accounts with default
// permissions (this node has no permission updates): the owner permission (id 0) and the default
// active permission (id 2) both hold one key, the owner's, with weight 1 and threshold 1.
import { Signature, hexlify, recoverAddress } from "ethers";
import { fromEvmAddress, toBase58 } from "../../common/tron/address.ts";
import { refuse } from "./errors.ts";
import { TOTAL_SIGN_NUM } from "./params.ts";
import type { DecodedTransaction } from "./transaction.ts";
import { messageOf } from "../../common/errors.ts";

const OWNER_PERMISSION_ID = 0;
const DEFAULT_ACTIVE_PERMISSION_ID = 2;

/** The account (hex "41…") that made a 65-byte r‖s‖v signature over a transaction id. */
export function recoverSigner(txId: string, signature: Uint8Array): string {
  const v = signature[64] ?? 0;
  const header = v < 27 ? v + 27 : v;
  if (header !== 27 && header !== 28) throw new Error(`Header byte out of range: ${header}`);
  const sig = Signature.from({
    r: hexlify(signature.slice(0, 32)),
    s: hexlify(signature.slice(32, 64)),
    v: header,
  });
  return fromEvmAddress(recoverAddress(`0x${txId}`, sig));
}

/** Refuses (SIGERROR) a transaction not signed by the owner of its contract. */
export function verifySignatures(tx: DecodedTransaction, owner: string): void {
  const contract = tx.contracts[0];
  if (tx.signatures.length === 0 || !contract) throw refuse.signature("miss sig or contract");
  if (tx.signatures.length > TOTAL_SIGN_NUM) throw refuse.signature("too many signatures");
  if (contract.permissionId !== OWNER_PERMISSION_ID && contract.permissionId !== DEFAULT_ACTIVE_PERMISSION_ID) {
    throw refuse.signature("permission isn't exit");
  }
  const keyCount = 1;
  if (tx.signatures.length > keyCount) {
    throw refuse.signature(`Signature count is ${tx.signatures.length} more than key counts of permission : ${keyCount}`);
  }
  const [signature] = tx.signatures;
  if (!signature || signature.length < 65) throw refuse.signature(`Signature size is ${signature?.length ?? 0}`);
  let signer: string;
  try {
    signer = recoverSigner(tx.id, signature);
  } catch (error) {
    throw refuse.signature(messageOf(error));
  }
  if (signer !== owner) {
    throw refuse.signature(`${tx.id} is signed by ${toBase58(signer)} but it is not contained of permission.`);
  }
}
