// Typed access to TronWeb's own protobuf definitions. TronWeb registers its generated classes on
// `globalThis.TronWebProto` when it loads (its package exports them no other way), so importing
// "tronweb" for its side effect is what makes them available.
import "tronweb";

export interface PbAny {
  getTypeUrl(): string;
  getValue_asU8(): Uint8Array;
}

export interface PbContract {
  getType(): number;
  getParameter(): PbAny | undefined;
  getPermissionId(): number;
}

export interface PbTransactionRaw {
  getRefBlockBytes_asU8(): Uint8Array;
  getRefBlockHash_asU8(): Uint8Array;
  getData_asU8(): Uint8Array;
  getContractList(): PbContract[];
}

export interface PbTransaction {
  getRawData(): PbTransactionRaw | undefined;
  getSignatureList_asU8(): Uint8Array[];
}

export interface PbTransferContract {
  getOwnerAddress_asU8(): Uint8Array;
  getToAddress_asU8(): Uint8Array;
}

export interface PbTransferAssetContract extends PbTransferContract {
  getAssetName_asU8(): Uint8Array;
}

export interface PbTransactionResult {
  setContractret(value: number): PbTransactionResult;
  serializeBinary(): Uint8Array;
}

interface Decoder<T> {
  deserializeBinary(bytes: Uint8Array): T;
}

interface TronWebProtoNamespace {
  Transaction: Decoder<PbTransaction> & {
    raw: Decoder<PbTransactionRaw>;
    Contract: { ContractType: Record<string, number> };
    Result: (new () => PbTransactionResult) & { contractResult: Record<string, number> };
  };
  TransferContract: Decoder<PbTransferContract>;
  TransferAssetContract: Decoder<PbTransferAssetContract>;
}

const loaded = (globalThis as { TronWebProto?: TronWebProtoNamespace }).TronWebProto;
if (!loaded) throw new Error("TronWeb's protobuf definitions (globalThis.TronWebProto) did not load");

export const TronWebProto: TronWebProtoNamespace = loaded;

const contractTypes = TronWebProto.Transaction.Contract.ContractType;

function contractType(name: string): number {
  const value = contractTypes[name.toUpperCase()];
  if (value === undefined) throw new Error(`TronWeb's protobuf definitions lack contract type ${name}`);
  return value;
}

export const ContractType = {
  TransferContract: contractType("TransferContract"),
  TransferAssetContract: contractType("TransferAssetContract"),
} as const;

/** java-tron's `Transaction.Result.contractResult.SUCCESS`, as printed in a transaction's `ret`. */
export const CONTRACT_RESULT_SUCCESS = (() => {
  const value = TronWebProto.Transaction.Result.contractResult.SUCCESS;
  if (value === undefined) throw new Error("TronWeb's protobuf definitions lack contractResult.SUCCESS");
  return value;
})();
