// No transfer held hostage, end to end: three relayer nodes (threshold 2) between BTTC and Ethereum on
// real `hardhat node` chains and real Redis. 40 transfers from Ethereum to a BTTC contract that refuses
// BTT with 100 KB of revert data, interleaved with 40 to ordinary accounts: the honest recipients are paid
// within a minute, the refused payouts are claimable by that contract, and the deliveries average under
// 100,000 gas per transfer (docs/architecture.md, "A transfer that fails alone").
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Contract, ContractFactory, HDNodeWallet, JsonRpcProvider, NonceManager, parseEther, Wallet } from "ethers";
import { deployNetwork } from "../../deploy/network.ts";
import { createEvmProvider } from "../../common/rpc/evm-provider.ts";
import { RelayerNode } from "../../relayer/node.ts";
import { startHardhatNode, type HardhatNode } from "../../testkit/hardhat-node.ts";
import { startRelayerTrio } from "../../testkit/relayer-trio.ts";
import { connectTestRedis, type TestRedis } from "../../testkit/redis.ts";
import { validatorWallets } from "../../testkit/world.ts";
import { until } from "../../testkit/wait.ts";
import { CHAIN_IDS, DEVNET_MNEMONIC } from "../../testkit/constants.ts";

const account = (i: number) => HDNodeWallet.fromPhrase(DEVNET_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
const CHAINS = { bttc: CHAIN_IDS.bttc, ethereum: CHAIN_IDS.ethereum } as const;
type Name = keyof typeof CHAINS;
const NAMES = Object.keys(CHAINS) as Name[];
const EACH = 40;
// The hostile recipient of the contract tests: refuses every payment with 100 KB of revert data.
const HOSTAGE_ARTIFACT = new URL("../../artifacts/contracts/mocks/HostileRecipients.sol/RevertDataRecipient.json", import.meta.url);

describe("no transfer held hostage: 40 payouts refused with 100 KB of revert data among 40 honest ones", { timeout: 300_000 }, () => {
  const chains = {} as Record<Name, { node: HardhatNode; provider: JsonRpcProvider; gateway: Contract; start: bigint }>;
  const relayers: RelayerNode[] = [];
  const validators = validatorWallets(3);
  let redis: TestRedis;
  let miner: NodeJS.Timeout | undefined;
  const user = account(6);

  before(async () => {
    redis = await connectTestRedis("hostage");
    for (const name of NAMES) {
      const node = await startHardhatNode({ chainId: CHAINS[name] });
      const provider = createEvmProvider({ name, chainId: CHAINS[name], rpcUrl: node.url });
      chains[name] = { node, provider, start: 0n } as (typeof chains)[Name];
    }
    const deployed = await deployNetwork({
      validators: validators.map((v) => v.address),
      threshold: 2,
      chains: NAMES.map((name) => ({
        name,
        chainId: CHAINS[name],
        role: name === "bttc" ? ("bttc" as const) : ("remote" as const),
        deployer: new NonceManager(account(0).connect(chains[name].provider)),
        guardian: account(0).address,
        dailyLimit: null,
        timelockDelay: 0n,
      })),
    });
    // A 30M gas block limit on BTTC, as a real chain has (Hardhat's own is larger): a batch whose payouts
    // copy their revert data then cannot fit in a block, as on the devnet.
    await chains.bttc.provider.send("evm_setBlockGasLimit", ["0x" + (30_000_000).toString(16)]);
    for (const name of NAMES) {
      chains[name].gateway = deployed.get(name)!.gateway;
      chains[name].start = BigInt(await chains[name].provider.getBlockNumber());
    }
    relayers.push(
      ...(await startRelayerTrio(
        NAMES.map((name) => ({
          name,
          chainId: CHAINS[name],
          rpcUrl: chains[name].node.url,
          gateway: chains[name].gateway,
          start: chains[name].start,
        })),
        validators,
        redis.prefix,
      )),
    );
    startMining();
  });

  /** The chains keep making blocks, so that transfers and deliveries become final. */
  function startMining(): void {
    miner = setInterval(() => {
      for (const name of NAMES) void chains[name].provider.send("evm_mine", []).catch(() => undefined);
    }, 200);
  }

  after(async () => {
    clearInterval(miner);
    for (const relayer of relayers) await relayer.stop();
    await redis?.cleanup();
    for (const name of NAMES) chains[name]?.provider.destroy();
    await Promise.all(NAMES.map((name) => chains[name]?.node.stop()));
  });

  const statuses = (ids: readonly string[]) => Promise.all(ids.map((id) => relayers[0]!.transfers.statusOf(id)));

  it("pays the honest recipients within a minute, leaves the refused payouts claimable, under 100,000 gas per transfer", async (t) => {
    // The attacker's contract on BTTC, and bridged BTT on Ethereum to send from.
    const { abi, bytecode } = JSON.parse(readFileSync(HOSTAGE_ARTIFACT, "utf8")) as { abi: []; bytecode: string };
    const hostage = await new ContractFactory(abi, bytecode, new NonceManager(account(0).connect(chains.bttc.provider))).deploy();
    await hostage.waitForDeployment();
    const hostageAddress = await hostage.getAddress();
    const holder = Wallet.createRandom().connect(chains.ethereum.provider);
    const bttcUser = chains.bttc.gateway.connect(new NonceManager(user.connect(chains.bttc.provider))) as Contract;
    const funding = await (await bttcUser.getFunction("bridge")(CHAINS.ethereum, holder.address, { value: parseEther("100") })).wait();
    await until(
      "the holder funded on Ethereum",
      async () => (await chains.ethereum.gateway.getFunction("balanceOf")(holder.address)) === parseEther("100"),
      60_000,
    );
    assert.ok(funding);
    await (
      await new NonceManager(account(7).connect(chains.ethereum.provider)).sendTransaction({ to: holder.address, value: parseEther("1") })
    ).wait();

    // 40 to the hostage contract interleaved with 40 to fresh accounts, sent back to back.
    const honest = Array.from({ length: EACH }, () => Wallet.createRandom().address);
    const amount = (i: number) => parseEther("1") + BigInt(i);
    const ethHolder = chains.ethereum.gateway.connect(new NonceManager(holder)) as Contract;
    // All in one Ethereum block, so that they become final together and the relayer meets them as one
    // batch (the largest it makes), as an attacker would arrange.
    clearInterval(miner);
    await chains.ethereum.provider.send("evm_setAutomine", [false]);
    const sent: { wait(): Promise<{ hash: string }> }[] = [];
    try {
      for (let i = 0; i < EACH; i++) {
        sent.push(await ethHolder.getFunction("bridge")(CHAINS.bttc, hostageAddress, parseEther("0.5")));
        sent.push(await ethHolder.getFunction("bridge")(CHAINS.bttc, honest[i]!, amount(i)));
      }
      await chains.ethereum.provider.send("evm_mine", []);
    } finally {
      await chains.ethereum.provider.send("evm_setAutomine", [true]);
      startMining();
    }
    const txs = await Promise.all(sent.map(async (tx) => (await tx.wait()).hash));
    const blocks = new Set(await Promise.all(txs.map(async (h) => (await chains.ethereum.provider.getTransactionReceipt(h))!.blockNumber)));
    assert.equal(blocks.size, 1, "all 80 in one block");
    const sentAt = Date.now();

    await until(
      "every honest recipient paid",
      async () => (await Promise.all(honest.map((r) => chains.bttc.provider.getBalance(r)))).every((b, i) => b === amount(i)),
      60_000,
    );
    const paidIn = Date.now() - sentAt;
    t.diagnostic(`honest recipients paid ${paidIn} ms after the transfers were mined`);
    assert.ok(paidIn <= 60_000, `the honest recipients were paid in ${paidIn} ms`);

    const ids = await until("all 80 transfers seen", async () => {
      const found = (await Promise.all(txs.map((t) => relayers[0]!.transfers.idsBySourceTx(t)))).flat();
      return found.length === txs.length && found;
    });
    await until("all 80 completed", async () => (await statuses(ids)).every((s) => s === "completed"), 120_000);
    // Refused payouts wait for the contract to claim them; every honest one paid once, exactly.
    assert.equal(await chains.bttc.gateway.getFunction("claimable")(hostageAddress), parseEther("0.5") * BigInt(EACH));
    assert.equal(await chains.bttc.provider.getBalance(hostageAddress), 0n);
    for (const [i, r] of honest.entries()) assert.equal(await chains.bttc.provider.getBalance(r), amount(i));

    // The delivery transactions' gas, per transfer delivered.
    const deliveries = new Set<string>();
    for (const id of ids) {
      const record = await relayers[0]!.transfers.get(id);
      const done = record!.timeline.findLast((e) => e.status === "completed");
      if (done?.txHash) deliveries.add(done.txHash);
    }
    let gas = 0n;
    for (const hash of deliveries) gas += (await chains.bttc.provider.getTransactionReceipt(hash))!.gasUsed;
    const perTransfer = gas / BigInt(ids.length);
    t.diagnostic(`${deliveries.size} delivery transactions, ${gas} gas, ${perTransfer} gas per transfer`);
    assert.ok(perTransfer < 100_000n, `${perTransfer} gas per transfer (${deliveries.size} transactions, ${gas} gas)`);
  });
});
