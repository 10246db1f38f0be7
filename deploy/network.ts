// Deploys a full bridge: BTTC's gateway and one remote gateway per remote chain, each with routes to
// every other chain, limits, a timelock holding the admin role, and (optionally) the redenomination
// reserve funded. The devnet and the tests deploy through here; `deploy/cli.ts` does it for any
// configured chains over JSON-RPC.
import type { Signer } from "ethers";
import { deployChain, type DeployedChain } from "./bridge.ts";
import { DeployError } from "./errors.ts";

export interface NetworkChain {
  name: string;
  chainId: bigint;
  role: "bttc" | "remote";
  deployer: Signer;
  guardian: string;
  /** Rolling 24-hour payout cap in wei; null for none. */
  dailyLimit: bigint | null;
  /** Flat fee charged by this chain's gateway per destination chain id (default 0). */
  fees?: ReadonlyMap<bigint, bigint>;
  /** Minimum amount sent from this chain per destination chain id (default 0). */
  minimums?: ReadonlyMap<bigint, bigint>;
  timelockDelay: bigint;
  /** Remote chains: an existing legacy BTTOLD, or a mock with these decimals (devnets). */
  legacyToken?: { address: string } | { mockDecimals: number };
  swapMinimum?: bigint;
  /** BTTC: BTT to put in the redenomination reserve. */
  reserve?: bigint;
}

export interface NetworkDeployment {
  validators: readonly string[];
  threshold: number;
  chains: readonly NetworkChain[];
}

export type DeployedNetwork = Map<string, DeployedChain & { chainId: bigint }>;

export async function deployNetwork(plan: NetworkDeployment): Promise<DeployedNetwork> {
  const home = plan.chains.filter((c) => c.role === "bttc");
  if (home.length !== 1) throw new DeployError("INVALID_PLAN", `a bridge has exactly one BTTC chain, this plan has ${home.length}`);
  const homeChainId = home[0]!.chainId;

  const deployed: DeployedNetwork = new Map();
  for (const chain of plan.chains) {
    const routes = plan.chains
      .filter((other) => other.chainId !== chain.chainId)
      .map((other) => ({
        dstChainId: other.chainId,
        fee: chain.fees?.get(other.chainId) ?? 0n,
        minAmount: chain.minimums?.get(other.chainId) ?? 0n,
      }));
    const result = await deployChain({
      deployer: chain.deployer,
      role: chain.role,
      validators: plan.validators,
      threshold: plan.threshold,
      guardian: chain.guardian,
      dailyLimit: chain.dailyLimit,
      routes,
      timelockDelay: chain.timelockDelay,
      homeChainId,
      ...(chain.legacyToken ? { legacyToken: chain.legacyToken } : {}),
      ...(chain.swapMinimum !== undefined ? { swapMinimum: chain.swapMinimum } : {}),
    });
    if (chain.reserve) {
      if (chain.role !== "bttc") throw new DeployError("INVALID_PLAN", `${chain.name}: only BTTC holds a redenomination reserve`);
      await (await result.gateway.getFunction("fundReserve")({ value: chain.reserve })).wait();
    }
    deployed.set(chain.name, { ...result, chainId: chain.chainId });
  }
  return deployed;
}
