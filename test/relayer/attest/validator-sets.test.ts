// Signing follows the destination's validator set, on a real (in-process) chain whose gateway is rotated
// with real signatures, and real co-signers over HTTP on real Redis: a peer listed in advance but
// outside the set is not asked; once the set holds it, it is asked and its signature counts; a node
// rotated out neither proposes (NotAValidatorError) nor co-signs (NOT_A_VALIDATOR), and its set shows
// `member: false`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { parseEther, type Wallet } from "ethers";
import { readValidatorEpoch, readValidatorSet } from "../../../common/validators/gateway-set.ts";
import { signValidatorSetUpdate } from "../../../common/validators/set-update.ts";
import { sortValidators } from "../../../common/validators/validator-set.ts";
import { addressToBytes32, sequenceToRef, transferId, TransferKind, type Transfer } from "../../../common/transfer.ts";
import { pino } from "pino";
import type { DestinationChain, ObservedTransfer } from "../../../relayer/chains/adapter.ts";
import { WalletAttestationSigner } from "../../../relayer/attest/attestation-signer.ts";
import { NotAValidatorError, ThresholdBatchSigner } from "../../../relayer/attest/batch-signer.ts";
import { CoSigner } from "../../../relayer/attest/cosigner.ts";
import { requestFor } from "../../../relayer/attest/request.ts";
import { ValidatorSets } from "../../../relayer/attest/validator-sets.ts";
import { registerAttestationRoutes } from "../../../relayer/http/attestation-routes.ts";
import { TransferStore } from "../../../relayer/store/transfer-store.ts";
import { connectTestRedis, type TestRedis } from "../../../testkit/redis.ts";
import { createWorld, validatorWallets, type Chain, type World } from "../../../testkit/world.ts";
import { until } from "../../../testkit/wait.ts";

const log = pino({ level: "silent" });

