// For API tests: three real `hardhat node` chains with the bridge deployed (legacy BTTOLD mocks on
// Ethereum (18 decimals) and BSC (6), fees and minimums, a daily cap on BTTC, a funded reserve), the
// TRON development node, real Redis under a test prefix, and the API's configuration for all of it.
import { Contract, NonceManager, parseEther, type JsonRpcProvider } from "ethers";
import { TronWeb } from "tronweb";
import { parseApiConfig, type ApiConfig } from "../api/config.ts";
import { deployNetwork } from "../deploy/network.ts";
import { hardhatAccounts, HARDHAT_MNEMONIC } from "../devnet/tron/genesis.ts";
import { startTestNode, type TestNode } from "../devnet/tron/testing.ts";
import { createEvmProvider } from "../common/rpc/evm-provider.ts";
import { startHardhatNode, type HardhatNode } from "./hardhat-node.ts";
import { connectTestRedis, testRedisUrl, type TestRedis } from "./redis.ts";
import { devAccount } from "./relayer-cluster.ts";
import { validatorWallets } from "./world.ts";
import { CHAIN_IDS } from "./constants.ts";

export type EvmName = "bttc" | "ethereum" | "bsc";
const EVM_NAMES: EvmName[] = ["bttc", "ethereum", "bsc"];

export const WORLD_RULES = {
  /** Fee per destination on every gateway. */
  fee: parseEther("0.01"),
  /** Smallest bridge amount from every gateway. */
  minAmount: parseEther("0.1"),
  /** BTTC's daily payout cap. */
  bttcDailyLimit: parseEther("100000"),
  /** Smallest swap on Ethereum, in its 18-decimal BTTOLD units. */
  ethereumSwapMinimum: 1000n,
  reserve: parseEther("1000"),
  tronSwapMinimum: 5n,
};

export interface ApiWorldChain {
  node: HardhatNode;
  provider: JsonRpcProvider;
  gateway: Contract;
  legacy?: Contract;
}

export interface ApiWorld {
  chains: Record<EvmName, ApiWorldChain>;
  tron: TestNode;
  /** The TRON deposit address (base58): the dev node's account 9. */
  depositAddress: string;
  redis: TestRedis;
  /** The followed node's key prefix (records are written under it by the tests). */
  keyPrefix: string;
  config: ApiConfig;
  stop(): Promise<void>;
}

export async function startApiWorld(label: string, overrides: Record<string, unknown> = {}): Promise<ApiWorld> {
  const redis = await connectTestRedis(label);
  const chains = {} as Record<EvmName, ApiWorldChain>;
  const tron = await startTestNode();
  try {
    await Promise.all(
      EVM_NAMES.map(async (name) => {
        const node = await startHardhatNode({ chainId: CHAIN_IDS[name] });
        chains[name] = { node, provider: createEvmProvider({ name, chainId: CHAIN_IDS[name], rpcUrl: node.url }) } as ApiWorldChain;
      }),
    );
    const validators = validatorWallets(3);
    const perDestination = (self: EvmName, value: bigint) =>
      new Map(EVM_NAMES.filter((n) => n !== self).map((n) => [CHAIN_IDS[n], value] as const));
    const deployed = await deployNetwork({
      validators: validators.map((v) => v.address),
      threshold: 2,
      chains: EVM_NAMES.map((name) => ({
        name,
        chainId: CHAIN_IDS[name],
        role: name === "bttc" ? ("bttc" as const) : ("remote" as const),
        deployer: new NonceManager(devAccount(0).connect(chains[name].provider)),
        guardian: devAccount(0).address,
        dailyLimit: name === "bttc" ? WORLD_RULES.bttcDailyLimit : null,
        timelockDelay: 0n,
        fees: perDestination(name, WORLD_RULES.fee),
        minimums: perDestination(name, WORLD_RULES.minAmount),
        ...(name === "ethereum" ? { legacyToken: { mockDecimals: 18 }, swapMinimum: WORLD_RULES.ethereumSwapMinimum } : {}),
        ...(name === "bsc" ? { legacyToken: { mockDecimals: 6 } } : {}),
        ...(name === "bttc" ? { reserve: WORLD_RULES.reserve } : {}),
      })),
    });
    for (const name of EVM_NAMES) {
      const d = deployed.get(name)!;
      chains[name].gateway = d.gateway;
      if (d.legacyToken) chains[name].legacy = d.legacyToken;
    }
    const depositAddress = hardhatAccounts(HARDHAT_MNEMONIC, 10)[9]!.base58;
    const keyPrefix = `${redis.prefix}node:`;
    const config = parseApiConfig({
      port: 0,
      redisUrl: testRedisUrl(),
      keyPrefix,
      chains: [
        ...EVM_NAMES.map((name) => ({
          name,
          family: "evm",
          role: name === "bttc" ? "bttc" : "remote",
          chainId: CHAIN_IDS[name].toString(),
          rpcUrl: chains[name].node.url,
          gateway: chains[name].gateway.target as string,
          ...(chains[name].legacy ? { legacyToken: chains[name].legacy.target as string } : {}),
          finality: { confirmations: 2 },
        })),
        {
          name: "tron",
          family: "tron",
          chainId: CHAIN_IDS.tron.toString(),
          fullHost: tron.node.url,
          depositAddress,
          minimumUnits: WORLD_RULES.tronSwapMinimum.toString(),
          solidityDepth: 3,
        },
      ],
      chainCacheMs: 0,
      ...overrides,
    });
    return {
      chains,
      tron,
      depositAddress,
      redis,
      keyPrefix,
      config,
      async stop() {
        for (const name of EVM_NAMES) chains[name]?.provider.destroy();
        await Promise.all(EVM_NAMES.map((name) => chains[name]?.node.stop()));
        await tron.node.close();
        await redis.cleanup();
      },
    };
  } catch (error) {
    for (const name of EVM_NAMES) chains[name]?.provider?.destroy();
    await Promise.all(EVM_NAMES.map((name) => chains[name]?.node?.stop()));
    await tron.node.close();
    await redis.cleanup();
    throw error;
  }
}

/** A TronWeb client for one of the dev node's funded accounts. */
export function tronClient(world: ApiWorld, index: number): TronWeb {
  return world.tron.client(world.tron.accounts[index]!);
}
