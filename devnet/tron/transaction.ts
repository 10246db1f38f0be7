// Decoding of signed TRON transactions with TronWeb's own protobuf definitions. The transaction id is
// sha256 of the exact `raw_data` bytes received, and int64 values (amounts, times) are read exactly
// from the wire, since TronWeb's generated reader returns them as JavaScript numbers.
import { sha256 } from "ethers";
import { utils } from "tronweb";
import { fromHex, toHex, utf8Text } from "./bytes.ts";
import { ContractType, TronWebProto, type PbContract, type PbTransactionRaw } from "./proto.ts";
import { MAX_RESULT_SIZE_IN_TX } from "./params.ts";
import { bytesField, encodeVarint, int64Field, readFields, repeatedBytesField } from "./wire.ts";
import { BridgeError, messageOf } from "../../common/errors.ts";
import { isRecord } from "../../common/guards.ts";

/** A transaction the node cannot decode (answered as a bad request, unlike a refusal). */
export class TransactionFormatError extends BridgeError<"TRANSACTION_FORMAT"> {
  constructor(message: string) {
    super("TRANSACTION_FORMAT", message);
  }
}

export interface TransferValue {
  readonly kind: "TransferContract";
  /** Hex of the bytes as sent (validated later, as java-tron's actuator does). */
  readonly owner: string;
  readonly to: string;
  readonly amount: bigint;
}

export interface TransferAssetValue {
  readonly kind: "TransferAssetContract";
  readonly owner: string;
  readonly to: string;
  readonly amount: bigint;
  /** The TRC-10 token id as bytes ("1002000" in UTF-8). */
  readonly assetName: Uint8Array;
}

export type ContractValue = TransferValue | TransferAssetValue;

export interface DecodedContract {
  readonly type: number;
  /** java-tron's name of the contract type ("TransferContract"), from the parameter's type URL. */
  readonly typeName: string;
  readonly typeUrl: string;
  readonly permissionId: number;
  /** Undefined for contract types this node does not execute. */
  readonly value: ContractValue | undefined;
}

export interface DecodedTransaction {
  /** sha256 of `raw`, lower-case hex. */
  readonly id: string;
  readonly raw: Uint8Array;
  readonly signatures: readonly Uint8Array[];
  readonly refBlockBytes: Uint8Array;
  readonly refBlockNum: bigint;
  readonly refBlockHash: Uint8Array;
  readonly expiration: bigint;
  readonly timestamp: bigint;
  readonly feeLimit: bigint;
  /** `raw_data.data`: the memo. */
  readonly data: Uint8Array;
  readonly contracts: readonly DecodedContract[];
  /** Serialized size without `ret`, as java-tron's size checks count it. */
  readonly size: bigint;
}

/** Fields of `Transaction.raw` and of the two transfer contracts (java-tron's Tron.proto). */
const RAW = { refBlockNum: 3, expiration: 8, timestamp: 14, feeLimit: 18 } as const;
const AMOUNT_FIELD = { TransferContract: 3, TransferAssetContract: 4 } as const;
const TRANSACTION = { rawData: 1, signature: 2 } as const;

function typeNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf(".") + 1);
}

function decodeContract(contract: PbContract): DecodedContract {
  const parameter = contract.getParameter();
  const typeUrl = parameter?.getTypeUrl() ?? "";
  const valueBytes = parameter?.getValue_asU8() ?? new Uint8Array();
  const type = contract.getType();
  const base = { type, typeName: typeNameOf(typeUrl), typeUrl, permissionId: contract.getPermissionId() };
  if (type === ContractType.TransferContract) {
    const pb = TronWebProto.TransferContract.deserializeBinary(valueBytes);
    const amount = int64Field(readFields(valueBytes), AMOUNT_FIELD.TransferContract);
    return {
      ...base,
      value: {
        kind: "TransferContract",
        owner: toHex(pb.getOwnerAddress_asU8()),
        to: toHex(pb.getToAddress_asU8()),
        amount,
      },
    };
  }
  if (type === ContractType.TransferAssetContract) {
    const pb = TronWebProto.TransferAssetContract.deserializeBinary(valueBytes);
    const amount = int64Field(readFields(valueBytes), AMOUNT_FIELD.TransferAssetContract);
    return {
      ...base,
      value: {
        kind: "TransferAssetContract",
        owner: toHex(pb.getOwnerAddress_asU8()),
        to: toHex(pb.getToAddress_asU8()),
        amount,
        assetName: pb.getAssetName_asU8(),
      },
    };
  }
  return { ...base, value: undefined };
}

