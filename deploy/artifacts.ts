// Contract factories for deployment, from the compiled artifacts (common/contracts/artifacts.ts), so that
// deployment needs only ethers (the devnet and the CLI deploy over JSON-RPC; the tests deploy to the
// in-process simulated chain).
import { ContractFactory } from "ethers";
import type { ContractRunner } from "ethers";
import { artifact, type ContractName } from "../common/contracts/artifacts.ts";

export function factory(name: ContractName, runner: ContractRunner): ContractFactory {
  const { abi, bytecode } = artifact(name);
  return new ContractFactory(abi, bytecode, runner);
}
