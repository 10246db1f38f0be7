// The devnet's watchtower (docs/operations.md, "Watchtower"): started after the relayer nodes, in `pause`
// mode with the devnet's guardian (Hardhat's account 16, which deploy gave GUARDIAN_ROLE on every
// gateway), its configuration in `<dataDir>/watchtower.json`, its key beside the relayers' (owner-only),
// its state in `<dataDir>/watchtower/` — wiped at each start, as the chains start empty.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hardhatAccount } from "./accounts.ts";
import type { DevnetEvmChain } from "./chains.ts";
import { TRON_SWAP_MINIMUM_UNITS, type TronInput } from "./configs.ts";
import { GUARDIAN_INDEX, type DeployedDevnetChain } from "./deploy.ts";
import type { ManagedProcess, ProcessGroup } from "./processes.ts";

export interface DevnetWatchtowerInput {
  group: ProcessGroup;
  dataDir: string;
  host: string;
  port: number;
  blockTimeMs: number;
  chains: readonly DevnetEvmChain[];
  deployed: readonly DeployedDevnetChain[];
  tron: TronInput;
  /** `node`, the watchtower's entry point's directory root, and the parts' environment. */
  node: string;
  root: string;
  env: NodeJS.ProcessEnv;
}

export interface DevnetWatchtower {
  url: string;
  config: string;
  mode: "pause";
  guardian: string;
  part: ManagedProcess;
}

/** Writes the watchtower's configuration and guardian key, starts it, and waits for its /health. */
export async function startDevnetWatchtower(input: DevnetWatchtowerInput): Promise<DevnetWatchtower> {
  const guardian = hardhatAccount(GUARDIAN_INDEX);
  const keyDir = join(input.dataDir, "keys");
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  const keyFile = join(keyDir, "watchtower-guardian.key");
  rmSync(keyFile, { force: true });
  writeFileSync(keyFile, guardian.privateKey + "\n", { mode: 0o600, flag: "wx" });
  chmodSync(keyFile, 0o600);
  const stateDir = join(input.dataDir, "watchtower");
  rmSync(stateDir, { recursive: true, force: true });

  const config = {
    mode: "pause",
    chains: input.chains.map((chain) => {
      const d = input.deployed.find((x) => x.name === chain.name)!;
      return {
        name: chain.name,
        chainId: chain.chainId.toString(),
        rpcUrl: chain.rpcUrl,
        gateway: d.gateway,
        kind: chain.role,
        finality: { confirmations: 2 },
        startBlock: d.deployBlock.toString(),
        fees: { type: chain.role === "bttc" ? "legacy" : "auto" },
      };
    }),
    tron: {
      name: "tron",
      chainId: input.tron.chainId.toString(),
      fullHost: input.tron.fullHost,
      depositAddress: input.tron.depositAddress,
      solidityDepth: input.tron.solidityDepth,
      minimumUnits: TRON_SWAP_MINIMUM_UNITS.toString(),
    },
    guardianKey: { file: keyFile },
    http: { host: input.host, port: input.port },
    stateDir,
    pollIntervalMs: Math.min(1_000, Math.max(100, Math.floor(input.blockTimeMs / 2))),
  };
  const file = join(input.dataDir, "watchtower.json");
  writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
  const url = `http://${input.host}:${input.port}`;
  const part = input.group.start(
    "watchtower",
    input.node,
    [join(input.root, "watchtower", "main.ts"), "--config", file],
    input.env,
    input.root,
  );
  await input.group.waitReady(part, async () => (await fetch(`${url}/health`)).ok, 60_000);
  return { url, config: file, mode: "pause", guardian: guardian.address, part };
}
