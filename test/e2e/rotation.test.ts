// Validator-set rotation end to end (docs/operations.md, "Rotating validators"): four relayer nodes
// between three real `hardhat node` chains and real Redis, the gateways' set n1, n2, n3 (threshold 2),
// n4 configured as everyone's peer but outside the set. While transfers flow on every route, n3 is
// rotated out and n4 in (2 of 3) with `bttb validators propose | approve | submit` on all three
// gateways. Every transfer sent before, during and after is delivered exactly once, with exact
// balances; one signed by the old set while its destination was paused (so never delivered) is
// delivered after the rotation by the new set; n3 says in /health and in its refusals that it is out.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Contract, HDNodeWallet, JsonRpcProvider, NonceManager, Wallet, keccak256, parseEther, toUtf8Bytes } from "ethers";
import { deployNetwork } from "../../deploy/network.ts";
import { run } from "../../cli/bttb.ts";
import { createEvmProvider } from "../../common/rpc/evm-provider.ts";
import { decodeDelivery, recoverBatchSigners } from "../../common/contracts/delivery-calldata.ts";
import { executeCall, operationSalt, scheduleCall } from "../../common/timelock.ts";
import { gatewayDomain, orderBySigner, signBatch, type Transfer } from "../../common/transfer.ts";
import { readValidatorSet } from "../../common/validators/gateway-set.ts";
import { requestFor, toWire } from "../../relayer/attest/request.ts";
import { RelayerNode } from "../../relayer/node.ts";
import { startHardhatNode, type HardhatNode } from "../../testkit/hardhat-node.ts";
import { startRelayerTrio } from "../../testkit/relayer-trio.ts";
import { connectTestRedis, type TestRedis } from "../../testkit/redis.ts";
import { validatorWallets } from "../../testkit/world.ts";
import { sleep, until } from "../../testkit/wait.ts";
import { CHAIN_IDS, DEV_KEYS, DEVNET_MNEMONIC } from "../../testkit/constants.ts";

