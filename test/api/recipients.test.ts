// Guard rails on a recipient, against real chains: a gateway or a BTTOLD token contract is refused
// before anything is built (RECIPIENT_IS_BRIDGE_CONTRACT), another contract is warned about, an EOA is not.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Wallet, parseEther, type JsonRpcProvider } from "ethers";
import { Redis } from "ioredis";
import { buildApi } from "../../api/server.ts";
import type { App } from "../../api/context.ts";
import type { EvmChain } from "../../api/chains/evm-chain.ts";
import type { ChainRegistry } from "../../api/chains/registry.ts";
import { RecipientGuard } from "../../api/recipients.ts";
import { startApiWorld, type ApiWorld } from "../../testkit/api-world.ts";
import { devAccount } from "../../testkit/relayer-cluster.ts";
import { testRedisUrl } from "../../testkit/redis.ts";

interface Answer {
  error?: { code: string; message: string };
  steps?: { action: string }[];
  warnings?: { code: string; message: string }[];
}

/** Init code of a contract whose runtime code is one STOP byte: a contract, and nothing else. */
const STOP_CONTRACT = "0x6001600c60003960016000f300";

async function deployContract(provider: JsonRpcProvider, deployer: number): Promise<string> {
  const receipt = await (await devAccount(deployer).connect(provider).sendTransaction({ data: STOP_CONTRACT })).wait();
  return receipt!.contractAddress!;
}

