// Gas benchmark (npm run bench:gas): real transactions on Hardhat's simulated chains (each under its chain's
// rules: BTTC Berlin, Ethereum Prague), in steady state as
// users pay it — deliveries on a remote gateway (which mints) after 300+ earlier deliveries from the same
// source, each to a recipient holding no BTT yet; outbound calls that are not the first of their kind,
// from senders who keep a balance; daily limits and pause checks switched on; realistic (full 20-byte)
// addresses, as calldata costs more for them. Writes bench/results/gas.json.
//
// `GAS_TRACE=1 npm run bench:gas` also prints, for the 64-transfer batch, where its gas goes by opcode
// (Hardhat's `run` takes no script arguments, hence the variable).
import { writeFileSync } from "node:fs";
import { network } from "hardhat";
import { Wallet, dataSlice, getAddress, keccak256, parseEther, toUtf8Bytes } from "ethers";
import type { Contract, Signer, TransactionReceipt } from "ethers";
import {
  addressToBytes32,
  gatewayDomain,
  orderBySigner,
  sequenceToRef,
  signBatch,
  toDeliveryArgs,
  TransferKind,
  type Transfer,
} from "../common/transfer.ts";
import { deployChain } from "../deploy/bridge.ts";
import { validatorWallets } from "../testkit/world.ts";
import { CHAIN_IDS } from "../testkit/constants.ts";

const DAILY_LIMIT = parseEther("1000000000"); // finite, so the limit is checked and updated
const WARMUP_DELIVERIES = 320;
const TRACE = process.env.GAS_TRACE === "1";

type Connection = Awaited<ReturnType<typeof network.create>>;

function pseudoAddress(label: string): string {
  return getAddress(dataSlice(keccak256(toUtf8Bytes(label)), 12));
}

/** A delivery route of the benchmark: deliveries come from `source` and go to `destination`. */
interface Route {
  source: bigint;
  sourceGateway: string;
  destination: bigint;
  amount: bigint;
}

const TO_ETHEREUM: Route = {
  source: CHAIN_IDS.bttc,
  sourceGateway: addressToBytes32(pseudoAddress("bttc gateway")),
  destination: CHAIN_IDS.ethereum,
  amount: parseEther("1234.567890123456789"),
};
// Releases of native BTT on BTTC (a Berlin chain), from bridged BTT burned on Ethereum.
const TO_BTTC: Route = {
  source: CHAIN_IDS.ethereum,
  sourceGateway: addressToBytes32(pseudoAddress("ethereum gateway")),
  destination: CHAIN_IDS.bttc,
  amount: parseEther("1.234567890123456789"),
};

async function mined(tx: Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("not mined");
  return receipt;
}

async function remoteChain(validators: Wallet[], threshold: number) {
  const connection = await network.create("ethereumSim");
  const signers: Signer[] = await connection.ethers.getSigners();
  const deployed = await deployChain({
    deployer: signers[0]!,
    role: "remote",
    validators: validators.map((v) => v.address),
    threshold,
    guardian: await signers[1]!.getAddress(),
    dailyLimit: DAILY_LIMIT,
    routes: [{ dstChainId: CHAIN_IDS.bttc, fee: 0n, minAmount: 0n }],
    timelockDelay: 0n,
    homeChainId: CHAIN_IDS.bttc,
    legacyToken: { mockDecimals: 18 },
  });
  return { connection, signers, ...deployed, address: await deployed.gateway.getAddress() };
}

/** Delivers transfers from one BTTC source with consecutive sequence numbers, each to a new recipient. */
class Deliverer {
  private next = 1n;
  private readonly gateway: Contract;
  private readonly gatewayAddress: string;
  private readonly signers: Wallet[];
  private readonly route: Route;

  constructor(gateway: Contract, gatewayAddress: string, signers: Wallet[], route: Route = TO_ETHEREUM) {
    this.gateway = gateway;
    this.gatewayAddress = gatewayAddress;
    this.signers = signers;
    this.route = route;
  }

