// java-tron's block JSON (non-`visible`: hex addresses "41…", hex asset names and memos; int64 fields as
// strings or exact numbers), read into what the TRON source needs: each block's number, id and parent,
// and for each transaction its id, whether it succeeded, its first contract and its memo.
//
// Only the fields of transfers the relayer acts on are held to their format; a transaction of another
// kind, or to another account, is never a reason to refuse a block.
import { ChainDataError } from "../../errors.ts";
import { isRecord } from "../../../common/guards.ts";

export interface TronBlock {
  number: bigint;
  /** 64 lower-case hex digits, no 0x. */
  id: string;
  parentId: string;
  transactions: TronTransaction[];
}

export interface TronTransaction {
  /** 64 lower-case hex digits, no 0x. */
  id: string;
  /** Its position in the block. */
  index: number;
  /** java-tron ran it with success (contractRet SUCCESS; see `succeeded`). */
  succeeded: boolean;
  /** `raw_data.contract[0]`: java-tron accepts exactly one contract per transaction. */
  contract: RawContract | undefined;
  /** `raw_data.data` (the memo), hex without 0x, "" when absent. */
  dataHex: string;
}

/** A contract as the block has it; `value` is read further only for what concerns the deposit address. */
export interface RawContract {
  type: string;
  value: Record<string, unknown>;
}

/** A transfer of TRX, a TRC-10 token or (best effort) a TRC-20 token, with addresses as hex "41…". */
export type TronTransferValue =
  | { asset: "TRX"; owner: string; to: string; amount: bigint }
  | { asset: "TRC10"; tokenId: string; owner: string; to: string; amount: bigint }
  | { asset: "TRC20"; contract: string; owner: string; to: string; amount: bigint };

const HASH = /^[0-9a-fA-F]{64}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const TRON_HEX_ADDRESS = /^41[0-9a-fA-F]{40}$/;
/** A call of `transfer(address,uint256)` (selector a9059cbb): the recipient's word (12 zero bytes and the
 * 20-byte account; TRON's ABI leaves out 0x41) and the amount's. */
const TRC20_TRANSFER_CALL = /^a9059cbb0{24}([0-9a-f]{40})([0-9a-f]{64})/;

/** An int64 field: a digit string, or a JSON number only if it is exact (a safe integer); absent is 0. */
export function readInt64(value: unknown, what: string): bigint {
  if (value === undefined) return 0n;
  if (typeof value === "string" && /^-?\d{1,19}$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "number") {
    throw new ChainDataError(
      `${what} came as the JSON number ${value}, beyond 2^53 and so possibly rounded: the node ignores int64_as_string (java-tron 4.8.2+ honours it)`,
    );
  }
  throw new ChainDataError(`${what} is not an integer: ${JSON.stringify(value)}`);
}

