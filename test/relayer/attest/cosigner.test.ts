// The co-signer (docs/protocol.md, "Attestations"): a node signs a proposed batch only if it saw every transfer in it final at its
// source, with the same fields, for the destination gateway it is configured for — against its real
// Redis store — and signs exactly the gateway's batch digest. The same over HTTP (POST /v1/attestations).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { Signature, getAddress, parseEther, recoverAddress, type TypedDataDomain } from "ethers";
import {
  TransferKind,
  addressToBytes32,
  batchDigest,
  gatewayDomain,
  sequenceToRef,
  signBatch,
  transferId,
  type CompactSignature,
  type Transfer,
} from "../../../common/transfer.ts";
import type { ObservedTransfer } from "../../../relayer/chains/adapter.ts";
import { AttestationRefusedError, CoSigner, type RefusalReason } from "../../../relayer/attest/cosigner.ts";
import { MAX_BATCH_TRANSFERS, requestDigest, requestFor, toWire, type AttestationRequest } from "../../../relayer/attest/request.ts";
import { registerAttestationRoutes } from "../../../relayer/http/attestation-routes.ts";
import { PROPOSER_HEADER } from "../../../relayer/attest/peer-client.ts";
import { rankFor } from "../../../relayer/deliver/designation.ts";
import { routeKey } from "../../../common/routes.ts";
import { WalletAttestationSigner, type AttestationSigner } from "../../../relayer/attest/attestation-signer.ts";
import { TransferStore } from "../../../relayer/store/transfer-store.ts";
import { connectTestRedis, type TestRedis } from "../../../testkit/redis.ts";
import { validatorWallets } from "../../../testkit/world.ts";
import { CHAIN_IDS } from "../../../testkit/constants.ts";

const SRC_GATEWAY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"; // on BTTC
const DST_GATEWAY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"; // on Ethereum
const BSC_GATEWAY = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const SENDER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const OTHER_RECIPIENT = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

const validator = validatorWallets(3)[0]!;
const ethDomain = gatewayDomain(CHAIN_IDS.ethereum, DST_GATEWAY);

/** A BTTC → Ethereum bridge transfer as the watcher records it. */
function observed(sequence: bigint, patch: Partial<Transfer> = {}): ObservedTransfer {
  const transfer: Transfer = {
    srcChainId: CHAIN_IDS.bttc,
    srcGateway: addressToBytes32(SRC_GATEWAY),
    srcRef: sequenceToRef(sequence),
    kind: TransferKind.Bridge,
    dstChainId: CHAIN_IDS.ethereum,
    recipient: RECIPIENT,
    amount: parseEther("2.5") + sequence,
    ...patch,
  };
  return {
    id: transferId(transfer),
    transfer,
    sender: SENDER,
    fee: patch.kind === TransferKind.Swap ? 0n : 10n ** 15n,
    ...(patch.kind === TransferKind.Swap ? { legacyAmount: transfer.amount / 1000n } : {}),
    sequence,
    srcTxHash: "0x" + sequence.toString(16).padStart(64, "c"),
    blockNumber: 1_000n + sequence,
    blockHash: "0x" + (1_000n + sequence).toString(16).padStart(64, "b"),
    logIndex: 1,
  };
}

/** Counts what is signed, so a test can show that a refusal signs nothing. */
class CountingSigner implements AttestationSigner {
  readonly address: string;
  signed = 0;
  private readonly inner: AttestationSigner;
  constructor(inner: AttestationSigner) {
    this.inner = inner;
    this.address = inner.address;
  }
  async signBatch(domain: TypedDataDomain, transfers: readonly Transfer[]): Promise<CompactSignature> {
    this.signed += 1;
    return this.inner.signBatch(domain, transfers);
  }
}

function recover(digest: string, signature: CompactSignature): string {
  return recoverAddress(digest, Signature.from({ r: signature.r, yParityAndS: signature.vs }));
}

async function refusal(promise: Promise<unknown>): Promise<AttestationRefusedError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AttestationRefusedError, String(error));
    assert.equal(error.code, "ATTESTATION_REFUSED");
    return error;
  }
  assert.fail("the batch was signed");
}