describe("recipient guard rails", { timeout: 180_000 }, () => {
  let world: ApiWorld;
  let app: App;
  let redis: Redis;
  const user = devAccount(5);

  before(async () => {
    world = await startApiWorld("api-recipients");
    redis = new Redis(testRedisUrl());
    app = await buildApi(world.config, { redis });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    redis?.disconnect();
    await world?.stop();
  });

  async function post(url: string, payload: Record<string, unknown>): Promise<{ status: number; body: Answer }> {
    const res = await app.inject({ method: "POST", url, payload });
    return { status: res.statusCode, body: res.json() };
  }

  const address = (c: { target: unknown }) => c.target as string;
  const bridge = (recipient: string) =>
    post("/v1/bridge", { from: "bttc", to: "ethereum", amount: parseEther("1").toString(), sender: user.address, recipient });
  const evmSwap = (recipient: string) => post("/v1/swaps", { from: "ethereum", amount: "1000000", sender: user.address, recipient });
  const tronSwap = (recipient: string) =>
    post("/v1/swaps", { from: "tron", amount: "3000000", sender: world.tron.accounts[2]!.base58, recipient });

  async function refused(answer: Promise<{ status: number; body: Answer }>, recipient: string, what: RegExp): Promise<void> {
    const { status, body } = await answer;
    assert.equal(status, 422, JSON.stringify(body));
    assert.equal(body.error?.code, "RECIPIENT_IS_BRIDGE_CONTRACT");
    assert.equal(body.steps, undefined);
    assert.ok(body.error.message.includes(recipient), body.error.message);
    assert.match(body.error.message, what);
    assert.match(body.error.message, /your own wallet address/);
  }

  // The world's gateways and mocks come from one deployer on every chain, so some addresses are two
  // things at once (a gateway here, a token there): each case asserts the role it is about.
  it("refuses the destination's gateway, another chain's gateway and a BTTOLD token as a bridge recipient", async () => {
    const c = world.chains;
    const toBttc = (recipient: string) =>
      post("/v1/bridge", { from: "ethereum", to: "bttc", amount: parseEther("1").toString(), sender: user.address, recipient });
    await refused(
      bridge(address(c.ethereum.gateway)),
      address(c.ethereum.gateway),
      /bridged BTT token itself\) on ethereum, the destination/,
    );
    await refused(toBttc(address(c.bttc.gateway)), address(c.bttc.gateway), /the bridge gateway on bttc, the destination/);
    await refused(
      toBttc(address(c.ethereum.gateway)),
      address(c.ethereum.gateway),
      /^recipient \S+ is the bridge gateway \(the bridged BTT token itself\) on ethereum/,
    );
    await refused(bridge(address(c.bttc.gateway)), address(c.bttc.gateway), /the bridge gateway on bttc/);
    await refused(
      bridge(address(c.ethereum.legacy!)),
      address(c.ethereum.legacy!),
      /legacy BTTOLD token contract on ethereum, the destination/,
    );
    await refused(toBttc(address(c.bsc.legacy!)), address(c.bsc.legacy!), /legacy BTTOLD token contract on bsc/);
    // Any case of the address is the same address.
    await refused(bridge(address(c.bsc.legacy!).toLowerCase()), address(c.bsc.legacy!), /legacy BTTOLD/);
  });

  it("refuses the same as a swap recipient, from an EVM chain and from TRON", async () => {
    const c = world.chains;
    for (const swap of [evmSwap, tronSwap]) {
      await refused(swap(address(c.bttc.gateway)), address(c.bttc.gateway), /the bridge gateway on bttc, the destination/);
      await refused(
        swap(address(c.ethereum.gateway)),
        address(c.ethereum.gateway),
        /^recipient \S+ is the bridge gateway \(the bridged BTT token itself\) on ethereum/,
      );
      await refused(swap(address(c.ethereum.legacy!)), address(c.ethereum.legacy!), /legacy BTTOLD token contract on ethereum/);
    }
  });

  it("warns of another contract on the destination and still builds; an EOA gets no warning", async () => {
    const onEthereum = await deployContract(world.chains.ethereum.provider, 7);
    const onBttc = await deployContract(world.chains.bttc.provider, 8);

    const bridged = await bridge(onEthereum);
    assert.equal(bridged.status, 200, JSON.stringify(bridged.body));
    assert.deepEqual(
      bridged.body.steps!.map((s) => s.action),
      ["bridge"],
    );
    assert.deepEqual(
      bridged.body.warnings!.map((w) => w.code),
      ["RECIPIENT_IS_CONTRACT"],
    );
    assert.match(bridged.body.warnings![0]!.message, new RegExp(`${onEthereum} is a contract on ethereum.*ERC-20.*claimable on BTTC`));

    const swapped = await tronSwap(onBttc);
    assert.equal(swapped.status, 200, JSON.stringify(swapped.body));
    assert.deepEqual(
      swapped.body.steps!.map((s) => s.action),
      ["deposit"],
    );
    assert.match(swapped.body.warnings![0]!.message, /is a contract on bttc: it must be able to receive native BTT/);

    // The contract on Ethereum (another deployer's) has no code on BTTC: no warning there.
    const elsewhere = await tronSwap(onEthereum);
    assert.equal(elsewhere.status, 200, JSON.stringify(elsewhere.body));
    assert.deepEqual(elsewhere.body.warnings, []);

    const eoa = Wallet.createRandom().address;
    for (const answer of [await bridge(eoa), await tronSwap(eoa)]) {
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body.warnings, []);
      assert.equal(answer.body.steps!.length, 1);
    }
  });
});

describe("recipient guard rails when the destination does not answer", () => {
  it("builds without a warning, and logs, when eth_getCode fails", async () => {
    const dst = {
      name: "bttc",
      config: { role: "bttc", gateway: Wallet.createRandom().address },
      provider: { getCode: () => Promise.reject(new Error("connection refused")) },
      read: <T>(_what: string, fn: () => Promise<T>) => fn(),
      legacyToken: () => Promise.reject(new Error("connection refused")),
    } as unknown as EvmChain;
    const logged: string[] = [];
    const guard = new RecipientGuard({ evmChains: () => [dst] } as unknown as ChainRegistry, (m) => logged.push(m));
    const recipient = Wallet.createRandom().address;
    assert.deepEqual(await guard.check(dst, recipient), []);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, new RegExp(`bttc: recipient ${recipient} not checked for code \\(connection refused\\)`));
  });
});
