// Gas benchmark (npm run bench:gas): real transactions on Hardhat's simulated chain, in steady state as
// users pay it: deliveries on a remote gateway (which mints) after 300+ earlier deliveries from the same
// source, each to a recipient holding no BTT yet; outbound calls that are not the first of their kind,
// from senders who keep a balance; daily limits and pause checks switched on. Writes
// bench/results/gas.json.
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
import { CHAIN_IDS, validatorWallets } from "../testkit/world.ts";

const DAILY_LIMIT = parseEther("1000000000000"); // finite, so the limit is checked and updated
// Realistic addresses (20 non-zero bytes), as calldata costs more for them than for padded small ones.
const SOURCE_GATEWAY = addressToBytes32(getAddress(dataSlice(keccak256(toUtf8Bytes("bttc gateway")), 12)));
const WARMUP_DELIVERIES = 320;

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
    routes: [
      { dstChainId: CHAIN_IDS.bttc, fee: 0n, minAmount: 0n },
      { dstChainId: CHAIN_IDS.bsc, fee: 0n, minAmount: 0n },
    ],
    timelockDelay: 0n,
    homeChainId: CHAIN_IDS.bttc,
    legacyToken: { mockDecimals: 18 },
  });
  return { connection, signers, ...deployed, address: await deployed.gateway.getAddress() };
}

/** Delivers transfers with sequence numbers [from, from + count) from the BTTC source, one batch. */
class Deliverer {
  next = 1n;
  recipientSeed = 1n;
  private readonly gateway: Contract;
  private readonly gatewayAddress: string;
  private readonly signers: Wallet[];
  constructor(gateway: Contract, gatewayAddress: string, signers: Wallet[]) {
    this.gateway = gateway;
    this.gatewayAddress = gatewayAddress;
    this.signers = signers;
  }

  transfers(count: number): Transfer[] {
    return Array.from({ length: count }, () => ({
      srcChainId: CHAIN_IDS.bttc,
      srcGateway: SOURCE_GATEWAY,
      srcRef: sequenceToRef(this.next++),
      kind: TransferKind.Bridge,
      dstChainId: CHAIN_IDS.ethereum,
      // A fresh recipient every time: the costlier case of a new balance slot.
      recipient: getAddress(dataSlice(keccak256(toUtf8Bytes(`recipient ${this.recipientSeed++}`)), 12)),
      amount: parseEther("1234.567890123456789"),
    }));
  }

  async deliver(count: number): Promise<TransactionReceipt> {
    const transfers = this.transfers(count);
    const domain = gatewayDomain(CHAIN_IDS.ethereum, this.gatewayAddress);
    const signatures = orderBySigner(await Promise.all(this.signers.map((s) => signBatch(s, domain, transfers))));
    const { srcChainId, srcGateway, items } = toDeliveryArgs(transfers);
    if (count === 1) return mined(this.gateway.getFunction("deliver")(srcChainId, srcGateway, items[0], signatures));
    return mined(this.gateway.getFunction("deliverBatch")(srcChainId, srcGateway, items, signatures));
  }

  async warmUp(): Promise<void> {
    for (let done = 0; done < WARMUP_DELIVERIES; done += 64) await this.deliver(64);
  }
}

