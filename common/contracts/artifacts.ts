// The bridge's compiled contracts, read from Hardhat's artifacts: their ABIs for everything that talks to
// them (relayer, API, CLI), and the whole artifact for deployment (deploy/artifacts.ts adds the bytecode).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Interface } from "ethers";
import type { InterfaceAbi } from "ethers";

const ARTIFACT_PATHS = {
  BttcGateway: "contracts/BttcGateway.sol/BttcGateway.json",
  RemoteGateway: "contracts/RemoteGateway.sol/RemoteGateway.json",
  LegacyBTTOLD: "contracts/mocks/LegacyBTTOLD.sol/LegacyBTTOLD.json",
  BridgeTimelock: "contracts/governance/BridgeTimelock.sol/BridgeTimelock.json",
} as const;

export type ContractName = keyof typeof ARTIFACT_PATHS;

export interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "artifacts");
const cache = new Map<ContractName, Artifact>();

/** The compiled contract `name` (ABI and bytecode); `npx hardhat build` writes them. */
export function artifact(name: ContractName): Artifact {
  let found = cache.get(name);
  if (!found) {
    const path = join(root, ARTIFACT_PATHS[name]);
    try {
      found = JSON.parse(readFileSync(path, "utf8")) as Artifact;
    } catch (cause) {
      throw new Error(`contract artifact ${name} not found at ${path}: run \`npx hardhat build\` first`, { cause });
    }
    cache.set(name, found);
  }
  return found;
}

export function contractAbi(name: ContractName): InterfaceAbi {
  return artifact(name).abi;
}

export function contractInterface(name: ContractName): Interface {
  return new Interface(contractAbi(name));
}
