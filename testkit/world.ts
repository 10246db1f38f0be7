// Three real simulated chains in this process (BTTC, Ethereum, BNB Chain, with the devnet's chain ids),
// each with its gateway deployed through deploy/bridge.ts, plus a validator set that tests sign with.
// A test "relays" by reading the TransferSent events of a real source transaction and delivering them
// with real signatures: no part of the chain side is mocked.
import { network } from "hardhat";
import { Contract, Wallet, keccak256, toUtf8Bytes } from "ethers";
import { ZeroHash } from "ethers";
import type { ContractTransactionResponse, LogDescription, Signer, TransactionReceipt } from "ethers";
import { operationSalt, scheduleCall } from "../common/timelock.ts";
import {
  addressToBytes32,
  gatewayDomain,
  orderBySigner,
  sequenceToRef,
  signBatch,
  toDeliveryArgs,
  TransferKind,
  type CompactSignature,
  type Transfer,
} from "../common/transfer.ts";
import { deployChain, sortValidators, type DeployedChain } from "../deploy/bridge.ts";
import { DEVNET_CHAIN_IDS } from "../common/chains/registry.ts";

/** The three EVM chains of the simulated world, with the devnet's ids. */
/** The EVM chains of an in-process world (the devnet's ids). */
export const EVM_CHAIN_IDS = { bttc: DEVNET_CHAIN_IDS.bttc, ethereum: DEVNET_CHAIN_IDS.ethereum, bsc: DEVNET_CHAIN_IDS.bsc } as const;
export type ChainName = keyof typeof EVM_CHAIN_IDS;
const NETWORKS: Record<ChainName, string> = { bttc: "bttcSim", ethereum: "ethereumSim", bsc: "bscSim" };

type Connection = Awaited<ReturnType<typeof network.create>>;

export interface Chain extends DeployedChain {
  name: ChainName;
  chainId: bigint;
  connection: Connection;
  signers: Signer[];
  gatewayAddress: string;
}

export interface WorldOptions {
  validatorCount?: number;
  threshold?: number;
  /** Per-chain rolling daily limit in wei (null: none). */
  dailyLimit?: bigint | null;
  /** Flat fee per destination, in wei. */
  fee?: bigint;
  minAmount?: bigint;
  legacyDecimals?: { ethereum: number; bsc: number };
  timelockDelay?: bigint;
  reserve?: bigint;
}

export interface World {
  chains: Record<ChainName, Chain>;
  validators: Wallet[];
  threshold: number;
  /** Restores every chain to the state it had when the world was created. */
  reset(): Promise<void>;
}

export function validatorWallets(count: number, label = "validator"): Wallet[] {
  const wallets = Array.from({ length: count }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`${label}-${i}`))));
  const order = sortValidators(wallets.map((w) => w.address));
  return order.map((address) => wallets.find((w) => w.address === address)!);
}

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const validators = validatorWallets(options.validatorCount ?? 3);
  const threshold = options.threshold ?? 2;
  const decimals = options.legacyDecimals ?? { ethereum: 18, bsc: 6 };
  const chains = {} as Record<ChainName, Chain>;

  for (const name of Object.keys(EVM_CHAIN_IDS) as ChainName[]) {
    const connection = await network.create(NETWORKS[name]);
    const signers: Signer[] = await connection.ethers.getSigners();
    const deployer = signers[0]!;
    const routes = (Object.keys(EVM_CHAIN_IDS) as ChainName[])
      .filter((other) => other !== name)
      .map((other) => ({ dstChainId: EVM_CHAIN_IDS[other], fee: options.fee ?? 0n, minAmount: options.minAmount ?? 0n }));
    const deployed = await deployChain({
      deployer,
      role: name === "bttc" ? "bttc" : "remote",
      validators: validators.map((v) => v.address),
      threshold,
      guardian: await signers[1]!.getAddress(),
      dailyLimit: options.dailyLimit ?? null,
      routes,
      timelockDelay: options.timelockDelay ?? 0n,
      homeChainId: EVM_CHAIN_IDS.bttc,
      ...(name === "bttc" ? {} : { legacyToken: { mockDecimals: decimals[name] } }),
    });
    if (name === "bttc" && options.reserve) {
      await (await deployed.gateway.getFunction("fundReserve")({ value: options.reserve })).wait();
    }
    chains[name] = {
      ...deployed,
      name,
      chainId: EVM_CHAIN_IDS[name],
      connection,
      signers,
      gatewayAddress: await deployed.gateway.getAddress(),
    };
  }

  const snapshots = new Map<ChainName, string>();
  const takeSnapshots = async () => {
    for (const chain of Object.values(chains)) {
      snapshots.set(chain.name, (await chain.connection.provider.request({ method: "evm_snapshot" })) as string);
    }
  };
  await takeSnapshots();

  return {
    chains,
    validators,
    threshold,
    async reset() {
      for (const chain of Object.values(chains)) {
        await chain.connection.provider.request({ method: "evm_revert", params: [snapshots.get(chain.name)] });
      }
      await takeSnapshots(); // a snapshot is consumed by reverting to it
    },
  };
}

