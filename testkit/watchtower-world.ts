// Three real `hardhat node` chains (BTTC, Ethereum, BNB Chain; devnet ids and rules) with the bridge
// deployed through deploy/network.ts, a validator set the test signs with, and the guardian's key in a
// file readable by its owner only: what the watchtower's tests check deliveries on. The test relays by
// hand (reads a real source transaction's events, signs, delivers), so it can also deliver what no
// honest relayer would: a compromised quorum's forgeries.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, HDNodeWallet, NonceManager, Wallet, type JsonRpcProvider, type TransactionReceipt } from "ethers";
import { deployNetwork } from "../deploy/network.ts";
import { createEvmProvider } from "../common/rpc/evm-provider.ts";
import {
  TransferKind,
  addressToBytes32,
  gatewayDomain,
  orderBySigner,
  sequenceToRef,
  signBatch,
  toDeliveryArgs,
  type Transfer,
} from "../common/transfer.ts";
import { parseWatchtowerConfig, type WatchtowerConfig } from "../watchtower/config.ts";
import { CHAIN_IDS, DEVNET_MNEMONIC } from "./constants.ts";
import { startHardhatNode, type HardhatNode } from "./hardhat-node.ts";
import { validatorWallets } from "./world.ts";

export const account = (i: number) => HDNodeWallet.fromPhrase(DEVNET_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
/** The guardian, as on the devnet: Hardhat's account 16. */
export const GUARDIAN_INDEX = 16;

export type WName = "bttc" | "ethereum" | "bsc";
export const W_NAMES: readonly WName[] = ["bttc", "ethereum", "bsc"];

export interface WChain {
  name: WName;
  chainId: bigint;
  node: HardhatNode;
  provider: JsonRpcProvider;
  gateway: Contract;
  timelock: Contract;
  legacyToken?: Contract;
  /** The block the gateway was deployed by. */
  start: bigint;
}

export interface WatchWorld {
  chains: Record<WName, WChain>;
  validators: Wallet[];
  /** A file holding the guardian's key (mode 0600). */
  guardianKeyFile: string;
  dir: string;
  /** Mines `n` blocks on each chain named (default every chain). */
  mine(n: number, names?: readonly WName[]): Promise<void>;
  /** A watchtower configuration for this world (the caller adds or overrides what it needs). */
  config(overrides?: Partial<Record<string, unknown>>): WatchtowerConfig;
  stop(): Promise<void>;
}

export async function startWatchWorld(options: { reserve?: bigint } = {}): Promise<WatchWorld> {
  const dir = mkdtempSync(join(tmpdir(), "bttb-watchtower-"));
  const validators = validatorWallets(3);
  const chains = {} as Record<WName, WChain>;
  const nodes = await Promise.all(W_NAMES.map((name) => startHardhatNode({ chainId: CHAIN_IDS[name] })));
  for (const [i, name] of W_NAMES.entries()) {
    const node = nodes[i]!;
    chains[name] = {
      name,
      chainId: CHAIN_IDS[name],
      node,
      provider: createEvmProvider({ name, chainId: CHAIN_IDS[name], rpcUrl: node.url }),
    } as WChain;
  }
  const deployed = await deployNetwork({
    validators: validators.map((v) => v.address),
    threshold: 2,
    chains: W_NAMES.map((name) => ({
      name,
      chainId: CHAIN_IDS[name],
      role: name === "bttc" ? ("bttc" as const) : ("remote" as const),
      deployer: new NonceManager(account(0).connect(chains[name].provider)),
      guardian: account(GUARDIAN_INDEX).address,
      dailyLimit: null,
      timelockDelay: 0n,
      ...(name === "ethereum" ? { legacyToken: { mockDecimals: 6 } } : {}),
      ...(name === "bttc" && options.reserve ? { reserve: options.reserve } : {}),
    })),
  });
  for (const name of W_NAMES) {
    const d = deployed.get(name)!;
    Object.assign(chains[name], {
      gateway: d.gateway,
      timelock: d.timelock,
      ...(d.legacyToken ? { legacyToken: d.legacyToken } : {}),
      start: BigInt(await chains[name].provider.getBlockNumber()),
    });
  }
  const guardianKeyFile = join(dir, "guardian.key");
  writeFileSync(guardianKeyFile, account(GUARDIAN_INDEX).privateKey + "\n", { mode: 0o600 });
  chmodSync(guardianKeyFile, 0o600);
  let stateCount = 0;
  return {
    chains,
    validators,
    guardianKeyFile,
    dir,
    async mine(n, names = W_NAMES) {
      await Promise.all(names.map((name) => chains[name].provider.send("hardhat_mine", [`0x${n.toString(16)}`])));
    },
    config(overrides = {}) {
      return parseWatchtowerConfig({
        mode: "alert",
        chains: W_NAMES.map((name) => ({
          name,
          chainId: CHAIN_IDS[name].toString(),
          rpcUrl: chains[name].node.url,
          gateway: chains[name].gateway.target as string,
          kind: name === "bttc" ? "bttc" : "remote",
          finality: { confirmations: 2 },
          startBlock: chains[name].start.toString(),
          fees: { type: name === "bttc" ? "legacy" : "auto" },
        })),
        guardianKey: { file: guardianKeyFile },
        http: { host: "127.0.0.1", port: 0 },
        stateDir: join(dir, `state-${++stateCount}`),
        pollIntervalMs: 100,
        requestTimeoutMs: 5_000,
        ...overrides,
      });
    },
    async stop() {
      for (const name of W_NAMES) chains[name]?.provider.destroy();
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The transfers a source transaction started, as its TransferSent/SwapSent events say. */
export function transfersOf(chain: WChain, receipt: TransactionReceipt): Transfer[] {
  const out: Transfer[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== (chain.gateway.target as string).toLowerCase()) continue;
    const event = chain.gateway.interface.parseLog(log);
    if (event?.name !== "TransferSent" && event?.name !== "SwapSent") continue;
    out.push({
      srcChainId: chain.chainId,
      srcGateway: addressToBytes32(chain.gateway.target as string),
      srcRef: sequenceToRef(event.args.getValue("sequence") as bigint),
      kind: event.name === "SwapSent" ? TransferKind.Swap : TransferKind.Bridge,
      dstChainId: event.args.getValue("dstChainId") as bigint,
      recipient: event.args.getValue("recipient") as string,
      amount: event.args.getValue("amount") as bigint,
    });
  }
  return out;
}

/** Bridges `amount` wei of BTT from BTTC to `dst` for `recipient`, sent by Hardhat account `from`. */
export async function bridgeFromBttc(world: WatchWorld, dst: WName, recipient: string, amount: bigint, from = 5): Promise<Transfer> {
  const bttc = world.chains.bttc;
  const gateway = bttc.gateway.connect(account(from).connect(bttc.provider)) as Contract;
  const receipt = (await (
    await gateway.getFunction("bridge")(world.chains[dst].chainId, recipient, { value: amount, type: 0 })
  ).wait()) as TransactionReceipt;
  return transfersOf(bttc, receipt)[0]!;
}

/**
 * Signs `transfers` (one source gateway) for `dst` with `signers` and delivers them as one call,
 * `deliver` for one (unless `batch`), `deliverBatch` for more; sent by Hardhat account `from`.
 */
export async function deliver(
  world: WatchWorld,
  dst: WName,
  transfers: readonly Transfer[],
  options: { signers?: readonly Wallet[]; batch?: boolean; from?: number; via?: string } = {},
): Promise<TransactionReceipt> {
  const chain = world.chains[dst];
  const signers = options.signers ?? world.validators.slice(0, 2);
  const domain = gatewayDomain(chain.chainId, chain.gateway.target as string);
  const signatures = orderBySigner(await Promise.all(signers.map((s) => signBatch(s, domain, transfers))));
  const { srcChainId, srcGateway, items } = toDeliveryArgs(transfers);
  const sender = new NonceManager(account(options.from ?? 9).connect(chain.provider));
  const gateway = chain.gateway.connect(sender) as Contract;
  const fees = dst === "bttc" ? { type: 0 } : {};
  const data =
    items.length === 1 && !options.batch
      ? gateway.interface.encodeFunctionData("deliver", [srcChainId, srcGateway, items[0], signatures])
      : gateway.interface.encodeFunctionData("deliverBatch", [srcChainId, srcGateway, items, signatures]);
  const tx = await sender.sendTransaction({ to: options.via ?? chain.gateway.target, data, gasLimit: 3_000_000n, ...fees });
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`the delivery on ${dst} failed`);
  return receipt;
}

/**
 * A contract that passes any call on to `target` (its calldata as it is) and reverts if that call does:
 * a delivery made through it is not a direct call to the gateway. Runtime: CALLDATACOPY, CALL target
 * with all gas, revert on failure. Hand-assembled, without PUSH0 (BTTC runs Berlin rules).
 */
export async function deployForwarder(chain: WChain, target: string, from = 0): Promise<string> {
  const runtime = "36600060003760006000366000600073" + target.slice(2).toLowerCase() + "5af115602b57005b60006000fd";
  const length = (runtime.length / 2).toString(16).padStart(2, "0");
  const init = `0x60${length}80600b6000396000f3${runtime}`;
  const signer = account(from).connect(chain.provider);
  const tx = await signer.sendTransaction({ data: init, ...(chain.name === "bttc" ? { type: 0 } : {}) });
  const receipt = await tx.wait();
  return receipt!.contractAddress!;
}
