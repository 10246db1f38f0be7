// Three relayer nodes (threshold 2) between three real `hardhat node` chains and real Redis, as a user
// sees it: every flow lands exactly once with exact balances — BTTC→Ethereum (lock→mint),
// Ethereum→BTTC (burn→release), Ethereum→BSC (burn→mint), legacy BTTOLD on BSC → BTT on BTTC at
// 1:1000 — and with one node down the other two still deliver.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Contract, HDNodeWallet, JsonRpcProvider, NonceManager, parseEther, Wallet } from "ethers";
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
const CHAINS = { bttc: CHAIN_IDS.bttc, ethereum: CHAIN_IDS.ethereum, bsc: CHAIN_IDS.bsc } as const;
type Name = keyof typeof CHAINS;
const NAMES = Object.keys(CHAINS) as Name[];

describe("three relayer nodes, threshold 2", () => {
  const chains = {} as Record<Name, { node: HardhatNode; provider: JsonRpcProvider; gateway: Contract; legacy?: Contract; start: bigint }>;
  const relayers: RelayerNode[] = [];
  const validators = validatorWallets(3);
  let redis: TestRedis;
  let miner: NodeJS.Timeout;
  const user = account(6);

  before(async () => {
    redis = await connectTestRedis("e2e");
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
        ...(name === "bsc" ? { legacyToken: { mockDecimals: 6 } } : {}),
        ...(name === "bttc" ? { reserve: parseEther("1000") } : {}),
      })),
    });
    for (const name of NAMES) {
      const d = deployed.get(name)!;
      chains[name].gateway = d.gateway;
      if (d.legacyToken) chains[name].legacy = d.legacyToken;
      chains[name].start = BigInt(await chains[name].provider.getBlockNumber());
    }
    // Fund the user with legacy BTTOLD on BSC (the mock's owner mints).
    await (await chains.bsc.legacy!.getFunction("mint")(user.address, 1_000_000n)).wait();

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
    // The chains keep making blocks, so that transfers and deliveries become final.
    miner = setInterval(() => {
      for (const name of NAMES) void chains[name].provider.send("evm_mine", []).catch(() => undefined);
    }, 200);
  });

  after(async () => {
    clearInterval(miner);
    for (const relayer of relayers) await relayer.stop();
    await redis?.cleanup();
    for (const name of NAMES) chains[name]?.provider.destroy();
    await Promise.all(NAMES.map((name) => chains[name]?.node.stop()));
  });

  function as(name: Name, signer: Wallet | HDNodeWallet): Contract {
    return chains[name].gateway.connect(new NonceManager(signer.connect(chains[name].provider))) as Contract;
  }

  async function completed(txHash: string, relayer = relayers[1]!): Promise<string> {
    const [id] = await until("the transfer to be seen", async () => {
      const ids = await relayer.transfers.idsBySourceTx(txHash);
      return ids.length > 0 && ids;
    });
    await until(`transfer ${id} completed`, async () => (await relayer.transfers.statusOf(id!)) === "completed", 60_000);
    return id!;
  }

  it("BTTC→Ethereum, Ethereum→BTTC, Ethereum→BSC and a BSC BTTOLD swap, each exactly once", async () => {
    const ethHolder = Wallet.createRandom();
    const lock = await (
      await as("bttc", user).getFunction("bridge")(CHAINS.ethereum, ethHolder.address, { value: parseEther("10") })
    ).wait();
    await completed(lock.hash as string);
    assert.equal(await chains.ethereum.gateway.getFunction("balanceOf")(ethHolder.address), parseEther("10"));

    // The holder needs gas on Ethereum to burn.
    await (
      await new NonceManager(account(7).connect(chains.ethereum.provider)).sendTransaction({
        to: ethHolder.address,
        value: parseEther("1"),
      })
    ).wait();
    const bttcRecipient = Wallet.createRandom().address;
    const back = await (await as("ethereum", ethHolder).getFunction("bridge")(CHAINS.bttc, bttcRecipient, parseEther("3"))).wait();
    const bscRecipient = Wallet.createRandom().address;
    const across = await (await as("ethereum", ethHolder).getFunction("bridge")(CHAINS.bsc, bscRecipient, parseEther("2"))).wait();

    const swapRecipient = Wallet.createRandom().address;
    const legacy = chains.bsc.legacy!.connect(new NonceManager(user.connect(chains.bsc.provider))) as Contract;
    await (await legacy.getFunction("approve")(chains.bsc.gateway.target, 7n)).wait();
    const swap = await (await as("bsc", user).getFunction("redenominate")(swapRecipient, 7n)).wait();

    await Promise.all([completed(back.hash as string), completed(across.hash as string), completed(swap.hash as string)]);
    assert.equal(await chains.bttc.provider.getBalance(bttcRecipient), parseEther("3"));
    assert.equal(await chains.bsc.gateway.getFunction("balanceOf")(bscRecipient), parseEther("2"));
    assert.equal(await chains.bttc.provider.getBalance(swapRecipient), 7n * 10n ** 15n);
    assert.equal(await chains.ethereum.gateway.getFunction("totalSupply")(), parseEther("5"));
    assert.equal(await chains.bsc.gateway.getFunction("totalSupply")(), parseEther("2"));
    const [locked, , reservePaid] = await chains.bttc.gateway.getFunction("accounting")();
    assert.equal(locked, parseEther("7")); // = 5 on Ethereum + 2 on BSC, nothing in flight
    assert.equal(reservePaid, 7n * 10n ** 15n);
  });

  it("delivers with one node down", async () => {
    await relayers[0]!.stop(); // n1, whatever routes it was designated for
    const recipients = Array.from({ length: 3 }, () => Wallet.createRandom().address);
    const txs = [];
    for (const r of recipients) {
      txs.push(
        (await (await as("bttc", user).getFunction("bridge")(CHAINS.ethereum, r, { value: parseEther("1") })).wait()).hash as string,
      );
    }
    for (const tx of txs) await completed(tx, relayers[2]);
    for (const r of recipients) assert.equal(await chains.ethereum.gateway.getFunction("balanceOf")(r), parseEther("1"));
  });
});