/** Connects a contract to another signer of its chain. */
export function as(contract: Contract, signer: Signer): Contract {
  return contract.connect(signer) as Contract;
}

/** The transfers that a source transaction started, as validators would attest them. */
export function transfersSentBy(source: Chain, receipt: TransactionReceipt): Transfer[] {
  const transfers: Transfer[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== source.gatewayAddress.toLowerCase()) continue;
    const parsed = source.gateway.interface.parseLog(log);
    if (parsed?.name !== "TransferSent" && parsed?.name !== "SwapSent") continue;
    transfers.push({
      srcChainId: source.chainId,
      srcGateway: addressToBytes32(source.gatewayAddress),
      srcRef: sequenceToRef(parsed.args.getValue("sequence") as bigint),
      kind: parsed.name === "SwapSent" ? TransferKind.Swap : TransferKind.Bridge,
      dstChainId: parsed.args.getValue("dstChainId") as bigint,
      recipient: parsed.args.getValue("recipient") as string,
      amount: parsed.args.getValue("amount") as bigint,
    });
  }
  return transfers;
}

/** Signatures of `signers` over a batch for `destination`, ascending by signer. */
export async function attest(destination: Chain, transfers: readonly Transfer[], signers: readonly Wallet[]): Promise<CompactSignature[]> {
  const domain = gatewayDomain(destination.chainId, destination.gatewayAddress);
  return orderBySigner(await Promise.all(signers.map((s) => signBatch(s, domain, transfers))));
}

export async function mined(tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction was not mined");
  return receipt;
}

/** Delivers `transfers` to `destination` under signatures of the first `threshold` validators. */
export async function deliverAll(world: World, destination: Chain, transfers: readonly Transfer[]) {
  const signatures = await attest(destination, transfers, world.validators.slice(0, world.threshold));
  return submitDelivery(destination, transfers, signatures);
}

/** Submits a delivery (any account may): `deliver` for one transfer, `deliverBatch` for more. */
export async function submitDelivery(
  destination: Chain,
  transfers: readonly Transfer[],
  signatures: readonly CompactSignature[],
  options: { batch?: boolean; submitter?: Signer } = {},
) {
  const gateway = as(destination.gateway, options.submitter ?? destination.signers[9]!);
  const { srcChainId, srcGateway, items } = toDeliveryArgs(transfers);
  if (items.length === 1 && !options.batch) {
    return mined(gateway.getFunction("deliver")(srcChainId, srcGateway, items[0], signatures));
  }
  return mined(gateway.getFunction("deliverBatch")(srcChainId, srcGateway, items, signatures));
}

/** The gateway's own events in a receipt, decoded. */
export function gatewayEvents(chain: Chain, receipt: TransactionReceipt): LogDescription[] {
  return receipt.logs
    .filter((log) => log.address.toLowerCase() === chain.gatewayAddress.toLowerCase())
    .map((log) => chain.gateway.interface.parseLog(log))
    .filter((event): event is LogDescription => event !== null);
}

/** Runs an admin call (`data`, to the gateway) through the chain's timelock: schedule, then execute. */
export async function throughTimelock(chain: Chain, data: string, label: string): Promise<TransactionReceipt> {
  const call = { target: chain.gatewayAddress, data };
  const salt = operationSalt(label);
  await scheduleCall(chain.timelock, call, salt);
  return mined(chain.timelock.getFunction("execute")(call.target, 0n, call.data, ZeroHash, salt));
}
