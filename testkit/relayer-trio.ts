// Three in-process relayer nodes (n1, n2, n3; threshold 2 of the given validators) over chains whose
// gateways are deployed: what the end-to-end tests run a bridge with. Each node pays from its own
// development account (1, 2, 3) and keeps its state under its own prefix of the test's Redis.
import type { Contract } from "ethers";
import { pino } from "pino";
import { parseRelayerConfig } from "../relayer/config.ts";
import { RelayerNode } from "../relayer/node.ts";
import { DEV_KEYS } from "./constants.ts";
import { freePort } from "./hardhat-node.ts";
import { testRedisUrl } from "./redis.ts";

export interface TrioChain {
  name: string;
  chainId: bigint;
  rpcUrl: string;
  gateway: Contract;
  /** First block the nodes scan (the block the gateway was deployed by). */
  start: bigint;
}

/** Starts the three nodes, each peer of the other two, and resolves once all listen. */
export async function startRelayerTrio(
  chains: readonly TrioChain[],
  validators: readonly { address: string; privateKey: string }[],
  redisPrefix: string,
): Promise<RelayerNode[]> {
  const ports = await Promise.all([0, 1, 2].map(() => freePort()));
  const ids = ["n1", "n2", "n3"];
  const relayers: RelayerNode[] = [];
  for (const [i, id] of ids.entries()) {
    const config = parseRelayerConfig({
      id,
      redisUrl: testRedisUrl(),
      keyPrefix: `${redisPrefix}${id}:`,
      attestationKey: { env: `ATTEST_${i}` },
      payerKey: { env: `PAYER_${i}` },
      http: { host: "127.0.0.1", port: ports[i] },
      peers: ids
        .map((peer, j) => ({ id: peer, url: `http://127.0.0.1:${ports[j]}`, signer: validators[j]!.address }))
        .filter((p) => p.id !== id),
      chains: chains.map((chain) => ({
        name: chain.name,
        chainId: chain.chainId.toString(),
        rpcUrl: chain.rpcUrl,
        gateway: chain.gateway.target as string,
        finality: { confirmations: 2 },
        startBlock: chain.start.toString(),
        pollIntervalMs: 100,
      })),
      delivery: { fallbackMs: 2_000, confirmPollMs: 100, retryLaterMs: 1_000, peerTimeoutMs: 2_000 },
    });
    const env = { [`ATTEST_${i}`]: validators[i]!.privateKey, [`PAYER_${i}`]: DEV_KEYS[1 + i]! };
    const relayer = new RelayerNode({ config, env, log: pino({ level: "silent" }) });
    await relayer.start();
    relayers.push(relayer);
  }
  return relayers;
}
