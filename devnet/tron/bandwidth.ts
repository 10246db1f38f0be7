// Bandwidth as java-tron's BandwidthProcessor charges it, for accounts without staked TRX (this node
// has no staking): a transfer that creates its recipient burns `createAccountFee`; any other
// transaction uses the owner's free bandwidth (600 bytes a day on mainnet, recovering linearly over
// 24 hours) if it covers the whole transaction, else burns `transactionFee` sun per byte.
import { toBase58 } from "../../common/tron/address.ts";
import { refuse } from "./errors.ts";
import type { Account, LedgerOverlay } from "./ledger.ts";
import { SLOT_MS, USAGE_PRECISION, WINDOW_SIZE_SLOTS, type ChainParameters } from "./params.ts";

export interface BandwidthBill {
  /** Bytes taken from free bandwidth (the receipt's `net_usage`). */
  readonly netUsage: bigint;
  /** Sun burned for bandwidth (the receipt's `net_fee`). */
  readonly netFee: bigint;
}

export interface BandwidthContext {
  readonly ledger: LedgerOverlay;
  readonly parameters: ChainParameters;
  /** The head block's slot (3-second slots since genesis). */
  readonly slot: bigint;
  readonly headTimestamp: bigint;
}

/** The slot of a block timestamp: java-tron's `getHeadSlot`. */
export function slotAt(timestamp: bigint, genesisTimestamp: bigint): bigint {
  return (timestamp - genesisTimestamp) / SLOT_MS;
}

function divideCeil(numerator: bigint, denominator: bigint): bigint {
  return numerator / denominator + (numerator % denominator > 0n ? 1n : 0n);
}

/**
 * java-tron's `ResourceProcessor.increase`: usage decays linearly over the window, then `usage` is
 * added. java-tron rounds the decayed average with `Math.round` on a double; here the same rounding is
 * done exactly (half up), which can differ from the double in the last unit in rare cases.
 */
export function increase(lastUsage: bigint, usage: bigint, lastTime: bigint, now: bigint): bigint {
  let averageLastUsage = divideCeil(lastUsage * USAGE_PRECISION, WINDOW_SIZE_SLOTS);
  const averageUsage = divideCeil(usage * USAGE_PRECISION, WINDOW_SIZE_SLOTS);
  if (lastTime !== now) {
    if (lastTime + WINDOW_SIZE_SLOTS > now) {
      const remaining = WINDOW_SIZE_SLOTS - (now - lastTime);
      averageLastUsage = (2n * averageLastUsage * remaining + WINDOW_SIZE_SLOTS) / (2n * WINDOW_SIZE_SLOTS);
    } else {
      averageLastUsage = 0n;
    }
  }
  return ((averageLastUsage + averageUsage) * WINDOW_SIZE_SLOTS) / USAGE_PRECISION;
}

/** Free bandwidth the account has used, as recovered by `slot`. */
export function freeNetUsed(account: Account, slot: bigint): bigint {
  return increase(account.freeNetUsage, 0n, account.latestConsumeFreeTime, slot);
}

function insufficient(owner: Account, bytes: bigint, fee: bigint): Error {
  return refuse.resourceInsufficient(
    `account [${toBase58(owner.address)}] has insufficient bandwidth[${bytes}] and balance[${fee}] to create new account`,
  );
}

/** Charges a transaction's bandwidth to its owner (`BandwidthProcessor.consume`). */
export function consumeBandwidth(context: BandwidthContext, ownerAddress: string, bytes: bigint, createsAccount: boolean): BandwidthBill {
  const { ledger, parameters, slot, headTimestamp } = context;
  const owner = ledger.get(ownerAddress);
  if (!owner) throw refuse.contractValidate(`account [${toBase58(ownerAddress)}] does not exist`);

  if (createsAccount) {
    const fee = parameters.createAccountFee;
    if (owner.balance < fee) throw insufficient(owner, bytes, fee);
    ledger.put({ ...owner, balance: owner.balance - fee, latestOperationTime: headTimestamp });
    return { netUsage: 0n, netFee: fee };
  }

  const used = freeNetUsed(owner, slot);
  if (bytes <= parameters.freeNetLimit - used) {
    ledger.put({
      ...owner,
      freeNetUsage: increase(used, bytes, slot, slot),
      latestConsumeFreeTime: slot,
      latestOperationTime: headTimestamp,
    });
    return { netUsage: bytes, netFee: 0n };
  }

  const fee = parameters.transactionFee * bytes;
  if (owner.balance < fee) throw insufficient(owner, bytes, fee);
  ledger.put({ ...owner, balance: owner.balance - fee, latestOperationTime: headTimestamp });
  return { netUsage: 0n, netFee: fee };
}
