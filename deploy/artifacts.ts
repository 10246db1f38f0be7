// Compiled contracts, read from Hardhat's artifacts so that deployment needs only ethers (the devnet and
// the CLI deploy over JSON-RPC; the tests deploy to the in-process simulated chain).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ContractFactory, Interface } from "ethers";
import type { ContractRunner, InterfaceAbi } from "ethers";

const ARTIFACT_PATHS = {
  BttcGateway: "contracts/BttcGateway.sol/BttcGateway.json",
  RemoteGateway: "contracts/RemoteGateway.sol/RemoteGateway.json",
  LegacyBTTOLD: "contracts/mocks/LegacyBTTOLD.sol/LegacyBTTOLD.json",
  BridgeTimelock: "contracts/governance/BridgeTimelock.sol/BridgeTimelock.json",
} as const;

export type ContractName = keyof typeof ARTIFACT_PATHS;

interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "artifacts");
const cache = new Map<ContractName, Artifact>();

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

export function contractInterface(name: ContractName): Interface {
  return new Interface(artifact(name).abi);
}

export function factory(name: ContractName, runner: ContractRunner): ContractFactory {
  const { abi, bytecode } = artifact(name);
  return new ContractFactory(abi, bytecode, runner);
}
