// An EVM gateway as a destination: whether a transfer is delivered (the chain is the source of truth),
// sending a delivery — `deliver` for one transfer, `deliverBatch` for more — and its receipt once final by
// the chain's rule. A delivery is simulated (eth_estimateGas) before it is sent: one that would revert is
// never sent, and fails with the gateway's own error, decoded, and whether waiting may help.
import { Contract, Interface, getAddress, toQuantity } from "ethers";
import type { Fragment, JsonRpcProvider, Log, TransactionReceipt } from "ethers";
import type { CompactSignature, Transfer, TransferItem } from "../../../common/transfer.ts";
import { contractInterface } from "../../../common/contracts/artifacts.ts";
import type { EvmChainConfig } from "../../config.ts";
import { ChainDataError, InvalidRequestError, RelayerError } from "../../errors.ts";
import type { DeliveryReceipt, DestinationChain, SubmittedDelivery } from "../adapter.ts";
import { DeliveryRefusedError, DeliveryTxUnknownError } from "../delivery-errors.ts";
import type { Payer } from "./payer/payer.ts";
import type { PayerTransaction } from "./payer/types.ts";
import { encodeDeliverBatch } from "../../../common/contracts/delivery-calldata.ts";
import { EventDecoder, type DecodedEvent } from "./events.ts";
import { DEFAULT_RETRY, type RetryOptions } from "../../../common/rpc/retry.ts";
import { withRpcRetry } from "./rpc.ts";
import { readValidatorEpoch, readValidatorSet } from "../../../common/validators/gateway-set.ts";
import type { ValidatorSet } from "../../../common/validators/validator-set.ts";

/** Gateway errors after which the same delivery may pass later (a cap refills, a pause ends, funds come
 * in, more gas is given). Every other revert — AlreadyDelivered, bad signatures, a validator set that
 * changed, invalid transfers — will revert again however long one waits. */
const RETRY_LATER = new Set(["DailyLimitExceeded", "GatewayPaused", "ReserveInsufficient", "LockedInsufficient", "PayoutGasTooLow"]);

/** Gateway errors that refuse a batch's signatures rather than its transfers: after a validator-set
 * change, what was signed under the old set meets them. */
const SIGNATURE_ERRORS = new Set(["NotAValidator", "InvalidSignature", "InsufficientSignatures", "SignersNotAscending"]);

/** A delivery that the gateway would revert, so it was not sent. */
export class DeliveryRevertError extends DeliveryRefusedError {
  /** The gateway's custom error (`AlreadyDelivered`, `DailyLimitExceeded`, ...), `Error`/`Panic` for
   * those, or null when the revert carried no data this code can read. */
  readonly errorName: string | null;
  readonly args: readonly unknown[];

  constructor(chain: string, errorName: string | null, args: readonly unknown[], options?: ErrorOptions) {
    const shown = errorName === null ? "a revert without a reason" : `${errorName}(${args.map(String).join(", ")})`;
    const retryable = errorName !== null && RETRY_LATER.has(errorName);
    super(
      chain,
      `${chain}: the delivery would revert with ${shown}; not sent${retryable ? ", try again later" : ""}`,
      retryable,
      errorName === "AlreadyDelivered",
      options,
    );
    this.errorName = errorName;
    this.args = args;
  }

  override get signaturesRefused(): boolean {
    return this.errorName !== null && SIGNATURE_ERRORS.has(this.errorName);
  }
}

// Thrown by finalReceipt; defined beside the adapter, where the stages see it.
export { DeliveryTxUnknownError };

export interface EvmDestinationOptions {
  /** Gas limit = estimate + this share of it (default 25%). */
  gasMarginPercent?: number;
  retry?: RetryOptions;
}

type DestinationConfig = Pick<EvmChainConfig, "name" | "chainId" | "gateway" | "finality">;

/** Hashes remembered after their delivery became final, so a caller holding a replaced hash finds it. */
const SETTLED_MEMORY = 10_000;

export class EvmDestination implements DestinationChain {
  readonly name: string;
  readonly chainId: bigint;
  readonly gateway: string;
  private readonly config: DestinationConfig;
  private readonly provider: JsonRpcProvider;
  private readonly payer: Payer;
  private readonly gasMarginPercent: bigint;
  private readonly retry: RetryOptions;
  /** Deliveries sent by this process, by every hash sent for them (replacements included). */
  private readonly inFlight = new Map<string, PayerTransaction>();
  /** For final deliveries: any hash sent for them → the hash that was mined. */
  private readonly settled = new Map<string, string>();

