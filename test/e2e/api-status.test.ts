// Three relayer nodes (threshold 2) and the API following n1, over real `hardhat node` chains making a
// block a second (as the devnet does) and real Redis: (a) a transfer n1 cannot deliver (its payer has no
// gas on the destination) is delivered by n2 or n3, and the API reports it `completed`, with the
// delivery's transaction, `attested` (k of M, signers) and `submitted` in its timeline, within 3 s of the
// delivery block's finality — the lag is measured; (b) with every node stopped right after attesting a
// transfer (none has gas on the destination), a plain wallet sends the API's `/delivery` transaction and
// the API shows the transfer `completed`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Contract, HDNodeWallet, JsonRpcProvider, NonceManager, Wallet, parseEther, toQuantity } from "ethers";
import { Redis } from "ioredis";
import { pino } from "pino";
import type { App } from "../../api/context.ts";
import { parseApiConfig } from "../../api/config.ts";
import { buildApi } from "../../api/server.ts";
import { createEvmProvider } from "../../common/rpc/evm-provider.ts";
import { deployNetwork } from "../../deploy/network.ts";
import type { RelayerNode } from "../../relayer/node.ts";
import { startHardhatNode, type HardhatNode } from "../../testkit/hardhat-node.ts";
import { startRelayerTrio } from "../../testkit/relayer-trio.ts";
import { connectTestRedis, testRedisUrl, type TestRedis } from "../../testkit/redis.ts";
import { validatorWallets } from "../../testkit/world.ts";
import { sleep, until } from "../../testkit/wait.ts";
import { CHAIN_IDS, DEV_KEYS, DEVNET_MNEMONIC } from "../../testkit/constants.ts";