const account = (i: number) => HDNodeWallet.fromPhrase(DEVNET_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
const CHAINS = { bttc: CHAIN_IDS.bttc, ethereum: CHAIN_IDS.ethereum, bsc: CHAIN_IDS.bsc } as const;
type Name = keyof typeof CHAINS;
const NAMES = Object.keys(CHAINS) as Name[];
const TOKEN = "rotation-test-operator-token-0123456789";
/** Who submits the update: any funded account (the signatures authorise it, not the sender). */
const SUBMITTER = 8;

interface Sent {
  from: Name;
  to: Name;
  recipient: string;
  amount: bigint;
  txHash: string;
}

describe("validator-set rotation: n3 out, n4 in, while transfers flow", { timeout: 600_000 }, () => {
  const chains = {} as Record<Name, { node: HardhatNode; provider: JsonRpcProvider; gateway: Contract; timelock: Contract; start: bigint }>;
  const relayers: RelayerNode[] = [];
  const validators = validatorWallets(3); // n1, n2, n3, ascending
  const n4 = new Wallet(keccak256(toUtf8Bytes("rotation-test-n4")));
  const user = account(6);
  const sent: Sent[] = [];
  let redis: TestRedis;
  let miner: NodeJS.Timeout;
  let dir: string;
  let devnetFile: string;
  const url = (i: number) => `http://127.0.0.1:${relayers[i]!.config.http.port}`;

  before(async () => {
    redis = await connectTestRedis("rotation");
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
    for (const name of NAMES) {
      const d = deployed.get(name)!;
      chains[name].gateway = d.gateway;
      chains[name].timelock = d.timelock;
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
        [...validators, n4],
        redis.prefix,
        { nodes: 4, operatorToken: TOKEN, validatorSetPollMs: 300 },
      )),
    );
    miner = setInterval(() => {
      for (const name of NAMES) void chains[name].provider.send("evm_mine", []).catch(() => undefined);
    }, 200);

    // What the CLI reads on a devnet, written for these chains and nodes.
    dir = mkdtempSync(join(tmpdir(), "bttb-rotation-"));
    devnetFile = join(dir, "devnet.json");
    writeFileSync(
      devnetFile,
      JSON.stringify({
        api: { url: "http://127.0.0.1:9" },
        chains: Object.fromEntries(
          NAMES.map((name) => [
            name,
            { family: "evm", chainId: CHAINS[name].toString(), rpcUrl: chains[name].node.url, gateway: chains[name].gateway.target },
          ]),
        ),
        accounts: [{ index: SUBMITTER, address: account(SUBMITTER).address, tronAddress: "", privateKey: DEV_KEYS[SUBMITTER] }],
        relayers: relayers.map((r, i) => ({ id: r.config.id, url: url(i), config: "" })),
      }),
    );
  });

  after(async () => {
    clearInterval(miner);
    for (const relayer of relayers) await relayer.stop();
    await redis?.cleanup();
    for (const name of NAMES) chains[name]?.provider.destroy();
    await Promise.all(NAMES.map((name) => chains[name]?.node.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const senders = {} as Record<Name, NonceManager>;
  function as(name: Name): Contract {
    senders[name] ??= new NonceManager(user.connect(chains[name].provider));
    return chains[name].gateway.connect(senders[name]) as Contract;
  }

  async function send(from: Name, to: Name, amount: bigint, recipient = Wallet.createRandom().address): Promise<Sent> {
    const tx =
      from === "bttc"
        ? await as(from).getFunction("bridge")(CHAINS[to], recipient, { value: amount })
        : await as(from).getFunction("bridge")(CHAINS[to], recipient, amount);
    const receipt = await tx.wait();
    const s = { from, to, recipient, amount, txHash: receipt.hash as string };
    sent.push(s);
    return s;
  }

  async function idOf(txHash: string, relayer = relayers[0]!): Promise<string> {
    const [id] = await until("the transfer to be seen", async () => {
      const ids = await relayer.transfers.idsBySourceTx(txHash);
      return ids.length > 0 && ids;
    });
    return id!;
  }

  async function received(s: Sent): Promise<bigint> {
    return s.to === "bttc" ? chains.bttc.provider.getBalance(s.recipient) : chains[s.to].gateway.getFunction("balanceOf")(s.recipient);
  }

  /** `bttb <args> --devnet <file>`: its exit code and what it printed. */
  async function bttb(...args: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const code = await run([...args, "--devnet", devnetFile], {}, (line) => lines.push(line));
    return { code, out: lines.join("\n") };
  }

  async function health(i: number): Promise<{ validatorSets: Record<string, { epoch: string; member: boolean; threshold: number }> }> {
    return (await (await fetch(`${url(i)}/health`)).json()) as {
      validatorSets: Record<string, { epoch: string; member: boolean; threshold: number }>;
    };
  }

  it("rotates n3 out and n4 in on every gateway through bttb, and delivers every transfer exactly once", async () => {
    // n4 is a peer of everyone but outside the set: it says so, and is not asked.
    const before4 = await until("n4 to read the sets", async () => {
      const h = await health(3);
      return NAMES.every((n) => h.validatorSets[n]) && h;
    });
    for (const n of NAMES) assert.deepEqual(before4.validatorSets[n], { epoch: "0", threshold: 2, validators: 3, member: false });

    // BTT on Ethereum for the user, so that transfers leave every chain.
    const seed = await send("bttc", "ethereum", parseEther("100"), user.address);
    sent.pop(); // the user's own, checked apart
    await until("the seed delivered", async () => (await relayers[0]!.transfers.statusOf(await idOf(seed.txHash))) === "completed", 60_000);

    // Transfers flow on every route, before, during and after the rotation.
    let flowing = true;
    let ethereumPaused = false; // a paused gateway takes no outbound transfer either
    const routes: [Name, Name][] = [
      ["bttc", "ethereum"],
      ["ethereum", "bsc"],
      ["bttc", "bsc"],
      ["ethereum", "bttc"],
    ];
    const flowErrors: unknown[] = [];
    const flow = (async () => {
      for (let i = 0; flowing && flowErrors.length === 0; i++) {
        const [from, to] = routes[i % routes.length]!;
        if (from === "ethereum" && ethereumPaused) continue;
        await send(from, to, parseEther("1") + BigInt(i)).catch((error: unknown) => flowErrors.push(error));
        await sleep(250);
      }
    })();
    await sleep(4_000);

    // A transfer the old set signs but cannot deliver: Ethereum's gateway is paused meanwhile.
    ethereumPaused = true;
    await sleep(1_000); // a send from Ethereum under way ends first
    await (await chains.ethereum.gateway.getFunction("pause")()).wait();
    const held = await send("bttc", "ethereum", parseEther("7"));
    const heldId = await idOf(held.txHash);
    await until(
      "the held transfer attested by the old set, its delivery refused",
      async () => {
        const record = await relayers[0]!.transfers.get(heldId);
        const designated = await Promise.all(relayers.map((r) => r.transfers.get(heldId)));
        return designated.some((r) => r?.timeline.some((e) => e.status === "attested") && r.status === "delayed") && record;
      },
      60_000,
    );
    const heldTransfer: Transfer = (await relayers[0]!.transfers.get(heldId))!.observed.transfer;
    const domain = gatewayDomain(CHAINS.ethereum, chains.ethereum.gateway.target as string);
    // What the old set could sign for it (n1 with n3): valid now, refused after the rotation.
    const oldSignatures = orderBySigner(
      await Promise.all([validators[0]!, validators[2]!].map((v) => signBatch(v, domain, [heldTransfer]))),
    );

    // The rotation, through the CLI: propose, approve by n1 and n2 (2 of the current 3), submit.
    const proposalFile = join(dir, "proposal.json");
    const propose = await bttb(
      "validators",
      "propose",
      "--replace",
      `${validators[2]!.address}=${n4.address}`,
      "--deadline",
      "1h",
      "--out",
      proposalFile,
    );
    assert.equal(propose.code, 0, propose.out);
    const proposal = JSON.parse(readFileSync(proposalFile, "utf8")) as {
      validators: string[];
      threshold: number;
      gateways: { epoch: string }[];
    };
    assert.deepEqual(new Set(proposal.validators), new Set([validators[0]!.address, validators[1]!.address, n4.address]));
    assert.equal(proposal.threshold, 2);
    assert.deepEqual(
      proposal.gateways.map((g) => g.epoch),
      ["1", "1", "1"],
    );

    // Not enough approvals yet: nothing moves.
    const early = await bttb("validators", "approve", "--proposal", proposalFile, "--node", url(0), "--token", TOKEN);
    assert.equal(early.code, 0, early.out);
    await assert.rejects(
      bttb("validators", "submit", "--proposal", proposalFile, "--account", String(SUBMITTER), "--timeout", "5s"),
      /SUBMISSION|not moved/i,
    );
    for (const n of NAMES) assert.equal((await readValidatorSet(chains[n].provider, chains[n].gateway.target as string)).epoch, 0n);

    const again = await bttb("validators", "approve", "--proposal", proposalFile, "--node", url(0), "--token", TOKEN);
    assert.match(again.out, /had approved already/);
    const second = await bttb("validators", "approve", "--proposal", proposalFile, "--node", url(1), "--token", TOKEN);
    assert.equal(second.code, 0, second.out);
    const approvals = (JSON.parse(readFileSync(proposalFile, "utf8")) as { approvals: unknown[] }).approvals;
    assert.equal(approvals.length, 6, "two approvals per gateway, none twice");

    const submitted = await bttb("validators", "submit", "--proposal", proposalFile, "--account", String(SUBMITTER));
    assert.equal(submitted.code, 0, submitted.out);
    assert.match(submitted.out, /bttc\s+moved to epoch 1/);
    for (const n of NAMES) {
      const set = await readValidatorSet(chains[n].provider, chains[n].gateway.target as string);
      assert.equal(set.epoch, 1n);
      assert.deepEqual(new Set(set.validators), new Set([validators[0]!.address, validators[1]!.address, n4.address]));
    }
    // Submitting again changes nothing and says so.
    const resubmitted = await bttb("validators", "submit", "--proposal", proposalFile, "--account", String(SUBMITTER));
    assert.equal(resubmitted.code, 0);
    assert.equal(resubmitted.out.match(/already at epoch 1/g)?.length, 3, resubmitted.out);

    // The old attestation is worthless now; the held transfer is delivered once the gateway reopens.
    await assert.rejects(
      chains.ethereum.gateway
        .getFunction("deliver")
        .staticCall(
          heldTransfer.srcChainId,
          heldTransfer.srcGateway,
          [heldTransfer.srcRef, heldTransfer.kind, heldTransfer.recipient, heldTransfer.amount],
          oldSignatures,
        ),
      /NotAValidator|GatewayPaused/,
    );
    const unpause = {
      target: chains.ethereum.gateway.target as string,
      data: chains.ethereum.gateway.interface.encodeFunctionData("unpause"),
    };
    await scheduleCall(chains.ethereum.timelock, unpause, operationSalt("rotation-unpause"));
    await executeCall(chains.ethereum.timelock, unpause, operationSalt("rotation-unpause"));
    ethereumPaused = false;

    // n3 knows it is out: /health, its metric, and its refusal to co-sign.
    const h3 = await until("n3 to see it is out of every set", async () => {
      const h = await health(2);
      return NAMES.every((n) => h.validatorSets[n]?.epoch === "1" && !h.validatorSets[n].member) && h;
    });
    assert.equal(h3.validatorSets.ethereum!.threshold, 2);
    const metrics = await (await fetch(`${url(2)}/metrics`)).text();
    assert.match(metrics, /bttb_validator_member\{chain="ethereum"\} 0/);
    const refusal = await fetch(`${url(2)}/v1/attestations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(toWire(requestFor(chains.ethereum.gateway.target as string, [heldTransfer]))),
    });
    assert.equal(refusal.status, 409);
    assert.equal(((await refusal.json()) as { error: { reason: string } }).error.reason, "NOT_A_VALIDATOR");
    await until("n4 to see it is in every set", async () => {
      const h = await health(3);
      return NAMES.every((n) => h.validatorSets[n]?.member === true);
    });

    await sleep(4_000); // more transfers, under the new set
    flowing = false;
    await flow;
    assert.deepEqual(flowErrors, [], "every transfer of the flow was sent");

    // Every transfer delivered, exactly once, with exact amounts.
    const all = [...sent];
    const ids = await Promise.all(all.map((s) => idOf(s.txHash)));
    await until(
      `all ${all.length} transfers completed`,
      async () => (await Promise.all(ids.map((id) => relayers[0]!.transfers.statusOf(id)))).every((s) => s === "completed"),
      180_000,
      500,
    );
    for (const s of all) assert.equal(await received(s), s.amount, `${s.from}→${s.to} ${s.txHash}`);
    const delivered = new Map<string, number>();
    const deliveryTx = new Map<string, string>();
    for (const n of NAMES) {
      const events = (await chains[n].gateway.queryFilter(chains[n].gateway.filters.TransfersDelivered!(), 0)) as unknown as {
        transactionHash: string;
        args: { transferIds: string[] };
      }[];
      for (const e of events) {
        for (const id of e.args.transferIds) {
          delivered.set(id, (delivered.get(id) ?? 0) + 1);
          deliveryTx.set(id, e.transactionHash);
        }
      }
    }
    for (const [i, s] of all.entries()) {
      assert.equal(delivered.get(ids[i]!), 1, `delivered once: ${s.from}→${s.to} ${ids[i]}`);
      const src = (await relayers[0]!.transfers.get(ids[i]!))!.observed.transfer;
      assert.equal(await chains[s.to].gateway.getFunction("isDelivered")(src.srcChainId, src.srcGateway, src.srcRef), true);
    }
    assert.ok(all.length >= 20, `only ${all.length} transfers flowed`);
    assert.equal(await received(held), parseEther("7"), "the transfer the old set signed is delivered by the new one");
    // ... with signatures of the new set only.
    const deliveredBy = deliveryTx.get(heldId)!;
    const tx = (await chains.ethereum.provider.getTransaction(deliveredBy))!;
    const decoded = decodeDelivery(tx.data, CHAINS.ethereum)!;
    const signers = recoverBatchSigners(CHAINS.ethereum, tx.to!, decoded.transfers, decoded.signatures);
    assert.equal(signers.length, 2);
    for (const signer of signers) assert.ok([validators[0]!.address, validators[1]!.address, n4.address].includes(signer), signer);
  });
});