async function deliveryGas(size: number, threshold: number, batch: number): Promise<bigint> {
  const validators = validatorWallets(size, `bench-${size}`);
  const chain = await remoteChain(validators, threshold);
  const deliverer = new Deliverer(chain.gateway, chain.address, validators.slice(0, threshold));
  await deliverer.warmUp();
  const receipt = await deliverer.deliver(batch);
  if (process.env.TRACE_GAS) await traceGas(chain.connection, receipt.hash);
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
  toUser!.recipient = userAddress;
  toUser!.amount = parseEther("1000");
  const domain = gatewayDomain(CHAIN_IDS.ethereum, chain.address);
  const sigs = orderBySigner(await Promise.all(validators.slice(0, 2).map((s) => signBatch(s, domain, [toUser!]))));
  const args = toDeliveryArgs([toUser!]);
  await mined(chain.gateway.getFunction("deliver")(args.srcChainId, args.srcGateway, args.items[0], sigs));

  const gateway = chain.gateway.connect(user) as Contract;
  const burn = () => gateway.getFunction("bridge")(CHAIN_IDS.bttc, userAddress, parseEther("10"));
  await mined(burn()); // not the first of its kind
  const burnReceipt = await mined(burn());
  if (process.env.TRACE_GAS) await traceGas(chain.connection, burnReceipt.hash);
  const bridgeBurn = burnReceipt.gasUsed;

  const legacy = chain.legacyToken!;
  await mined(legacy.getFunction("mint")(userAddress, parseEther("1000")));
  await mined((legacy.connect(user) as Contract).getFunction("approve")(chain.address, parseEther("1000")));
  const swap = () => gateway.getFunction("redenominate")(userAddress, parseEther("1"));
  await mined(swap());
  const redenominateErc20 = (await mined(swap())).gasUsed;

  // BTTC: native lock.
  const bttc = await network.create("bttcSim");
  const bttcSigners: Signer[] = await bttc.ethers.getSigners();
  const bttcDeployed = await deployChain({
    deployer: bttcSigners[0]!,
    role: "bttc",
    validators: validators.map((v) => v.address),
    threshold: 2,
    guardian: await bttcSigners[1]!.getAddress(),
    dailyLimit: DAILY_LIMIT,
    routes: [{ dstChainId: CHAIN_IDS.ethereum, fee: 0n, minAmount: 0n }],
    timelockDelay: 0n,
  });
  const bttcUser = bttcSigners[2]!;
  const lock = () =>
    (bttcDeployed.gateway.connect(bttcUser) as Contract).getFunction("bridge")(CHAIN_IDS.ethereum, userAddress, {
      value: parseEther("10"),
    });
  await mined(lock());
  const bridgeNative = (await mined(lock())).gasUsed;
  return { bridgeNative, bridgeBurn, redenominateErc20 };
}

async function traceGas(connection: { provider: { request(a: { method: string; params: unknown[] }): Promise<unknown> } }, hash: string) {
  const trace = (await connection.provider.request({ method: "debug_traceTransaction", params: [hash, { disableStack: !process.env.TRACE_HEAD }] })) as { structLogs: { op: string; gasCost: number; depth: number }[] };
  const byOp = new Map<string, { n: number; gas: number }>();
  const logs = trace.structLogs;
  if (process.env.TRACE_HEAD) {
    const full = logs as unknown as { op: string; stack?: string[] }[];
    console.log(full.slice(0, 140).filter((l) => l.op === "EQ").map((l) => l.stack?.at(-1)).join(" "));
    console.log(logs.length, logs.slice(100).map((l) => l.op).join(" "));
    return;
  }
  if (process.env.TRACE_ITERATION) {
    const marks = logs.map((l, i) => (l.op === "LOG3" ? i : -1)).filter((i) => i >= 0);
    const from = marks[10]!, to = marks[11]!;
    const hist = new Map<string, number>();
    let gas = 0;
    for (let i = from + 1; i <= to; i++) { const l = logs[i]!; gas += l.gasCost; hist.set(l.op, (hist.get(l.op) ?? 0) + 1); }
    console.log("iteration gas", gas, "ops", to - from);
    console.log([...hist.entries()].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o}:${n}`).join(" "));
    console.log(logs.slice(from + 1, to + 1).map((l) => l.op).join(" "));
    return;
  }
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]!;
    let cost = l.gasCost;
    if (["CALL", "STATICCALL", "DELEGATECALL"].includes(l.op)) {
      // structLogs charge the forwarded gas to the call; take what the frame left behind instead.
      const next = logs[i + 1];
      cost = next && next.depth > l.depth ? 0 : cost;
    }
    const e = byOp.get(l.op) ?? { n: 0, gas: 0 };
    e.n++; e.gas += cost; byOp.set(l.op, e);
  }
  console.log([...byOp.entries()].sort((a, b) => b[1].gas - a[1].gas).slice(0, 25).map(([op, e]) => `${op} x${e.n} ${e.gas}`).join("\n"));
}

async function main() {
  const outbound = await outboundGas();
  if (process.env.TRACE_GAS) {
    await deliveryGas(5, 3, 64);
    return;
  }
  const results = {
    ...outbound,
    deliverSingle_2of3: await deliveryGas(3, 2, 1),
    deliverSingle_3of5: await deliveryGas(5, 3, 1),
    deliverSingle_5of9: await deliveryGas(9, 5, 1),
    deliverBatch16_3of5_perTransfer: (await deliveryGas(5, 3, 16)) / 16n,
    deliverBatch64_3of5_perTransfer: (await deliveryGas(5, 3, 64)) / 64n,
  };
  const json = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Number(v)]));
  writeFileSync(new URL("./results/gas.json", import.meta.url), JSON.stringify(json, null, 2) + "\n");
  console.table(json);
}

await main();