function readHash(value: unknown, what: string): string {
  if (typeof value !== "string" || !HASH.test(value)) throw new ChainDataError(`${what} is not 32 bytes of hex: ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

/** A TRON address as java-tron's non-visible JSON writes it ("41…"), lower-case. */
export function readTronAddress(value: unknown, what: string): string {
  if (typeof value !== "string" || !TRON_HEX_ADDRESS.test(value)) {
    throw new ChainDataError(`${what} is not a TRON address (hex 41…): ${JSON.stringify(value)}`);
  }
  return value.toLowerCase();
}

/** One block of `getblockbylimitnext` / `getblock`. */
export function parseBlock(json: unknown): TronBlock {
  if (!isRecord(json)) throw new ChainDataError(`a block is not a JSON object: ${JSON.stringify(json)?.slice(0, 100)}`);
  const id = readHash(json.blockID, "blockID");
  const header = isRecord(json.block_header) && isRecord(json.block_header.raw_data) ? json.block_header.raw_data : undefined;
  if (!header) throw new ChainDataError(`block ${id} has no block_header.raw_data`);
  // Protobuf's JSON leaves out zero values: the genesis block may come without a number.
  const number = readInt64(header.number, `block ${id} number`);
  const parentId = readHash(header.parentHash, `block ${number} parentHash`);
  const list = json.transactions ?? [];
  if (!Array.isArray(list)) throw new ChainDataError(`block ${number}: transactions is not a list`);
  return { number, id, parentId, transactions: list.map((tx, index) => parseTransaction(tx, index, number)) };
}

function parseTransaction(json: unknown, index: number, block: bigint): TronTransaction {
  const where = `block ${block} transaction ${index}`;
  if (!isRecord(json)) throw new ChainDataError(`${where} is not a JSON object`);
  const id = readHash(json.txID, `${where} txID`);
  const raw = isRecord(json.raw_data) ? json.raw_data : undefined;
  if (!raw) throw new ChainDataError(`transaction ${id} has no raw_data`);
  const contracts = Array.isArray(raw.contract) ? raw.contract : [];
  const first: unknown = contracts[0];
  let contract: RawContract | undefined;
  if (isRecord(first) && typeof first.type === "string") {
    const parameter = isRecord(first.parameter) ? first.parameter : {};
    contract = { type: first.type, value: isRecord(parameter.value) ? parameter.value : {} };
  }
  const data = raw.data ?? "";
  if (typeof data !== "string" || !HEX.test(data)) throw new ChainDataError(`transaction ${id}: raw_data.data is not hex`);
  return { id, index, succeeded: succeeded(json.ret), contract, dataHex: data.toLowerCase() };
}

/**
 * java-tron writes each included transaction's result as `ret: [{contractRet: "SUCCESS"}]`; any other
 * contractRet (REVERT, OUT_OF_ENERGY, …) or `ret: "FAILED"` means it changed no balance. A result left
 * out (`{}`, protobuf's DEFAULT) is counted as success: a system contract (TRX, TRC-10 transfer) is
 * refused before it gets into a block, never after, so one that is in a block has executed.
 */
function succeeded(ret: unknown): boolean {
  if (ret === undefined) return true;
  if (!Array.isArray(ret)) return false;
  const result: unknown = ret[0];
  if (result === undefined) return true;
  if (!isRecord(result)) return false;
  const contractRet = result.contractRet;
  if (result.ret === "FAILED") return false;
  return contractRet === undefined || contractRet === "SUCCESS" || contractRet === "DEFAULT";
}

/** The hex address a transaction's contract sends to, if it is a transfer (no format checks). */
export function recipientOf(contract: RawContract): string | undefined {
  switch (contract.type) {
    case "TransferContract":
    case "TransferAssetContract":
      return typeof contract.value.to_address === "string" ? contract.value.to_address.toLowerCase() : undefined;
    case "TriggerSmartContract": {
      const call = typeof contract.value.data === "string" ? TRC20_TRANSFER_CALL.exec(contract.value.data.toLowerCase()) : null;
      return call ? `41${call[1]}` : undefined;
    }
    default:
      return undefined;
  }
}

/** The transfer a contract makes, read strictly (it concerns the deposit address). */
export function transferValue(contract: RawContract, txId: string): TronTransferValue {
  const v = contract.value;
  const what = `transaction ${txId}`;
  switch (contract.type) {
    case "TransferContract":
      return {
        asset: "TRX",
        owner: readTronAddress(v.owner_address, `${what} owner_address`),
        to: readTronAddress(v.to_address, `${what} to_address`),
        amount: readInt64(v.amount, `${what} amount`),
      };
    case "TransferAssetContract": {
      const name = v.asset_name;
      if (typeof name !== "string" || name === "" || !HEX.test(name)) {
        throw new ChainDataError(`${what}: asset_name is not hex: ${JSON.stringify(name)}`);
      }
      return {
        asset: "TRC10",
        tokenId: Buffer.from(name, "hex").toString("utf8"),
        owner: readTronAddress(v.owner_address, `${what} owner_address`),
        to: readTronAddress(v.to_address, `${what} to_address`),
        amount: readInt64(v.amount, `${what} amount`),
      };
    }
    case "TriggerSmartContract": {
      const call = typeof v.data === "string" ? TRC20_TRANSFER_CALL.exec(v.data.toLowerCase()) : null;
      if (!call) throw new ChainDataError(`${what}: not a TRC-20 transfer(address,uint256) call`);
      return {
        asset: "TRC20",
        contract: readTronAddress(v.contract_address, `${what} contract_address`),
        owner: readTronAddress(v.owner_address, `${what} owner_address`),
        to: `41${call[1]}`,
        amount: BigInt(`0x${call[2]}`),
      };
    }
    default:
      throw new ChainDataError(`${what}: a ${contract.type} is not a transfer`);
  }
}
