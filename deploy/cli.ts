// Deploys a whole bridge to the chains a deployment file names, over JSON-RPC, and writes the addresses:
//
//   npm run deploy -- --config deployment.json --out addresses.json
//
// Keys come from the environment or from files the deployment file points at; they are never printed.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { JsonRpcProvider, Wallet } from "ethers";
import { loadDeploymentConfig, readDeployerKey, type DeploymentConfig } from "./config.ts";
import { DeployError } from "./errors.ts";
import { deployNetwork } from "./network.ts";
import { DeployerSigner } from "./signer.ts";
import { messageOf } from "../common/errors.ts";

export interface DeployedAddresses {
  validators: string[];
  threshold: number;
  chains: Record<string, { chainId: string; gateway: string; timelock: string; token?: string; legacyToken?: string }>;
}

export async function deployFromConfig(config: DeploymentConfig, env: NodeJS.ProcessEnv): Promise<DeployedAddresses> {
  const providers: JsonRpcProvider[] = [];
  try {
    const chains = await Promise.all(
      config.chains.map(async (chain) => {
        const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { cacheTimeout: -1 });
        providers.push(provider);
        const network = await provider.getNetwork();
        if (network.chainId !== chain.chainId) {
          throw new DeployError(
            "CHAIN_ID_MISMATCH",
            `${chain.name}: ${chain.rpcUrl} is chain ${network.chainId}, the file says ${chain.chainId}`,
          );
        }
        const deployer = new DeployerSigner(new Wallet(readDeployerKey(chain, env), provider), chain.feeType);
        return {
          name: chain.name,
          chainId: chain.chainId,
          role: chain.role,
          deployer,
          guardian: chain.guardian,
          dailyLimit: chain.dailyLimit,
          timelockDelay: chain.timelockDelaySeconds,
          fees: new Map(Object.entries(chain.fees).map(([id, fee]) => [BigInt(id), fee])),
          minimums: new Map(Object.entries(chain.minimums).map(([id, min]) => [BigInt(id), min])),
          ...(chain.timelockOperators ? { timelockOperators: chain.timelockOperators } : {}),
          ...(chain.legacyToken ? { legacyToken: chain.legacyToken } : {}),
          ...(chain.swapMinimum !== undefined ? { swapMinimum: chain.swapMinimum } : {}),
          ...(chain.reserve !== undefined ? { reserve: chain.reserve } : {}),
        };
      }),
    );
    const deployed = await deployNetwork({ validators: config.validators, threshold: config.threshold, chains });
    const out: DeployedAddresses = { validators: [...config.validators], threshold: config.threshold, chains: {} };
    for (const [name, chain] of deployed) {
      out.chains[name] = {
        chainId: chain.chainId.toString(),
        gateway: await chain.gateway.getAddress(),
        timelock: await chain.timelock.getAddress(),
        ...(chain.token ? { token: await chain.token.getAddress() } : {}),
        ...(chain.legacyToken ? { legacyToken: await chain.legacyToken.getAddress() } : {}),
      };
    }
    return out;
  } finally {
    for (const provider of providers) provider.destroy();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: "string" }, out: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help || !values.config) {
    console.log("usage: npm run deploy -- --config <deployment.json> [--out <addresses.json>]");
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const addresses = await deployFromConfig(loadDeploymentConfig(values.config), process.env);
  const json = JSON.stringify(addresses, null, 2) + "\n";
  if (values.out) writeFileSync(values.out, json);
  process.stdout.write(json);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(messageOf(error));
    process.exitCode = 1;
  });
}