  constructor(config: DestinationConfig, provider: JsonRpcProvider, payer: Payer, options: EvmDestinationOptions = {}) {
    if (payer.chainId !== config.chainId) {
      throw new InvalidRequestError(`${config.name}: the payer is for chain ${payer.chainId}, not ${config.chainId}`);
    }
    this.name = config.name;
    this.chainId = config.chainId;
    this.gateway = getAddress(config.gateway);
    this.config = config;
    this.provider = provider;
    this.payer = payer;
    this.gasMarginPercent = BigInt(options.gasMarginPercent ?? 25);
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  async isDelivered(transfer: Pick<Transfer, "srcChainId" | "srcGateway" | "srcRef">): Promise<boolean> {
    const data = gatewayInterface().encodeFunctionData("isDelivered", [transfer.srcChainId, transfer.srcGateway, transfer.srcRef]);
    const result = await this.call("isDelivered", () => this.provider.call({ to: this.gateway, data }));
    return gatewayInterface().decodeFunctionResult("isDelivered", result)[0] as boolean;
  }

  async threshold(): Promise<number> {
    const status = await new Contract(this.gateway, contractInterface("BttcGateway"), this.provider).getFunction("status")();
    return Number(status.threshold);
  }

  validatorSet(): Promise<ValidatorSet> {
    return this.call("validator set", () => readValidatorSet(this.provider, this.gateway));
  }

  validatorEpoch(): Promise<bigint> {
    return this.call("validator epoch", () => readValidatorEpoch(this.provider, this.gateway));
  }

  async submit(
    source: { srcChainId: bigint; srcGateway: string },
    items: readonly TransferItem[],
    signatures: readonly CompactSignature[],
  ): Promise<SubmittedDelivery> {
    const iface = gatewayInterface();
    const sigs = signatures.map(({ r, vs }) => ({ r, vs }));
    const [first] = items;
    if (!first) throw new InvalidRequestError(`${this.name}: a delivery holds at least one transfer`);
    const data =
      items.length === 1
        ? iface.encodeFunctionData("deliver", [source.srcChainId, source.srcGateway, item(first), sigs])
        : encodeDeliverBatch(iface.getFunction("deliverBatch")!.selector, source.srcChainId, source.srcGateway, items, sigs);

    type Estimate = { gas: bigint } | { revert: string; error: unknown };
    const estimate = await this.call("eth_estimateGas deliver", async (): Promise<Estimate> => {
      try {
        return { gas: await this.provider.estimateGas({ from: this.payer.address, to: this.gateway, data }) };
      } catch (error) {
        const revert = revertOf(error);
        if (revert === undefined) throw error; // not a revert: an RPC failure, classified by withRpcRetry
        return { revert, error };
      }
    });
    if ("revert" in estimate) throw this.revertError(estimate.revert, estimate.error);

    const gasLimit = estimate.gas + (estimate.gas * this.gasMarginPercent) / 100n;
    const tx = await this.payer.send({ to: this.gateway, data, gasLimit });
    const hash = tx.hashes[0]!;
    this.inFlight.set(hash, tx);
    return { txHash: hash, nonce: tx.nonce };
  }

  /**
   * The receipt once the delivery's block is final. For a delivery this process sent, `txHash` may be
   * any hash sent for it: a transaction that waits too long is replaced here (higher fees, same nonce),
   * and the receipt names the hash that was mined. With a shared payer ledger, that holds for a delivery
   * any process of this node sent.
   */
  async finalReceipt(txHash: string): Promise<DeliveryReceipt | null> {
    const hash = this.settled.get(txHash) ?? txHash;
    // Sent by another process of this node (a shared payer ledger): followed, and replaced, here too.
    const tracked = this.inFlight.get(hash) ?? (await this.payer.recall(hash)) ?? undefined;
    let receipt: TransactionReceipt | null;
    if (tracked) {
      let mined;
      try {
        mined = await this.payer.checkOrReplace(tracked);
      } catch (error) {
        // Its nonce went to another transaction: nothing more to follow here.
        if (error instanceof RelayerError && error.code === "PAYER_NONCE_TAKEN")
          for (const sent of tracked.hashes) this.inFlight.delete(sent);
        throw error;
      }
      for (const sent of tracked.hashes) this.inFlight.set(sent, tracked);
      receipt = mined?.receipt ?? null;
    } else {
      receipt = await this.call("eth_getTransactionReceipt", () => this.provider.getTransactionReceipt(hash));
      if (!receipt) {
        const pending = await this.call("eth_getTransactionByHash", () => this.provider.getTransaction(hash));
        if (!pending) throw new DeliveryTxUnknownError(this.name, hash);
      }
    }
    if (!receipt || !(await this.isFinal(receipt))) return null;

    if (tracked) {
      for (const sent of tracked.hashes) {
        this.inFlight.delete(sent);
        this.remember(sent, receipt.hash);
      }
    }
    return this.parseReceipt(receipt);
  }

  /** Final by the chain's rule, and still in the chain (not from a block that a reorg replaced). */
  private async isFinal(receipt: TransactionReceipt): Promise<boolean> {
    const block = BigInt(receipt.blockNumber);
    const { finality } = this.config;
    let finalized: bigint;
    if ("confirmations" in finality) {
      finalized = BigInt(await this.call("eth_blockNumber", () => this.provider.getBlockNumber())) - BigInt(finality.confirmations);
    } else {
      const final = await this.call("eth_getBlockByNumber finalized", () => this.provider.getBlock("finalized"));
      if (!final) throw new ChainDataError(`${this.name}: the node has no "finalized" block; use a confirmation depth`);
      finalized = BigInt(final.number);
    }
    if (block > finalized) return false;
    const canonical = await this.call(`eth_getBlockByNumber ${block}`, () => this.provider.getBlock(toQuantity(block)));
    return canonical?.hash === receipt.blockHash;
  }

  private parseReceipt(receipt: TransactionReceipt): DeliveryReceipt {
    const result: DeliveryReceipt = {
      txHash: receipt.hash,
      blockNumber: BigInt(receipt.blockNumber),
      succeeded: receipt.status === 1,
      delivered: [],
      skipped: [],
    };
    const gateway = this.gateway.toLowerCase();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== gateway) continue; // (a delivery's receipt holds a log per payout too)
      const event = parseEvent(log);
      if (event?.name === "TransfersDelivered") {
        result.delivered.push(...(event.args.getValue("transferIds") as string[]));
      } else if (event?.name === "TransferSkipped") {
        result.skipped.push({
          id: event.args.getValue("transferId") as string,
          reason: Number(event.args.getValue("reason") as bigint),
        });
      }
    }
    return result;
  }

  private revertError(data: string, cause: unknown): DeliveryRevertError {
    const iface = gatewayInterface();
    let parsed: ReturnType<Interface["parseError"]> = null;
    try {
      parsed = data.length >= 10 ? iface.parseError(data) : null;
    } catch {
      parsed = null;
    }
    return new DeliveryRevertError(this.name, parsed?.name ?? null, parsed ? [...parsed.args] : [], { cause });
  }

  private remember(hash: string, minedHash: string): void {
    this.settled.set(hash, minedHash);
    if (this.settled.size > SETTLED_MEMORY) {
      const oldest = this.settled.keys().next();
      if (!oldest.done) this.settled.delete(oldest.value);
    }
  }

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return withRpcRetry(fn, { ...this.retry, chain: this.name, operation });
  }
}

