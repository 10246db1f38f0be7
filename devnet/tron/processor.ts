// One transaction through java-tron's checks, in java-tron's order (`Wallet.broadcastTransaction`,
// then `Manager.processTransaction`): contract present, expiration against the next slot (broadcast
// only), signature, TAPOS reference block, size and expiration window, one contract, duplicate,
// bandwidth, memo fee, then the contract. Effects go to an overlay that is returned only on success.
import { executeTransfer, executeTransferAsset, type ActuatorContext } from "./actuators.ts";
import { toBase58 } from "../../common/tron/address.ts";
import type { AssetIssue } from "./asset.ts";
import { consumeBandwidth, slotAt } from "./bandwidth.ts";
import { equalBytes, toHex } from "./bytes.ts";
import { refuse } from "./errors.ts";
import { LedgerOverlay, type Account, type AccountReader } from "./ledger.ts";
import { MAX_RESULT_SIZE_IN_TX, MAXIMUM_TIME_UNTIL_EXPIRATION_MS, TRANSACTION_MAX_BYTE_SIZE, type ChainParameters } from "./params.ts";
import { verifySignatures } from "./signature.ts";
import { bandwidthBytes, type DecodedTransaction } from "./transaction.ts";

export interface Receipt {
  /** `TransactionInfo.fee`: all the sun burned (contract fee, bandwidth fee, memo fee). */
  readonly fee: bigint;
  /** Free bandwidth bytes used (`receipt.net_usage`). */
  readonly netUsage: bigint;
  /** Sun burned for bandwidth (`receipt.net_fee`). */
  readonly netFee: bigint;
  readonly memoFee: bigint;
  /** What the contract itself charged (`ret.fee`): creating the recipient's account. */
  readonly contractFee: bigint;
}

export interface ProcessContext {
  readonly state: AccountReader;
  readonly parameters: ChainParameters;
  readonly assets: ReadonlyMap<string, AssetIssue>;
  /** The block the transaction executes on top of. */
  readonly head: { readonly number: bigint; readonly timestamp: bigint; readonly id: string };
  readonly solidId: string;
  readonly genesisTimestamp: bigint;
  /** Bytes 8..16 of the recent block whose number ends in `refBlockBytes` (java-tron's RecentBlockStore). */
  readonly recentBlockHash: (refBlockBytes: Uint8Array) => Uint8Array | undefined;
  readonly isKnown: (txId: string) => boolean;
  /** When broadcasting: the next block slot's time, which the transaction must not expire before. */
  readonly nextSlotTime?: bigint;
}

export interface Processed {
  readonly writes: ReadonlyMap<string, Account>;
  readonly receipt: Receipt;
}

function checkTapos(tx: DecodedTransaction, context: ProcessContext): void {
  const refNum = tx.refBlockBytes.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
  const where = `solid block ${context.solidId} head block ${context.head.id}`;
  const hash = context.recentBlockHash(tx.refBlockBytes);
  if (!hash) {
    throw refuse.tapos(`Tapos failed, block not found, ref block ${refNum}, ${toHex(tx.refBlockHash)} , ${where}`);
  }
  if (!equalBytes(hash, tx.refBlockHash)) {
    throw refuse.tapos(`Tapos failed, different block hash, ${refNum}, ${toHex(tx.refBlockHash)} , recent block ${toHex(hash)}, ${where}`);
  }
}

function checkCommon(tx: DecodedTransaction, context: ProcessContext): void {
  const size = tx.size + 2n * MAX_RESULT_SIZE_IN_TX;
  if (size > TRANSACTION_MAX_BYTE_SIZE) {
    throw refuse.tooBig(
      `Too big transaction with result, TxId ${tx.id}, the size is ${size} bytes, maxTxSize ${TRANSACTION_MAX_BYTE_SIZE}`,
    );
  }
  const headTime = context.head.timestamp;
  if (tx.expiration <= headTime || tx.expiration > headTime + MAXIMUM_TIME_UNTIL_EXPIRATION_MS) {
    throw refuse.expired(`Transaction expiration, transaction expiration time is ${tx.expiration}, but headBlockTime is ${headTime}`);
  }
}

function chargeMemoFee(tx: DecodedTransaction, ledger: LedgerOverlay, ownerAddress: string, fee: bigint): bigint {
  if (tx.data.length === 0 || fee === 0n) return 0n;
  const owner = ledger.get(ownerAddress);
  if (!owner) return 0n;
  if (owner.balance < fee) {
    throw refuse.resourceInsufficient(`account ${toBase58(ownerAddress)} insufficient balance[${fee}] to memo fee`);
  }
  ledger.put({ ...owner, balance: owner.balance - fee });
  return fee;
}

/** Validates and executes `tx` on `context.state`; throws a TransactionRefusedError, changing nothing, if
 * java-tron would refuse it. */
export function processTransaction(tx: DecodedTransaction, context: ProcessContext): Processed {
  const contract = tx.contracts[0];
  if (!contract) throw refuse.contractValidate("No contract!");
  if (context.nextSlotTime !== undefined && tx.expiration < context.nextSlotTime) {
    throw refuse.expired(`Transaction expiration time is ${tx.expiration}, but next slot time is ${context.nextSlotTime}`);
  }
  const value = contract.value;
  if (!value) {
    throw refuse.contractValidate(
      `this development node executes only TransferContract and TransferAssetContract, not ${contract.typeName || `contract type ${contract.type}`}`,
    );
  }
  verifySignatures(tx, value.owner);
  checkTapos(tx, context);
  checkCommon(tx, context);
  if (tx.contracts.length !== 1) {
    throw refuse.contractValidate(`tx ${tx.id} contract size should be exactly 1, this is extend feature ,actual :${tx.contracts.length}`);
  }
  if (context.isKnown(tx.id)) throw refuse.duplicate(tx.id);

  const ledger = new LedgerOverlay(context.state);
  const headTimestamp = context.head.timestamp;
  const createsAccount = ledger.get(value.to) === undefined;
  const bandwidth = consumeBandwidth(
    { ledger, parameters: context.parameters, slot: slotAt(headTimestamp, context.genesisTimestamp), headTimestamp },
    value.owner,
    bandwidthBytes(tx),
    createsAccount,
  );
  const memoFee = chargeMemoFee(tx, ledger, value.owner, context.parameters.memoFee);
  const actuator: ActuatorContext = { ledger, parameters: context.parameters, assets: context.assets, headTimestamp };
  const contractFee = value.kind === "TransferContract" ? executeTransfer(actuator, value) : executeTransferAsset(actuator, value);

  return {
    writes: ledger.writes,
    receipt: {
      fee: contractFee + bandwidth.netFee + memoFee,
      netUsage: bandwidth.netUsage,
      netFee: bandwidth.netFee,
      memoFee,
      contractFee,
    },
  };
}
