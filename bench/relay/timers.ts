// The relayer's own steps, timed for the relay benchmark (MethodTimers: measurement only). Installed once
// per process, before any node starts.
import { ThresholdBatchSigner } from "../../relayer/attest/batch-signer.ts";
import { CoSigner } from "../../relayer/attest/cosigner.ts";
import { EvmDestination } from "../../relayer/chains/evm/destination.ts";
import { Payer } from "../../relayer/chains/evm/payer/payer.ts";
import { ConfirmStage } from "../../relayer/confirm/confirm-stage.ts";
import { DeliverStage } from "../../relayer/deliver/deliver-stage.ts";
import { RouteDrain } from "../../relayer/deliver/route-drain.ts";
import { DeliveryObserver } from "../../relayer/observe/delivery-observer.ts";
import { TransferStore } from "../../relayer/store/transfer-store.ts";
import { TransferWatcher } from "../../relayer/watch/transfer-watcher.ts";
import { MethodTimers } from "./instruments.ts";

export function installRelayerTimers(): MethodTimers {
  const timers = new MethodTimers();
  // Labelled as before the stages were modules (`pipeline.*`, `node.sign`), so runs stay comparable.
  timers.wrap("pipeline", DeliverStage.prototype, ["enqueue", "deliver"]);
  timers.wrap("pipeline", RouteDrain.prototype, ["drain", "deliverBatch"]);
  timers.wrap("pipeline", ConfirmStage.prototype, ["confirm"]);
  timers.wrap("watcher", TransferWatcher.prototype, ["tick"]);
  timers.wrap("deliveryWatcher", DeliveryObserver.prototype, ["tick"]);
  timers.wrap("destination", EvmDestination.prototype, ["isDelivered", "submit", "finalReceipt"]);
  timers.wrap("store", TransferStore.prototype, ["get", "getMany", "observe", "transition", "transitionMany", "statusOf"]);
  timers.wrap("cosigner", CoSigner.prototype, ["cosign"]);
  timers.wrap("payer", Payer.prototype, ["send"]);
  // The batch signer: its own signature + peers' co-signing.
  timers.wrap("node", ThresholdBatchSigner.prototype, ["sign"]);
  return timers;
}
