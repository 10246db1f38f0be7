// Three in-process relayer nodes (n1, n2, n3; threshold 2 of the given validators) over chains whose
// gateways are deployed: what the end-to-end tests run a bridge with. Each node pays from its own
// development account (1, 2, 3) and keeps its state under its own prefix of the test's Redis. With
// `nodes: 4`, a fourth (n4, validators[3], paying from account 4) joins, each node a peer of the others:
// the rotation test starts it outside the gateways' set and rotates it in.
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

export interface TrioOptions {
  /** How many nodes (default 3; validators[i] is node i's attestation key). */
  nodes?: number;
  /** Each node's operator token (its approval endpoint is off without one). */
  operatorToken?: string;
  /** How often the nodes poll the gateways' validator epochs (default: the node's own default). */
  validatorSetPollMs?: number;
}

/** Starts the nodes (three by default), each peer of the others, and resolves once all listen. */
export async function startRelayerTrio(
  chains: readonly TrioChain[],
  validators: readonly { address: string; privateKey: string }[],
  redisPrefix: string,
  options: TrioOptions = {},
): Promise<RelayerNode[]> {
  const count = options.nodes ?? 3;
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const relayers: RelayerNode[] = [];
  for (const [i, id] of ids.entries()) {
    const config = parseRelayerConfig({
      id,
      redisUrl: testRedisUrl(),
      keyPrefix: `${redisPrefix}${id}:`,
      attestationKey: { env: `ATTEST_${i}` },
      payerKey: { env: `PAYER_${i}` },
      ...(options.operatorToken === undefined ? {} : { operatorToken: { env: "OPERATOR_TOKEN" } }),
      ...(options.validatorSetPollMs === undefined ? {} : { validatorSets: { pollMs: options.validatorSetPollMs } }),
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
    const env: NodeJS.ProcessEnv = { [`ATTEST_${i}`]: validators[i]!.privateKey, [`PAYER_${i}`]: DEV_KEYS[1 + i]! };
    if (options.operatorToken !== undefined) env.OPERATOR_TOKEN = options.operatorToken;
    const relayer = new RelayerNode({ config, env, log: pino({ level: "silent" }) });
    await relayer.start();
    relayers.push(relayer);
  }
  return relayers;
}