  transfers(count: number): Transfer[] {
    return Array.from({ length: count }, () => {
      const sequence = this.next++;
      return {
        srcChainId: this.route.source,
        srcGateway: this.route.sourceGateway,
        srcRef: sequenceToRef(sequence),
        kind: TransferKind.Bridge,
        dstChainId: this.route.destination,
        recipient: pseudoAddress(`recipient ${this.route.destination} ${sequence}`),
        amount: this.route.amount,
      };
    });
  }

  async deliver(transfers: Transfer[]): Promise<TransactionReceipt> {
    const domain = gatewayDomain(this.route.destination, this.gatewayAddress);
    const signatures = orderBySigner(await Promise.all(this.signers.map((s) => signBatch(s, domain, transfers))));
    const { srcChainId, srcGateway, items } = toDeliveryArgs(transfers);
    if (items.length === 1) {
      return mined(this.gateway.getFunction("deliver")(srcChainId, srcGateway, items[0], signatures));
    }
    return mined(this.gateway.getFunction("deliverBatch")(srcChainId, srcGateway, items, signatures));
  }

  async warmUp(): Promise<void> {
    for (let done = 0; done < WARMUP_DELIVERIES; done += 64) await this.deliver(this.transfers(64));
  }
}

async function deliveryGas(size: number, threshold: number, batch: number): Promise<bigint> {
  const validators = validatorWallets(size, `bench-${size}`);
  const chain = await remoteChain(validators, threshold);
  const deliverer = new Deliverer(chain.gateway, chain.address, validators.slice(0, threshold));
  await deliverer.warmUp();
  const receipt = await deliverer.deliver(deliverer.transfers(batch));
  if (TRACE && batch === 64) await printOpcodeGas(chain.connection, receipt.hash);
  return receipt.gasUsed;
}

/** Deliveries on a BTTC gateway (Berlin rules) releasing native BTT to recipients that hold none (a cold,
 * new account each: 36,600 gas of the payout alone), after the same warm-up as on a remote gateway. */
async function bttcDeliveryGas(size: number, threshold: number, batch: number): Promise<bigint> {
  const validators = validatorWallets(size, `bench-bttc-${size}`);
  const connection = await network.create("bttcSim");
  const signers: Signer[] = await connection.ethers.getSigners();
  const deployed = await deployChain({
    deployer: signers[0]!,
    role: "bttc",
    validators: validators.map((v) => v.address),
    threshold,
    guardian: await signers[1]!.getAddress(),
    dailyLimit: DAILY_LIMIT,
    routes: [{ dstChainId: CHAIN_IDS.ethereum, fee: 0n, minAmount: 0n }],
    timelockDelay: 0n,
  });
  const address = await deployed.gateway.getAddress();
  const lockAmount = TO_BTTC.amount * BigInt(WARMUP_DELIVERIES + 64 + batch);
  const locker = deployed.gateway.connect(signers[2]!) as Contract;
  await mined(locker.getFunction("bridge")(CHAIN_IDS.ethereum, await signers[2]!.getAddress(), { value: lockAmount }));
  const deliverer = new Deliverer(deployed.gateway, address, validators.slice(0, threshold), TO_BTTC);
  await deliverer.warmUp();
  const receipt = await deliverer.deliver(deliverer.transfers(batch));
  if (TRACE && batch === 64) await printOpcodeGas(connection, receipt.hash);
  return receipt.gasUsed;
}

