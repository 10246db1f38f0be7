// The EVM pieces as a relayer configuration's EVM chain entry describes them (relayer/config.ts): the
// connection, the payer that sends deliveries, and the chain as a destination, a source and a log of
// deliveries. Built in one place for the node.
import type { JsonRpcProvider } from "ethers";
import type { Logger } from "pino";
import type { EvmChainConfig } from "../../config.ts";
import { EvmDeliveryLog } from "./delivery-log.ts";
import { EvmDestination } from "./destination.ts";
import { Payer } from "./payer/payer.ts";
import type { PayerLedgerOptions } from "./payer/types.ts";
import { connectEvmProvider } from "./rpc.ts";
import { EvmSource } from "./source.ts";

export interface EvmChainParts {
  provider: JsonRpcProvider;
  payer: Payer;
  destination: EvmDestination;
  source: EvmSource;
  deliveries: EvmDeliveryLog;
}

/** Connects to `chain` (checking its chain id) and builds its parts; the payer sends from `payerKey`. */
export async function connectEvmChain(
  chain: EvmChainConfig,
  payerKey: string,
  shared: PayerLedgerOptions,
  log: Logger,
): Promise<EvmChainParts> {
  const provider = await connectEvmProvider(chain);
  const payer = new Payer({
    chain: chain.name,
    chainId: chain.chainId,
    provider,
    key: payerKey,
    maxFeePerGas: chain.maxFeePerGas,
    feeType: chain.fees.type,
    log,
    shared,
  });
  return {
    provider,
    payer,
    destination: new EvmDestination(chain, provider, payer),
    source: new EvmSource(chain, provider),
    deliveries: new EvmDeliveryLog(chain, provider),
  };
}