const account = (i: number) => HDNodeWallet.fromPhrase(DEVNET_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
const CHAINS = { bttc: CHAIN_IDS.bttc, ethereum: CHAIN_IDS.ethereum } as const;
type Name = keyof typeof CHAINS;
const NAMES = Object.keys(CHAINS) as Name[];
/** The devnet's block time. */
const BLOCK_MS = 1_000;
/** The relayer nodes' payers (testkit/relayer-trio: development accounts 1, 2, 3). */
const PAYERS = [1, 2, 3].map((i) => new Wallet(DEV_KEYS[i]!).address);

interface View {
  id: string;
  status: string;
  timeline: { status: string; at: string; txHash: string | null; detail: string | null }[];
  attestation: { signatures: number; threshold: number | null; validators: number | null; signers: string[] } | null;
  delivery: { txHash: string; blockNumber: string | null; final: boolean } | null;
  waiting: { reason: string; actions: string[] } | null;
}

describe("the API's status across three relayer nodes, and delivering it yourself", { timeout: 300_000 }, () => {
  const chains = {} as Record<Name, { node: HardhatNode; provider: JsonRpcProvider; gateway: Contract; start: bigint }>;
  const validators = validatorWallets(3);
  let relayers: RelayerNode[] = [];
  let redis: TestRedis;
  let client: Redis;
  let app: App;
  let miner: NodeJS.Timeout | undefined;
  const user = account(6);

  before(async () => {
    redis = await connectTestRedis("e2e-api-status");
    for (const name of NAMES) {
      const node = await startHardhatNode({ chainId: CHAINS[name] });
      chains[name] = { node, provider: createEvmProvider({ name, chainId: CHAINS[name], rpcUrl: node.url }) } as (typeof chains)[Name];
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
        ...(name === "bttc" ? { reserve: parseEther("100") } : {}),
      })),
    });
    for (const name of NAMES) {
      chains[name].gateway = deployed.get(name)!.gateway;
      chains[name].start = BigInt(await chains[name].provider.getBlockNumber());
    }
    relayers = await startRelayerTrio(
      NAMES.map((name) => ({
        name,
        chainId: CHAINS[name],
        rpcUrl: chains[name].node.url,
        gateway: chains[name].gateway,
        start: chains[name].start,
      })),
      validators,
      redis.prefix,
    );
    client = new Redis(testRedisUrl());
    const config = parseApiConfig({
      port: 0,
      redisUrl: testRedisUrl(),
      keyPrefix: `${redis.prefix}n1:`,
      chains: NAMES.map((name) => ({
        name,
        family: "evm",
        role: name === "bttc" ? "bttc" : "remote",
        chainId: CHAINS[name].toString(),
        rpcUrl: chains[name].node.url,
        gateway: chains[name].gateway.target as string,
        finality: { confirmations: 2 },
        blockTimeMs: BLOCK_MS,
      })),
      chainCacheMs: 0,
    });
    app = await buildApi(config, { redis: client, logger: pino({ level: "silent" }) });
    await app.ready();
    // A block a second on each chain, as on the devnet.
    miner = setInterval(() => {
      for (const name of NAMES) void chains[name].provider.send("evm_mine", []).catch(() => undefined);
    }, BLOCK_MS);
  });

  after(async () => {
    clearInterval(miner);
    await app?.close();
    client?.disconnect();
    for (const relayer of relayers) await relayer.stop();
    await redis?.cleanup();
    for (const name of NAMES) chains[name]?.provider.destroy();
    await Promise.all(NAMES.map((name) => chains[name]?.node.stop()));
  });

  async function view(id: string): Promise<View> {
    const res = await app.inject({ method: "GET", url: `/v1/transfers/${id}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<View>();
  }

  /**
   * Polls (every 20 ms) the chain's head and the API until the API says `completed`: how long after the
   * delivery's block became final (two blocks on) it did, and n1's record did, if it still runs.
   */
  async function completion(id: string, deliveredIn: number): Promise<{ lag: number; recordLag: number | null; view: View }> {
    const finalBlock = deliveredIn + 2;
    let finalAt: number | null = null;
    let completedAt: number | null = null;
    let recordCompletedAt: number | null = null;
    let done: View | null = null;
    const deadline = Date.now() + 30_000;
    // The head alone, as fast as it answers: when the block became final.
    const watching = (async () => {
      while (finalAt === null && Date.now() < deadline) {
        if ((await chains.ethereum.provider.getBlockNumber()) >= finalBlock) finalAt = Date.now();
        else await sleep(10);
      }
    })();
    while ((completedAt === null || (relayers.length > 0 && recordCompletedAt === null)) && Date.now() < deadline) {
      const [v, record] = await Promise.all([view(id), relayers[0]?.transfers.statusOf(id) ?? null]);
      const now = Date.now();
      if (completedAt === null && v.status === "completed") {
        completedAt = now;
        done = v;
      }
      if (recordCompletedAt === null && record === "completed") recordCompletedAt = now;
      await sleep(20);
    }
    await watching;
    assert.ok(finalAt !== null && completedAt !== null && done, "final, and completed in the API");
    return { lag: completedAt - finalAt, recordLag: recordCompletedAt === null ? null : recordCompletedAt - finalAt, view: done };
  }

  /** Leaves `payer` no gas on Ethereum: that node signs, but its deliveries cannot be sent. */
  async function unfund(payer: string): Promise<void> {
    await chains.ethereum.provider.send("hardhat_setBalance", [payer, toQuantity(0)]);
  }

  /** Locks BTT on BTTC for `recipient` on Ethereum; the transfer's id, once n1 has it. */
  async function bridge(recipient: string, amount: bigint): Promise<string> {
    const gateway = chains.bttc.gateway.connect(new NonceManager(user.connect(chains.bttc.provider))) as Contract;
    const tx = await gateway.getFunction("bridge")(CHAINS.ethereum, recipient, { value: amount });
    await tx.wait();
    const found = await until(
      "the API to know the transfer",
      async () => {
        const res = await app.inject({ method: "GET", url: `/v1/transfers?srcTx=${tx.hash as string}` });
        const page = res.json<{ transfers: View[] }>();
        return page.transfers[0];
      },
      30_000,
    );
    return found.id;
  }

  it("(a) a delivery by n2 or n3 is completed in the API within 3 s of its block's finality, with attested and submitted", async (t) => {
    await unfund(PAYERS[0]!); // n1 cannot send: whoever delivers, it is not n1
    const recipient = Wallet.createRandom().address;
    const amount = parseEther("3");
    const id = await bridge(recipient, amount);

    const submitted = await until(
      "the API to see the delivery",
      async () => {
        const v = await view(id);
        return v.delivery !== null && v;
      },
      60_000,
      50,
    );
    const txHash = submitted.delivery!.txHash;
    const tx = await chains.ethereum.provider.getTransaction(txHash);
    assert.ok(tx && PAYERS.slice(1).includes(tx.from), `delivered by n2 or n3, not n1 (${tx?.from})`);
    const receipt = await chains.ethereum.provider.getTransactionReceipt(txHash);
    const { lag, view: done, recordLag } = await completion(id, receipt!.blockNumber);
    t.diagnostic(
      `completed in the API ${lag} ms after the delivery's block was final` +
        (recordLag === null ? "" : `; in n1's record ${recordLag} ms after`),
    );
    assert.ok(lag <= 3_000, `the API reported completed ${lag} ms after finality`);

    assert.equal(done.delivery?.txHash, txHash);
    assert.equal(done.delivery?.final, true);
    assert.equal(done.delivery?.blockNumber, String(receipt!.blockNumber));
    assert.equal(done.attestation?.signatures, 2);
    assert.equal(done.attestation?.threshold, 2);
    assert.equal(done.attestation?.validators, 3);
    assert.equal(done.attestation?.signers.length, 2);
    for (const s of done.attestation.signers)
      assert.ok(
        validators.some((v) => v.address === s),
        `${s} is a validator`,
      );
    const statuses = done.timeline.map((e) => e.status);
    assert.ok(statuses.includes("attested"), JSON.stringify(statuses));
    assert.ok(
      done.timeline.some((e) => e.status === "submitted" && e.txHash === txHash),
      JSON.stringify(done.timeline),
    );
    assert.equal(done.timeline.at(-1)!.status, "completed");
    assert.equal(await chains.ethereum.gateway.getFunction("balanceOf")(recipient), amount);
  });

  it("(b) every node stopped right after attesting: a plain wallet sends the /delivery transaction, and it shows completed", async (t) => {
    for (const payer of PAYERS) await unfund(payer); // attested, never sent
    const recipient = Wallet.createRandom().address;
    const amount = parseEther("2");
    const id = await bridge(recipient, amount);
    await until(
      "n1 to have attested it and kept the signatures",
      async () => {
        const record = await relayers[0]!.transfers.get(id);
        if (!record?.timeline.some((e) => e.status === "attested")) return false;
        const res = await app.inject({ method: "GET", url: `/v1/transfers/${id}/delivery` });
        return res.statusCode === 200;
      },
      60_000,
      50,
    );
    for (const relayer of relayers) await relayer.stop();
    relayers = [];
    assert.equal(await chains.ethereum.gateway.getFunction("balanceOf")(recipient), 0n, "no node delivered it");

    const waiting = await view(id);
    assert.notEqual(waiting.status, "completed");
    assert.ok(waiting.waiting?.actions.includes("deliver_yourself"), JSON.stringify(waiting.waiting));
    const res = await app.inject({ method: "GET", url: `/v1/transfers/${id}/delivery` });
    assert.equal(res.statusCode, 200, res.body);
    const { transaction, signers, threshold } = res.json<{
      transaction: { chainId: string; to: string; data: string; value: string };
      signers: string[];
      threshold: number;
    }>();
    assert.equal(signers.length, threshold);

    const wallet = Wallet.createRandom().connect(chains.ethereum.provider);
    await (
      await account(8)
        .connect(chains.ethereum.provider)
        .sendTransaction({ to: wallet.address, value: parseEther("1") })
    ).wait();
    const sent = await wallet.sendTransaction({ to: transaction.to, data: transaction.data, value: BigInt(transaction.value) });
    assert.equal((await sent.wait())?.status, 1);
    assert.equal(await chains.ethereum.gateway.getFunction("balanceOf")(recipient), amount);

    // No node runs: what the API says now it read from the chain alone.
    const { lag, view: done } = await completion(id, (await sent.wait())!.blockNumber);
    t.diagnostic(`completed in the API ${lag} ms after the delivery's block was final (no relayer node running)`);
    assert.ok(lag <= 3_000, `the API reported completed ${lag} ms after finality`);
    assert.equal(done.delivery?.txHash, sent.hash);
    assert.equal(done.delivery?.final, true);
    assert.ok(done.timeline.some((e) => e.status === "completed" && e.txHash === sent.hash));
    assert.equal(done.waiting, null);
  });
});