describe("CoSigner", () => {
  let t: TestRedis;
  let store: TransferStore;
  let signer: CountingSigner;
  let cosigner: CoSigner;
  /** Transfers 1..4 seen final (finalized, finalized, attested, delayed). */
  let good: ObservedTransfer[];

  before(async () => {
    t = await connectTestRedis("cosigner");
    store = new TransferStore(t.redis, t.prefix);
    signer = new CountingSigner(new WalletAttestationSigner(validator.privateKey));
    cosigner = new CoSigner({
      store,
      signer,
      destinations: new Map([
        [CHAIN_IDS.ethereum, DST_GATEWAY.toLowerCase()],
        [CHAIN_IDS.bsc, BSC_GATEWAY],
      ]),
    });
    good = [1n, 2n, 3n, 4n].map((s) => observed(s, s === 2n ? { kind: TransferKind.Swap } : {}));
    for (const o of good) assert.equal((await store.observe(o, "finalized")).changed, true);
    await store.transition(good[2]!.id, "attested");
    await store.transition(good[3]!.id, "delayed");
  });
  after(async () => t?.cleanup());

  it("co-signs transfers it saw final, over exactly the gateway's batch digest", async () => {
    const transfers = good.map((o) => o.transfer);
    const request = requestFor(DST_GATEWAY, transfers);
    // Addresses in any case are the same addresses.
    request.items[1] = { ...request.items[1]!, recipient: RECIPIENT.toLowerCase() };
    request.dstGateway = DST_GATEWAY.toLowerCase();
    const before = signer.signed;
    const result = await cosigner.cosign(request);
    assert.equal(signer.signed, before + 1);
    assert.equal(result.signer, validator.address);
    const digest = batchDigest(ethDomain, transfers);
    assert.equal(requestDigest(request), digest);
    assert.equal(recover(digest, result.signature), validator.address);
    // Byte for byte what the validator's wallet signs for these transfers (RFC 6979: deterministic).
    assert.deepEqual(result.signature, (await signBatch(validator, ethDomain, transfers)).signature);
    // A batch of one is a batch too; order is the proposer's.
    const single = await cosigner.cosign(requestFor(DST_GATEWAY, [transfers[3]!]));
    assert.equal(recover(batchDigest(ethDomain, [transfers[3]!]), single.signature), validator.address);
    const reversed = [...transfers].reverse();
    const back = await cosigner.cosign(requestFor(DST_GATEWAY, reversed));
    assert.equal(recover(batchDigest(ethDomain, reversed), back.signature), validator.address);
  });

  it("refuses every batch it cannot vouch for, naming the reason and the transfer, and signs nothing", async () => {
    const pending = observed(20n);
    await store.observe(pending, "pending");
    const dropped = observed(21n);
    await store.observe(dropped, "pending");
    await store.transition(dropped.id, "dropped", { detail: "reorged out" });
    const rejected = observed(22n);
    await store.observe(rejected, "pending");
    await store.transition(rejected.id, "rejected");
    const completed = observed(23n);
    await store.observe(completed, "finalized");
    await store.transition(completed.id, "completed");
    const toBsc = observed(24n, { dstChainId: CHAIN_IDS.bsc });
    await store.observe(toBsc, "finalized");
    const unknown = observed(99n);

    const [one, two] = good.map((o) => o.transfer);
    const batch = (...transfers: Transfer[]): AttestationRequest => requestFor(DST_GATEWAY, transfers);
    const cases: { name: string; request: AttestationRequest; reason: RefusalReason; id?: string; retryable?: boolean; says?: RegExp }[] = [
      {
        name: "unknown transfer",
        request: batch(one!, unknown.transfer, two!),
        reason: "UNKNOWN_TRANSFER",
        id: unknown.id,
        retryable: true,
      },
      { name: "pending", request: batch(one!, pending.transfer), reason: "NOT_FINAL", id: pending.id, retryable: true, says: /pending/ },
      { name: "dropped", request: batch(dropped.transfer), reason: "NOT_FINAL", id: dropped.id, retryable: true, says: /dropped/ },
      { name: "rejected", request: batch(rejected.transfer), reason: "REJECTED", id: rejected.id },
      { name: "completed", request: batch(completed.transfer, one!), reason: "ALREADY_DELIVERED", id: completed.id },
      {
        name: "amount differs",
        request: batch(one!, { ...two!, amount: two!.amount + 1n }),
        reason: "FIELDS_DIFFER",
        id: good[1]!.id,
        says: new RegExp(`amount is ${two!.amount + 1n} in the batch but ${two!.amount} as this node saw it`),
      },
      {
        name: "recipient differs",
        request: batch({ ...one!, recipient: OTHER_RECIPIENT }),
        reason: "FIELDS_DIFFER",
        id: good[0]!.id,
        says: /recipient/,
      },
      {
        name: "kind differs",
        request: batch({ ...two!, kind: TransferKind.Bridge }),
        reason: "FIELDS_DIFFER",
        id: good[1]!.id,
        says: /kind is 0 in the batch but 1/,
      },
      {
        name: "a transfer for another chain",
        request: batch({ ...toBsc.transfer, dstChainId: CHAIN_IDS.ethereum }),
        reason: "WRONG_DESTINATION",
        id: toBsc.id,
      },
      { name: "duplicate", request: batch(one!, two!, one!), reason: "DUPLICATE_TRANSFER", id: good[0]!.id },
      { name: "wrong destination gateway", request: { ...batch(one!), dstGateway: BSC_GATEWAY }, reason: "WRONG_DESTINATION" },
      { name: "unknown destination chain", request: { ...batch(one!), dstChainId: 999n }, reason: "UNKNOWN_DESTINATION" },
      { name: "empty", request: { ...batch(one!), items: [] }, reason: "EMPTY" },
      {
        name: "too many",
        request: batch(...Array.from({ length: MAX_BATCH_TRANSFERS + 1 }, (_, i) => observed(1_000n + BigInt(i)).transfer)),
        reason: "TOO_MANY",
      },
    ];
    const before = signer.signed;
    for (const c of cases) {
      const error = await refusal(cosigner.cosign(c.request));
      assert.equal(error.reason, c.reason, `${c.name}: ${error.message}`);
      assert.equal(error.transferId, c.id, c.name);
      assert.equal(error.retryable, c.retryable ?? false, c.name);
      assert.ok(error.message.startsWith(`${c.reason}: `), error.message);
      if (c.id) assert.ok(error.message.includes(c.id), error.message);
      if (c.says) assert.match(error.message, c.says, c.name);
    }
    assert.equal(signer.signed, before, "nothing was signed");
    // The transfer for BSC is signed for BSC's gateway, and for nothing else.
    const forBsc = await cosigner.cosign(requestFor(BSC_GATEWAY, [toBsc.transfer]));
    assert.equal(recover(batchDigest(gatewayDomain(CHAIN_IDS.bsc, BSC_GATEWAY), [toBsc.transfer]), forBsc.signature), validator.address);
  });

  it("counts a proposal as the route's deliverer at work only from a node before it; its own deliveries neither", async () => {
    // A store of its own: `proposed:` and `progress:` keys per route, read by the fallback deliverer.
    const mine = new TransferStore(t.redis, `${t.prefix}ranked:`);
    const transfer = observed(40n);
    await mine.observe(transfer, "finalized");
    const route = routeKey(transfer.transfer);
    const nodeIds = ["n-a", "n-b", "n-c"];
    const byRank = [...nodeIds].sort((x, y) => rankFor(route, x, nodeIds) - rankFor(route, y, nodeIds));
    const [designated, self, last] = byRank as [string, string, string];
    const ranked = new CoSigner({ store: mine, signer, destinations: new Map([[CHAIN_IDS.ethereum, DST_GATEWAY]]), nodeId: self, nodeIds });
    const request = requestFor(DST_GATEWAY, [transfer.transfer]);

    await ranked.cosign(request, last); // a fallback after this node: not the route's deliverer
    await ranked.cosign(request); // nobody said who
    await ranked.cosign(request, "n-unknown");
    assert.equal(await mine.lastProgressOn(route), null);

    // Over HTTP, the proposer names itself in a header (the peer client sends it).
    const app = Fastify({ logger: false });
    registerAttestationRoutes(app, ranked);
    try {
      const url = `${await app.listen({ host: "127.0.0.1", port: 0 })}/v1/attestations`;
      const post = (from: string) =>
        fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", [PROPOSER_HEADER]: from },
          body: JSON.stringify(toWire(request)),
        });
      assert.equal((await post(last)).status, 200);
      assert.equal(await mine.lastProgressOn(route), null);
      const before = Date.now();
      assert.equal((await post(designated)).status, 200);
      assert.ok(((await mine.lastProgressOn(route)) ?? 0) >= before, "the designated node's proposal counts");
    } finally {
      await app.close();
    }

    // Completions: this node's own delivery says nothing of the others; one it saw another node make does.
    const own = observed(41n);
    const theirs = observed(42n);
    const sentByMe = observed(43n);
    const other = new TransferStore(t.redis, `${t.prefix}ranked2:`);
    await other.observeMany([own, theirs, sentByMe], "finalized");
    await other.transition(own.id, "completed", { ownDelivery: true });
    // Seen delivered in the destination's log (the delivery watcher) before its confirm job: still its own.
    await other.transition(sentByMe.id, "attested");
    await other.transition(sentByMe.id, "submitted", { txHash: "0x" + "ab".repeat(32) });
    await other.transition(sentByMe.id, "completed");
    assert.equal(await other.lastProgressOn(route), null);
    await other.transition(theirs.id, "completed");
    assert.notEqual(await other.lastProgressOn(route), null);
  });

  describe("over HTTP", () => {
    let app: FastifyInstance;
    let url: string;

    before(async () => {
      app = Fastify({ logger: false });
      registerAttestationRoutes(app, cosigner, { bodyLimit: 200_000 });
      url = `${await app.listen({ host: "127.0.0.1", port: 0 })}/v1/attestations`;
    });
    after(async () => app?.close());

    async function post(body: unknown, contentType = "application/json"): Promise<{ status: number; json: Record<string, unknown> }> {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": contentType },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    }

    function errorOf(json: Record<string, unknown>): { code: string; message: string; [k: string]: unknown } {
      const error = json.error as { code: string; message: string } | undefined;
      assert.ok(error && typeof error.code === "string" && typeof error.message === "string", JSON.stringify(json));
      return error;
    }

    it("answers 200 with the signer and its compact signature over the batch digest", async () => {
      const transfers = good.slice(0, 3).map((o) => o.transfer);
      const { status, json } = await post(toWire(requestFor(DST_GATEWAY, transfers)));
      assert.equal(status, 200, JSON.stringify(json));
      assert.deepEqual(Object.keys(json).sort(), ["r", "signer", "vs"]);
      assert.equal(json.signer, validator.address);
      const signature = { r: json.r as string, vs: json.vs as string };
      assert.equal(recover(batchDigest(ethDomain, transfers), signature), getAddress(validator.address));
    });

    it("answers 400 for malformed input, naming the field", async () => {
      const wire = toWire(requestFor(DST_GATEWAY, [good[0]!.transfer]));
      const malformed = await post('{"dstChainId": "1337001", ');
      assert.equal(malformed.status, 400);
      assert.equal(errorOf(malformed.json).code, "MALFORMED_REQUEST");
      assert.match(errorOf(malformed.json).message, /not valid JSON/);

      const cases: [unknown, string][] = [
        [{ ...wire, items: [{ ...wire.items[0], amount: 2500000000000000001 }] }, "items.0.amount"],
        [{ ...wire, items: [{ ...wire.items[0], kind: "bridge" }] }, "items.0.kind"],
        [{ ...wire, dstGateway: "0xdead" }, "dstGateway"],
        [{ ...wire, srcChainId: null }, "srcChainId"],
        [{ ...wire, items: {} }, "items"],
        [[], "(root)"],
      ];
      for (const [body, field] of cases) {
        const { status, json } = await post(body);
        assert.equal(status, 400, field);
        const error = errorOf(json);
        assert.equal(error.code, "INVALID_REQUEST");
        assert.equal(error.field, field);
        assert.ok(error.message.includes(`${field}: `), error.message);
      }

      const tooLarge = await post({ ...wire, padding: "x".repeat(250_000) });
      assert.equal(tooLarge.status, 413);
      assert.equal(errorOf(tooLarge.json).code, "BODY_TOO_LARGE");
      const notJson = await post("dstChainId=1", "application/x-www-form-urlencoded");
      assert.equal(notJson.status, 415);
      assert.equal(errorOf(notJson.json).code, "UNSUPPORTED_MEDIA_TYPE");
    });

    it("answers 409 with the reason and the transfer when it refuses", async () => {
      const pending = observed(30n);
      await store.observe(pending, "pending");
      const before = signer.signed;
      const { status, json } = await post(toWire(requestFor(DST_GATEWAY, [good[0]!.transfer, pending.transfer])));
      assert.equal(status, 409);
      const error = errorOf(json);
      assert.equal(error.code, "ATTESTATION_REFUSED");
      assert.equal(error.reason, "NOT_FINAL");
      assert.equal(error.transferId, pending.id);
      assert.equal(error.retryable, true);
      assert.equal(signer.signed, before);

      const wrongGateway = await post(toWire({ ...requestFor(DST_GATEWAY, [good[0]!.transfer]), dstGateway: BSC_GATEWAY }));
      assert.equal(wrongGateway.status, 409);
      assert.equal(errorOf(wrongGateway.json).reason, "WRONG_DESTINATION");
      assert.equal(errorOf(wrongGateway.json).transferId, undefined);
    });
  });
});
