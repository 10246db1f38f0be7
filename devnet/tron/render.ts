// java-tron's JSON for blocks, transactions, transaction infos, accounts and tokens. Bytes are hex;
// with `visible`, addresses are base58 and name fields (asset names, token names) UTF-8, as java-tron's
// JsonFormat prints them. Zero and empty values are left out, as protobuf's JSON printer does, except a
// block's number: TronWeb reads it to reference a block, the genesis block included.
import { toBase58 } from "../../common/tron/address.ts";
import type { AssetIssue } from "./asset.ts";
import { freeNetUsed } from "./bandwidth.ts";
import { toHex, utf8Bytes, utf8Text } from "./bytes.ts";
import type { Block, IncludedTransaction } from "./chain.ts";
import type { JsonValue } from "./json.ts";
import type { Account } from "./ledger.ts";
import { SLOT_MS, type ChainParameters } from "./params.ts";
import type { DecodedContract, DecodedTransaction } from "./transaction.ts";

export interface RenderOptions {
  readonly visible: boolean;
}

type JsonObject = { readonly [key: string]: JsonValue | undefined };

const nonZero = (value: bigint): bigint | undefined => (value === 0n ? undefined : value);
const nonEmptyHex = (bytes: Uint8Array): string | undefined => (bytes.length === 0 ? undefined : toHex(bytes));

export function renderAddress(hex: string, { visible }: RenderOptions): string {
  return visible ? toBase58(hex) : hex;
}

function renderName(bytes: Uint8Array, { visible }: RenderOptions): string {
  return visible ? utf8Text(bytes) : toHex(bytes);
}

function renderContract(contract: DecodedContract, options: RenderOptions): JsonObject {
  const value = contract.value;
  let fields: JsonObject = {};
  if (value?.kind === "TransferContract") {
    fields = {
      owner_address: renderAddress(value.owner, options),
      to_address: renderAddress(value.to, options),
      amount: nonZero(value.amount),
    };
  } else if (value?.kind === "TransferAssetContract") {
    fields = {
      asset_name: renderName(value.assetName, options),
      owner_address: renderAddress(value.owner, options),
      to_address: renderAddress(value.to, options),
      amount: nonZero(value.amount),
    };
  }
  return {
    parameter: { value: fields, type_url: contract.typeUrl },
    type: contract.typeName,
    Permission_id: contract.permissionId === 0 ? undefined : contract.permissionId,
  };
}

function renderRawData(tx: DecodedTransaction, options: RenderOptions): JsonObject {
  return {
    contract: tx.contracts.map((contract) => renderContract(contract, options)),
    ref_block_bytes: nonEmptyHex(tx.refBlockBytes),
    ref_block_num: nonZero(tx.refBlockNum),
    ref_block_hash: nonEmptyHex(tx.refBlockHash),
    expiration: nonZero(tx.expiration),
    data: nonEmptyHex(tx.data),
    timestamp: nonZero(tx.timestamp),
    fee_limit: nonZero(tx.feeLimit),
  };
}

/** A transaction as `gettransactionbyid` and blocks show it; `ret` once it is in a block. */
export function renderTransaction(tx: DecodedTransaction, included: boolean, options: RenderOptions): JsonObject {
  return {
    ret: included ? [{ contractRet: "SUCCESS" }] : undefined,
    signature: tx.signatures.map(toHex),
    txID: tx.id,
    raw_data: renderRawData(tx, options),
    raw_data_hex: toHex(tx.raw),
  };
}

/** The bare protobuf JSON of a transaction (no txID, no raw_data_hex), as `broadcasthex` returns it. */
export function renderTransactionMessage(tx: DecodedTransaction, options: RenderOptions): JsonObject {
  return { signature: tx.signatures.map(toHex), raw_data: renderRawData(tx, options) };
}

export function renderBlock(block: Block, detail: boolean, options: RenderOptions): JsonObject {
  const { header } = block;
  return {
    blockID: block.id,
    block_header: {
      raw_data: {
        number: header.number,
        txTrieRoot: toHex(header.txTrieRoot),
        witness_address: header.witnessAddress.length === 0 ? undefined : renderAddress(toHex(header.witnessAddress), options),
        parentHash: toHex(header.parentHash),
        version: Number(header.version),
        timestamp: header.timestamp,
      },
      witness_signature: nonEmptyHex(block.witnessSignature),
    },
    transactions:
      detail && block.transactions.length > 0 ? block.transactions.map((t) => renderTransaction(t.tx, true, options)) : undefined,
  };
}

export function renderTransactionInfo(included: IncludedTransaction): JsonObject {
  const { receipt } = included;
  return {
    id: included.tx.id,
    fee: nonZero(receipt.fee),
    blockNumber: included.blockNumber,
    blockTimeStamp: included.blockTimestamp,
    contractResult: [""],
    receipt: { net_usage: nonZero(receipt.netUsage), net_fee: nonZero(receipt.netFee) },
  };
}

/** An account as `getaccount` returns it: free bandwidth usage recovered to `slot`, times in ms. */
export function renderAccount(account: Account, slot: bigint, genesisTimestamp: bigint, options: RenderOptions): JsonObject {
  const assets = [...account.assets].map(([key, value]) => ({ key, value }));
  return {
    address: renderAddress(account.address, options),
    balance: nonZero(account.balance),
    create_time: nonZero(account.createTime),
    latest_opration_time: nonZero(account.latestOperationTime),
    free_net_usage: nonZero(freeNetUsed(account, slot)),
    latest_consume_free_time: genesisTimestamp + SLOT_MS * account.latestConsumeFreeTime,
    assetV2: assets.length > 0 ? assets : undefined,
  };
}

export function renderAccountNet(account: Account, slot: bigint, parameters: ChainParameters): JsonObject {
  return { freeNetUsed: nonZero(freeNetUsed(account, slot)), freeNetLimit: nonZero(parameters.freeNetLimit) };
}

export function renderAsset(asset: AssetIssue, options: RenderOptions): JsonObject {
  const name = (text: string) => renderName(utf8Bytes(text), options);
  return {
    owner_address: renderAddress(asset.ownerAddress, options),
    name: name(asset.name),
    abbr: name(asset.abbr),
    total_supply: nonZero(asset.totalSupply),
    trx_num: asset.trxNum === 0 ? undefined : asset.trxNum,
    precision: asset.precision === 0 ? undefined : asset.precision,
    num: asset.num === 0 ? undefined : asset.num,
    start_time: nonZero(asset.startTime),
    end_time: nonZero(asset.endTime),
    description: asset.description ? name(asset.description) : undefined,
    url: asset.url ? name(asset.url) : undefined,
    id: asset.id,
  };
}

export function renderChainParameters(parameters: ChainParameters): JsonObject {
  const entries: [string, bigint][] = [
    ["getTransactionFee", parameters.transactionFee],
    ["getCreateAccountFee", parameters.createAccountFee],
    ["getCreateNewAccountFeeInSystemContract", parameters.createNewAccountFeeInSystemContract],
    ["getFreeNetLimit", parameters.freeNetLimit],
    ["getMemoFee", parameters.memoFee],
  ];
  return { chainParameter: entries.map(([key, value]) => ({ key, value: nonZero(value) })) };
}
