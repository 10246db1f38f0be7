// The relayer's own steps, timed for the relay benchmark (MethodTimers: measurement only). Installed once
// per process, before any node starts.
import { CoSigner } from "../../relayer/attestation/cosigner.ts";
import { EvmDestination } from "../../relayer/chains/evm/destination.ts";
import { RelayerNode } from "../../relayer/node.ts";
import { DeliveryPipeline, type BatchSigner } from "../../relayer/pipeline/delivery-pipeline.ts";
import { DeliveryWatcher } from "../../relayer/pipeline/delivery-watcher.ts";
import { TransferWatcher } from "../../relayer/pipeline/watcher.ts";
import { Payer } from "../../relayer/signing/payer.ts";
import { TransferStore } from "../../relayer/store/transfer-store.ts";
import { MethodTimers } from "./instruments.ts";

export function installRelayerTimers(): MethodTimers {
  const timers = new MethodTimers();
  timers.wrap("pipeline", DeliveryPipeline.prototype, ["enqueue", "deliver", "drain", "deliverBatch", "confirm"]);
  timers.wrap("watcher", TransferWatcher.prototype, ["tick"]);
  timers.wrap("deliveryWatcher", DeliveryWatcher.prototype, ["tick"]);
  timers.wrap("destination", EvmDestination.prototype, ["isDelivered", "submit", "finalReceipt"]);
  timers.wrap("store", TransferStore.prototype, ["get", "getMany", "observe", "transition", "transitionMany", "statusOf"]);
  timers.wrap("cosigner", CoSigner.prototype, ["cosign"]);
  timers.wrap("payer", Payer.prototype, ["send"]);
  // The batch signer is an object made by the node: time its `sign` (own signature + peers' co-signing).
  const node = RelayerNode.prototype as unknown as Record<string, (...args: unknown[]) => BatchSigner>;
  const makeSigner = node.batchSigner!;
  node.batchSigner = function (this: unknown, ...args: unknown[]): BatchSigner {
    const signer = makeSigner.apply(this, args);
    const timed = { sign: signer.sign.bind(signer) };
    timers.wrap("node", timed, ["sign"]);
    return { sign: timed.sign };
  };
  return timers;
}