function item(t: TransferItem): [string, number, string, bigint] {
  return [t.srcRef, t.kind, t.recipient, t.amount];
}

// Both gateways share the core's functions and events; the errors differ (BttcGateway adds reserve and
// payout errors), so one interface holds the union. Built on first use (it reads the artifacts).
let merged: Interface | undefined;
function gatewayInterface(): Interface {
  if (!merged) {
    const seen = new Set<string>();
    const fragments: Fragment[] = [];
    for (const name of ["BttcGateway", "RemoteGateway"] as const) {
      for (const fragment of contractInterface(name).fragments) {
        if (fragment.type !== "function" && fragment.type !== "event" && fragment.type !== "error") continue;
        const key = `${fragment.type} ${fragment.format("sighash")}`;
        if (seen.has(key)) continue;
        seen.add(key);
        fragments.push(fragment);
      }
    }
    merged = new Interface(fragments);
  }
  return merged;
}

let receiptEvents: EventDecoder | undefined;
/** A delivery receipt's TransfersDelivered or TransferSkipped event; null for any other log (the
 * bridged token's Transfer events among them) or one that does not decode. */
function parseEvent(log: Log): DecodedEvent | null {
  receiptEvents ??= new EventDecoder(gatewayInterface(), ["TransfersDelivered", "TransferSkipped"], "the gateway ABI");
  try {
    return receiptEvents.decode(log);
  } catch {
    return null;
  }
}

/** The revert data of a failed call or estimate, if the error is a revert ("0x" for one without data). */
function revertOf(error: unknown): string | undefined {
  let current: unknown = error;
  let isRevert = false;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    if (record.code === "CALL_EXCEPTION" || record.code === 3) isRevert = true;
    if (typeof record.message === "string" && /revert/i.test(record.message)) isRevert = true;
    if (typeof record.data === "string" && /^0x([0-9a-f]{2})*$/i.test(record.data) && record.data.length >= 10) return record.data;
    const info = record.info as Record<string, unknown> | undefined;
    current = record.error ?? info?.error ?? record.cause;
  }
  return isRevert ? "0x" : undefined;
}