async function outboundGas() {
  const validators = validatorWallets(3, "bench-outbound");
  const chain = await remoteChain(validators, 2);
  const user = chain.signers[2]!;
  const userAddress = await user.getAddress();

  // Bridged BTT reaches the user only through a delivery.
  const deliverer = new Deliverer(chain.gateway, chain.address, validators.slice(0, 2));
  const [toUser] = deliverer.transfers(1);
  await deliverer.deliver([{ ...toUser!, recipient: userAddress, amount: parseEther("1000") }]);

  const gateway = chain.gateway.connect(user) as Contract;
  const burn = () => gateway.getFunction("bridge")(CHAIN_IDS.bttc, userAddress, parseEther("10"));
  await mined(burn()); // not the first of its kind
  const bridgeBurn = (await mined(burn())).gasUsed;

  const legacy = chain.legacyToken!;
  await mined(legacy.getFunction("mint")(userAddress, parseEther("1000")));
  // An allowance that stays non-zero after the swap (the costlier case of an exact approval's refund).
  await mined((legacy.connect(user) as Contract).getFunction("approve")(chain.address, parseEther("1000")));
  const swap = () => gateway.getFunction("redenominate")(userAddress, parseEther("1"));
  await mined(swap());
  const redenominateErc20 = (await mined(swap())).gasUsed;

  const bttc = await network.create("bttcSim");
  const bttcSigners: Signer[] = await bttc.ethers.getSigners();
  const bttcChain = await deployChain({
    deployer: bttcSigners[0]!,
    role: "bttc",
    validators: validators.map((v) => v.address),
    threshold: 2,
    guardian: await bttcSigners[1]!.getAddress(),
    dailyLimit: DAILY_LIMIT,
    routes: [{ dstChainId: CHAIN_IDS.ethereum, fee: 0n, minAmount: 0n }],
    timelockDelay: 0n,
  });
  const lockingGateway = bttcChain.gateway.connect(bttcSigners[2]!) as Contract;
  const lock = () => lockingGateway.getFunction("bridge")(CHAIN_IDS.ethereum, userAddress, { value: parseEther("10") });
  await mined(lock());
  const bridgeNative = (await mined(lock())).gasUsed;
  return { bridgeNative, bridgeBurn, redenominateErc20 };
}

/** Gas by opcode; for calls, only the call's own cost (the trace charges forwarded gas to the call). */
async function printOpcodeGas(connection: Connection, hash: string): Promise<void> {
  const trace = (await connection.provider.request({
    method: "debug_traceTransaction",
    params: [hash, { disableStack: true, disableMemory: true, disableStorage: true }],
  })) as { structLogs: { op: string; gasCost: number; depth: number }[] };
  const byOp = new Map<string, { count: number; gas: number }>();
  const steps = trace.structLogs;
  steps.forEach((step, i) => {
    const entersFrame = (steps[i + 1]?.depth ?? 0) > step.depth;
    const isPrecompileCall = step.op === "STATICCALL" && !entersFrame;
    const gas = isPrecompileCall ? 3100 : entersFrame ? 0 : step.gasCost; // ecrecover: 3,000 + warm access
    const entry = byOp.get(step.op) ?? { count: 0, gas: 0 };
    byOp.set(step.op, { count: entry.count + 1, gas: entry.gas + gas });
  });
  const rows = [...byOp.entries()].sort((a, b) => b[1].gas - a[1].gas).slice(0, 15);
  console.table(Object.fromEntries(rows.map(([op, e]) => [op, e])));
}

const results = {
  ...(await outboundGas()),
  deliverSingle_2of3: await deliveryGas(3, 2, 1),
  deliverSingle_3of5: await deliveryGas(5, 3, 1),
  deliverSingle_5of9: await deliveryGas(9, 5, 1),
  deliverBatch16_3of5_perTransfer: (await deliveryGas(5, 3, 16)) / 16n,
  deliverBatch64_3of5_perTransfer: (await deliveryGas(5, 3, 64)) / 64n,
  deliverSingle_3of5_bttc: await bttcDeliveryGas(5, 3, 1),
  deliverBatch64_3of5_bttc_perTransfer: (await bttcDeliveryGas(5, 3, 64)) / 64n,
};
const json = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Number(v)]));
writeFileSync(new URL("./results/gas.json", import.meta.url), JSON.stringify(json, null, 2) + "\n");
console.table(json);
