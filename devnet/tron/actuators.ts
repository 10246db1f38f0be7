// The two contracts this node executes, with the checks and messages of java-tron's TransferActuator
// and TransferAssetActuator. Each validates, then applies its effects to the overlay, and returns the
// fee it charged itself (`ret.fee`: the fee for creating the recipient's account).
import { isAddressBytes } from "./address.ts";
import type { AssetIssue } from "./asset.ts";
import { fromHex } from "./bytes.ts";
import { refuse } from "./errors.ts";
import { addExact } from "./int64.ts";
import { newAccount, type Account, type LedgerOverlay } from "./ledger.ts";
import type { ChainParameters } from "./params.ts";
import { assetId, type TransferAssetValue, type TransferValue } from "./transaction.ts";
import { messageOf } from "../../common/errors.ts";

export interface ActuatorContext {
  readonly ledger: LedgerOverlay;
  readonly parameters: ChainParameters;
  readonly assets: ReadonlyMap<string, AssetIssue>;
  /** The head block's timestamp, which becomes a new account's `create_time`. */
  readonly headTimestamp: bigint;
}

function validAddress(hex: string): boolean {
  return isAddressBytes(fromHex(hex));
}

/** `Math.addExact` as a validation failure: java-tron reports the ArithmeticException's message. */
function checkedAdd(a: bigint, b: bigint): bigint {
  try {
    return addExact(a, b);
  } catch (error) {
    throw refuse.contractValidate(messageOf(error));
  }
}

function withAsset(account: Account, id: string, amount: bigint): Account {
  return { ...account, assets: new Map(account.assets).set(id, amount) };
}

export function executeTransfer(context: ActuatorContext, value: TransferValue): bigint {
  const { ledger, parameters, headTimestamp } = context;
  if (!validAddress(value.owner)) throw refuse.contractValidate("Invalid ownerAddress!");
  if (!validAddress(value.to)) throw refuse.contractValidate("Invalid toAddress!");
  if (value.owner === value.to) throw refuse.contractValidate("Cannot transfer TRX to yourself.");
  const owner = ledger.get(value.owner);
  if (!owner) throw refuse.contractValidate("Validate TransferContract error, no OwnerAccount.");
  if (value.amount <= 0n) throw refuse.contractValidate("Amount must be greater than 0.");
  const recipient = ledger.get(value.to);
  const fee = recipient ? 0n : parameters.createNewAccountFeeInSystemContract;
  if (owner.balance < checkedAdd(value.amount, fee)) {
    throw refuse.contractValidate("Validate TransferContract error, balance is not sufficient.");
  }
  if (recipient) checkedAdd(recipient.balance, value.amount);

  const to = recipient ?? newAccount(value.to, headTimestamp);
  ledger.put({ ...owner, balance: owner.balance - value.amount - fee });
  ledger.put({ ...to, balance: to.balance + value.amount });
  return fee;
}

export function executeTransferAsset(context: ActuatorContext, value: TransferAssetValue): bigint {
  const { ledger, parameters, assets, headTimestamp } = context;
  if (!validAddress(value.owner)) throw refuse.contractValidate("Invalid ownerAddress");
  if (!validAddress(value.to)) throw refuse.contractValidate("Invalid toAddress");
  if (value.amount <= 0n) throw refuse.contractValidate("Amount must be greater than 0.");
  if (value.owner === value.to) throw refuse.contractValidate("Cannot transfer asset to yourself.");
  const owner = ledger.get(value.owner);
  if (!owner) throw refuse.contractValidate("No owner account!");
  const id = assetId(value);
  if (!assets.has(id)) throw refuse.contractValidate("No asset!");
  if (owner.assets.size === 0) throw refuse.contractValidate("Owner has no asset!");
  const ownerBalance = owner.assets.get(id);
  if (ownerBalance === undefined || ownerBalance <= 0n) {
    throw refuse.contractValidate("assetBalance must be greater than 0.");
  }
  if (value.amount > ownerBalance) throw refuse.contractValidate("assetBalance is not sufficient.");
  const recipient = ledger.get(value.to);
  let fee = 0n;
  if (recipient) {
    const recipientBalance = recipient.assets.get(id);
    if (recipientBalance !== undefined) checkedAdd(recipientBalance, value.amount);
  } else {
    fee = parameters.createNewAccountFeeInSystemContract;
    if (owner.balance < fee) throw refuse.contractValidate("Validate TransferAssetActuator error, insufficient fee.");
  }

  const to = recipient ?? newAccount(value.to, headTimestamp);
  ledger.put(withAsset(to, id, (to.assets.get(id) ?? 0n) + value.amount));
  const debited = withAsset(owner, id, ownerBalance - value.amount);
  ledger.put({ ...debited, balance: debited.balance - fee });
  return fee;
}