function serializedSize(raw: Uint8Array, signatures: readonly Uint8Array[]): bigint {
  const field = (length: number) => 1n + BigInt(encodeVarint(BigInt(length)).length) + BigInt(length);
  return signatures.reduce((size, sig) => size + field(sig.length), field(raw.length));
}

/** Decodes `raw_data` bytes and the signatures that go with them. */
export function decodeTransaction(raw: Uint8Array, signatures: readonly Uint8Array[]): DecodedTransaction {
  let pb: PbTransactionRaw;
  let contracts: DecodedContract[];
  let fields;
  try {
    pb = TronWebProto.Transaction.raw.deserializeBinary(raw);
    contracts = pb.getContractList().map(decodeContract);
    fields = readFields(raw);
  } catch (error) {
    throw new TransactionFormatError(`raw_data is not a valid protocol.Transaction.raw: ${messageOf(error)}`);
  }
  return {
    id: sha256(raw).slice(2),
    raw,
    signatures,
    refBlockBytes: pb.getRefBlockBytes_asU8(),
    refBlockNum: int64Field(fields, RAW.refBlockNum),
    refBlockHash: pb.getRefBlockHash_asU8(),
    expiration: int64Field(fields, RAW.expiration),
    timestamp: int64Field(fields, RAW.timestamp),
    feeLimit: int64Field(fields, RAW.feeLimit),
    data: pb.getData_asU8(),
    contracts,
    size: serializedSize(raw, signatures),
  };
}

/** Decodes a whole signed `protocol.Transaction` in hex, as `wallet/broadcasthex` takes it. */
export function decodeTransactionHex(hex: string): DecodedTransaction {
  let raw: Uint8Array | undefined;
  let signatures: Uint8Array[];
  try {
    const bytes = fromHex(hex);
    TronWebProto.Transaction.deserializeBinary(bytes);
    const fields = readFields(bytes);
    raw = bytesField(fields, TRANSACTION.rawData);
    signatures = repeatedBytesField(fields, TRANSACTION.signature);
  } catch (error) {
    throw new TransactionFormatError(`not a valid protocol.Transaction: ${messageOf(error)}`);
  }
  if (!raw) throw new TransactionFormatError("the transaction has no raw_data");
  return decodeTransaction(raw, signatures);
}

/**
 * Decodes the JSON body of `wallet/broadcasttransaction`. TronWeb always sends `raw_data_hex`, the
 * exact bytes it signed, and those are used; a body with only the `raw_data` JSON is encoded with
 * TronWeb's own `txJsonToPb` (its numbers are JavaScript numbers, so amounts beyond 2^53 need hex).
 */
export function decodeTransactionJson(body: unknown): DecodedTransaction {
  if (!isRecord(body)) throw new TransactionFormatError("the request body is not a transaction object");
  const signatureField = body.signature ?? [];
  if (!Array.isArray(signatureField) || !signatureField.every((s): s is string => typeof s === "string")) {
    throw new TransactionFormatError("signature must be an array of hex strings");
  }
  let raw: Uint8Array;
  let signatures: Uint8Array[];
  try {
    signatures = signatureField.map(fromHex);
    if (typeof body.raw_data_hex === "string") {
      raw = fromHex(body.raw_data_hex);
    } else if (isRecord(body.raw_data)) {
      const rawHex: unknown = utils.transaction.txPbToRawDataHex(utils.transaction.txJsonToPb(body));
      if (typeof rawHex !== "string") throw new TransactionFormatError("TronWeb could not encode raw_data");
      raw = fromHex(rawHex);
    } else {
      throw new TransactionFormatError("the transaction has neither raw_data_hex nor raw_data");
    }
  } catch (error) {
    if (error instanceof TransactionFormatError) throw error;
    throw new TransactionFormatError(`cannot decode the transaction: ${messageOf(error)}`);
  }
  return decodeTransaction(raw, signatures);
}

/** The bandwidth a transaction uses: its size plus 64 result bytes per contract. */
export function bandwidthBytes(tx: DecodedTransaction): bigint {
  return tx.size + MAX_RESULT_SIZE_IN_TX * BigInt(tx.contracts.length);
}

/** The TRC-10 token id named by `asset_name`, as java-tron keys balances with it. */
export function assetId(value: TransferAssetValue): string {
  return utf8Text(value.assetName);
}
