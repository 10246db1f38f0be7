// The TRON pieces as a relayer configuration's TRON chain entry describes them (relayer/config.ts):
// built in one place for the node, the refund command and the refund list.
import type { TronChainConfig } from "../../config.ts";
import type { TronEndpoint } from "../../../common/rpc/tronweb.ts";
import { TronSource } from "./source.ts";

export function tronEndpointOf(chain: TronChainConfig): TronEndpoint {
  return {
    fullHost: chain.fullHost,
    ...(chain.solidityHost ? { solidityHost: chain.solidityHost } : {}),
    ...(chain.headers ? { headers: chain.headers } : {}),
  };
}

/** The deposit scanner of `chain`; swaps land on the chain with id `swapToChainId` (BTTC). */
export function tronSourceFor(chain: TronChainConfig, swapToChainId: bigint): TronSource {
  return new TronSource({
    name: chain.name,
    chainId: chain.chainId,
    ...tronEndpointOf(chain),
    depositAddress: chain.depositAddress,
    tokenId: chain.tokenId,
    bttcChainId: swapToChainId,
    minimumUnits: chain.minimumUnits,
    maxBlockRange: chain.maxBlockRange,
  });
}
