// Deploys the bridge to the devnet's chains (through deploy/network.ts, as any deployment does) and
// funds what a user needs to try it: the redenomination reserve on BTTC and legacy BTTOLD on Ethereum
// and BNB Chain for the demo accounts. Bridged BTT is not handed out: it reaches anyone only through
// the bridge, so the accounting invariant holds from the first block (docs/protocol.md, "Accounting invariant").
import { JsonRpcProvider, parseUnits } from "ethers";
import { DeployerSigner } from "../deploy/signer.ts";
import { deployNetwork } from "../deploy/network.ts";
import { DEMO_ACCOUNT_COUNT, DEPLOYER_INDEX, hardhatAccount } from "./accounts.ts";
import type { DevnetEvmChain } from "./chains.ts";

/** BTT in the redenomination reserve: 10^11 BTT pays the swap of 10^8 BTTOLD. */
export const RESERVE_WEI = parseUnits("100000000000", 18);
/** The devnet's rolling 24-hour cap per gateway, so that `delayed` can be seen: 10^10 BTT. */
export const DAILY_LIMIT_WEI = parseUnits("10000000000", 18);
/** Legacy BTTOLD given to each demo account on each remote chain. */
export const DEMO_BTTOLD = 1_000_000n;
/** The guardian (pauses, lowers caps) is Hardhat's account 16. */
export const GUARDIAN_INDEX = 16;

export interface DeployedDevnetChain {
  name: string;
  chainId: bigint;
  gateway: string;
  timelock: string;
  token?: string;
  legacyToken?: string;
  legacyDecimals?: number;
  deployBlock: bigint;
}

export async function deployDevnet(
  chains: readonly DevnetEvmChain[],
  validators: readonly string[],
  threshold: number,
): Promise<DeployedDevnetChain[]> {
  const providers = chains.map((c) => new JsonRpcProvider(c.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true }));
  try {
    const signers = providers.map((p) => new DeployerSigner(hardhatAccount(DEPLOYER_INDEX).connect(p)));
    const deployBlocks = await Promise.all(providers.map(async (p) => BigInt(await p.getBlockNumber())));
    const guardian = hardhatAccount(GUARDIAN_INDEX).address;
    const deployed = await deployNetwork({
      validators,
      threshold,
      chains: chains.map((c, i) => ({
        name: c.name,
        chainId: c.chainId,
        role: c.role,
        deployer: signers[i]!,
        guardian,
        dailyLimit: DAILY_LIMIT_WEI,
        timelockDelay: 0n,
        ...(c.legacyDecimals !== undefined ? { legacyToken: { mockDecimals: c.legacyDecimals } } : {}),
        ...(c.role === "bttc" ? { reserve: RESERVE_WEI } : {}),
      })),
    });
    const out: DeployedDevnetChain[] = [];
    for (const [i, chain] of chains.entries()) {
      const d = deployed.get(chain.name)!;
      if (d.legacyToken && chain.legacyDecimals !== undefined) {
        const mint = d.legacyToken.getFunction("mint");
        for (let a = 0; a < DEMO_ACCOUNT_COUNT; a++) {
          await (await mint(hardhatAccount(a).address, DEMO_BTTOLD * 10n ** BigInt(chain.legacyDecimals))).wait();
        }
      }
      out.push({
        name: chain.name,
        chainId: chain.chainId,
        gateway: await d.gateway.getAddress(),
        timelock: await d.timelock.getAddress(),
        ...(d.token ? { token: await d.token.getAddress() } : {}),
        ...(d.legacyToken ? { legacyToken: await d.legacyToken.getAddress(), legacyDecimals: chain.legacyDecimals! } : {}),
        deployBlock: deployBlocks[i]!,
      });
    }
    return out;
  } finally {
    for (const p of providers) p.destroy();
  }
}
