// Deploys and wires one chain's part of the bridge: the gateway (and, on a remote chain, its bridged BTT
// and optionally a legacy BTTOLD mock), a timelock that takes over the admin role, routes and limits.
// The devnet, the benchmarks and the tests all deploy through here.
import { Contract, getAddress } from "ethers";
import type { Signer } from "ethers";
import { compareAddresses } from "../common/transfer.ts";
import { factory } from "./artifacts.ts";
import { DeployError } from "./errors.ts";

export interface RouteConfig {
  dstChainId: bigint;
  fee: bigint;
  minAmount: bigint;
}

export interface ChainDeployment {
  /** Signs every deployment transaction; holds the admin role only until the timelock takes it. */
  deployer: Signer;
  role: "bttc" | "remote";
  validators: readonly string[];
  threshold: number;
  guardian: string;
  /** Rolling 24-hour cap on payouts, in BTT wei; `null` for none. */
  dailyLimit: bigint | null;
  routes: readonly RouteConfig[];
  /** Delay of admin actions, in seconds (devnet: 0). */
  timelockDelay: bigint;
  /** Addresses that may schedule and execute admin actions on the timelock (default: the deployer). */
  timelockOperators?: readonly string[];
  /** Remote chains: BTTC's chain id, where swaps deliver. */
  homeChainId?: bigint;
  /** Remote chains: an existing legacy BTTOLD token, or a mock to deploy with these decimals. */
  legacyToken?: { address: string } | { mockDecimals: number };
  /** Remote chains: smallest legacy amount a swap accepts, in legacy base units. */
  swapMinimum?: bigint;
}

export interface DeployedChain {
  gateway: Contract;
  timelock: Contract;
  /** Bridged BTT (remote chains): the remote gateway is also the token. */
  token?: Contract;
  /** Legacy BTTOLD (remote chains that have it). */
  legacyToken?: Contract;
}

const DEFAULT_ADMIN_ROLE = "0x" + "00".repeat(32);
const UNLIMITED = (1n << 256n) - 1n;
const ZERO_ADDRESS = "0x" + "00".repeat(20);

/** Validator addresses in the ascending order the gateways require. */
export function sortValidators(validators: readonly string[]): string[] {
  return validators.map((v) => getAddress(v)).sort(compareAddresses);
}

export async function deployChain(options: ChainDeployment): Promise<DeployedChain> {
  const { deployer } = options;
  const deployerAddress = await deployer.getAddress();
  const validators = sortValidators(options.validators);
  const dailyLimit = options.dailyLimit ?? UNLIMITED;
  const operators = options.timelockOperators ?? [deployerAddress];

  const timelock = await deployed(factory("BridgeTimelock", deployer).deploy(options.timelockDelay, operators, operators));

  let gateway: Contract;
  let legacyToken: Contract | undefined;
  if (options.role === "bttc") {
    gateway = await deployed(
      factory("BttcGateway", deployer).deploy(deployerAddress, options.guardian, validators, options.threshold, dailyLimit),
    );
  } else {
    if (options.homeChainId === undefined) throw new DeployError("INVALID_PLAN", "a remote gateway needs homeChainId (BTTC's chain id)");
    const legacy = options.legacyToken;
    if (legacy && "mockDecimals" in legacy) {
      legacyToken = await deployed(factory("LegacyBTTOLD", deployer).deploy(legacy.mockDecimals, deployerAddress));
    } else if (legacy) {
      legacyToken = new Contract(legacy.address, factory("LegacyBTTOLD", deployer).interface, deployer);
    }
    gateway = await deployed(
      factory("RemoteGateway", deployer).deploy(
        deployerAddress,
        options.guardian,
        validators,
        options.threshold,
        dailyLimit,
        options.homeChainId,
        legacyToken ? await legacyToken.getAddress() : ZERO_ADDRESS,
      ),
    );
  }

  // Wire while the deployer still holds the admin role, then hand that role to the timelock for good.
  for (const route of options.routes) {
    await confirmed(gateway.getFunction("configureRoute")(route.dstChainId, true, route.fee, route.minAmount));
  }
  if (options.role === "remote" && options.swapMinimum !== undefined) {
    await confirmed(gateway.getFunction("setSwapMinimum")(options.swapMinimum));
  }
  await confirmed(gateway.getFunction("grantRole")(DEFAULT_ADMIN_ROLE, await timelock.getAddress()));
  await confirmed(gateway.getFunction("renounceRole")(DEFAULT_ADMIN_ROLE, deployerAddress));

  const result: DeployedChain = { gateway, timelock };
  if (options.role === "remote") result.token = gateway;
  if (legacyToken) result.legacyToken = legacyToken;
  return result;
}

async function deployed(pending: Promise<unknown>): Promise<Contract> {
  const contract = (await pending) as Contract;
  await contract.waitForDeployment();
  return contract;
}

async function confirmed(pending: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  await (await pending).wait();
}