describe("signing follows the destination's validator set", { timeout: 120_000 }, () => {
  let world: World;
  let eth: Chain;
  let redis: TestRedis;
  let destination: DestinationChain;
  const apps: FastifyInstance[] = [];
  const hits = new Map<string, number>();
  // v0: this node; v1, v2: the set's other members; v3: listed as a peer in advance, outside the set.
  let v: Wallet[];
  let v3: Wallet;
  let transfer: Transfer;
  let observed: ObservedTransfer;

  before(async () => {
    world = await createWorld({ validatorCount: 3, threshold: 2 });
    eth = world.chains.ethereum;
    v = world.validators;
    v3 = validatorWallets(1, "rotated-in")[0]!;
    redis = await connectTestRedis("validator-sets");
    const provider = eth.connection.ethers.provider;
    // The destination as a node sees it, reading the real gateway (what EvmDestination.validatorSet does).
    destination = {
      name: "ethereum",
      chainId: eth.chainId,
      gateway: eth.gatewayAddress,
      validatorSet: () => readValidatorSet(provider, eth.gatewayAddress),
      validatorEpoch: () => readValidatorEpoch(provider, eth.gatewayAddress),
      threshold: () => Promise.reject(new Error("the set's threshold is used")),
      isDelivered: () => Promise.resolve(false),
      submit: () => Promise.reject(new Error("not here")),
      finalReceipt: () => Promise.resolve(null),
    };
    transfer = {
      srcChainId: world.chains.bttc.chainId,
      srcGateway: addressToBytes32(world.chains.bttc.gatewayAddress),
      srcRef: sequenceToRef(1n),
      kind: TransferKind.Bridge,
      dstChainId: eth.chainId,
      recipient: "0x000000000000000000000000000000000000bEEF",
      amount: parseEther("3"),
    };
    observed = {
      id: transferId(transfer),
      transfer,
      sender: "0x000000000000000000000000000000000000dEaD",
      fee: 0n,
      sequence: 1n,
      srcTxHash: "0x" + "e".repeat(64),
      blockNumber: 10n,
      blockHash: "0x" + "f".repeat(64),
      logIndex: 0,
    };
  });

  after(async () => {
    for (const app of apps) await app.close();
    await redis?.cleanup();
  });

  /** A co-signer node with key `wallet` that has seen the transfer final and follows the set itself. */
  async function peer(name: string, wallet: Wallet): Promise<{ id: string; url: string; signer: string }> {
    const store = new TransferStore(redis.redis, `${redis.prefix}${name}:`);
    await store.observe(observed, "finalized");
    const sets = new ValidatorSets({
      self: wallet.address,
      nodeId: name,
      peers: [],
      destinations: new Map([[eth.chainId, destination]]),
      maxAgeMs: 0,
    });
    const cosigner = new CoSigner({
      store,
      signer: new WalletAttestationSigner(wallet.privateKey),
      destinations: new Map([[eth.chainId, eth.gatewayAddress]]),
      membership: async () => {
        const set = await sets.current(destination);
        return { member: set.member, epoch: set.epoch };
      },
    });
    const app = Fastify({ logger: false });
    app.addHook("onRequest", (_request, _reply, done) => {
      hits.set(name, (hits.get(name) ?? 0) + 1);
      done();
    });
    registerAttestationRoutes(app, cosigner);
    apps.push(app);
    return { id: name, url: await app.listen({ host: "127.0.0.1", port: 0 }), signer: wallet.address };
  }

  /** Moves the gateway to `validators` (threshold 2), signed by `by` of the current set. */
  async function rotate(validators: string[], by: Wallet[]): Promise<void> {
    const { epoch } = await readValidatorSet(eth.connection.ethers.provider, eth.gatewayAddress);
    const update = {
      chainId: eth.chainId,
      gateway: eth.gatewayAddress,
      epoch: epoch + 1n,
      validators: sortValidators(validators),
      threshold: 2,
      deadline: 2n ** 40n,
    };
    const signers = [...by].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
    const signatures = signers.map((w) => signValidatorSetUpdate(w.signingKey, update));
    await (await eth.gateway.getFunction("updateValidatorSet")(update.validators, 2, update.deadline, signatures)).wait();
  }

  /** Whether the gateway accepts `signatures` for the transfer now (a call, nothing sent). */
  async function accepted(signatures: { r: string; vs: string }[]): Promise<boolean> {
    try {
      await eth.gateway
        .getFunction("deliver")
        .staticCall(
          transfer.srcChainId,
          transfer.srcGateway,
          [transfer.srcRef, transfer.kind, transfer.recipient, transfer.amount],
          signatures,
        );
      return true;
    } catch {
      return false;
    }
  }

  it("asks only the set's members, follows a rotation, and stops signing once rotated out", async () => {
    const p1 = await peer("p1", v[1]!);
    const p2 = await peer("p2", v[2]!);
    const p3 = await peer("p3", v3);
    const sets = new ValidatorSets({
      self: v[0]!.address,
      nodeId: "n0",
      peers: [p1, p2, p3],
      destinations: new Map([[eth.chainId, destination]]),
      pollMs: 50,
      log,
    });
    const signer = new ThresholdBatchSigner({
      signer: new WalletAttestationSigner(v[0]!.privateKey),
      nodeId: "n0",
      peers: [p1, p2, p3],
      peerTimeoutMs: 2_000,
      log,
      sets,
    });
    await sets.start();
    try {
      assert.equal(sets.held(eth.chainId)?.member, true);
      assert.deepEqual(sets.membersOf(eth.chainId, ["n0", "p1", "p2", "p3"]), ["n0", "p1", "p2"]);

      const before = await signer.sign(destination, [transfer]);
      assert.equal(before.length, 2);
      assert.equal(hits.get("p3") ?? 0, 0, "a peer outside the set is not asked");
      assert.equal(await accepted(before), true);

      // v2 out, v3 in: the node sees the new epoch by polling, and asks v3 now.
      await rotate([v[0]!.address, v[1]!.address, v3.address], [v[0]!, v[1]!]);
      assert.equal(await accepted(before), true, "v0 and v1 are still members: their signatures still count");
      await until("the new epoch read", () => Promise.resolve(sets.held(eth.chainId)?.epoch === 1n));
      assert.deepEqual(sets.membersOf(eth.chainId, ["n0", "p1", "p2", "p3"]), ["n0", "p1", "p3"]);
      const p2Before = hits.get("p2") ?? 0;
      for (let i = 0; i < 5; i++) assert.equal(await accepted(await signer.sign(destination, [transfer])), true);
      assert.ok((hits.get("p3") ?? 0) > 0, "the member added later is asked");
      assert.equal(hits.get("p2") ?? 0, p2Before, "the member rotated out is not asked");

      // v0 itself rotated out: it neither proposes nor co-signs for this destination, and says so.
      await rotate([v[1]!.address, v[2]!.address, v3.address], [v[0]!, v[1]!]);
      sets.forget(eth.chainId); // as a refused delivery or a peer's NOT_A_VALIDATOR would
      await assert.rejects(signer.sign(destination, [transfer]), NotAValidatorError);
      assert.deepEqual(sets.health().ethereum, { epoch: "2", threshold: 2, validators: 3, member: false });
      const out = new CoSigner({
        store: new TransferStore(redis.redis, `${redis.prefix}p1:`),
        signer: new WalletAttestationSigner(v[0]!.privateKey),
        destinations: new Map([[eth.chainId, eth.gatewayAddress]]),
        membership: async () => {
          const set = await sets.current(destination);
          return { member: set.member, epoch: set.epoch };
        },
      });
      await assert.rejects(
        out.cosign(requestFor(eth.gatewayAddress, [transfer])),
        /NOT_A_VALIDATOR: .* is not in the validator set of chain \d+ \(epoch 2\)/,
      );
    } finally {
      sets.stop();
    }
  });
});
