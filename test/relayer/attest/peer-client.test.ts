// Collecting co-signatures from peers (docs/protocol.md, "Attestations") over real HTTP, against peers that co-sign honestly
// from their own Redis stores, one that signs a tampered batch, one that never answers, one that refuses,
// one that is down and one that fails: only signatures that recover to the peer's configured signer over
// the batch's own digest are kept, every failure is reported with its cause, and nobody waits for a slow
// peer once enough signatures are held.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { N, Signature, parseEther, recoverAddress, toBeHex, type Wallet } from "ethers";
import {
  TransferKind,
  addressToBytes32,
  batchDigest,
  compareAddresses,
  gatewayDomain,
  orderBySigner,
  sequenceToRef,
  transferId,
  type CompactSignature,
  type SignerSignature,
  type Transfer,
} from "../../../common/transfer.ts";
import type { ObservedTransfer } from "../../../relayer/chains/adapter.ts";
import { CoSigner } from "../../../relayer/attest/cosigner.ts";
import { collectSignatures, recoverSigner, type PeerEndpoint } from "../../../relayer/attest/peer-client.ts";
import { parseAttestationRequest, requestFor, toTransfers, type AttestationRequest } from "../../../relayer/attest/request.ts";
import { registerAttestationRoutes } from "../../../relayer/http/attestation-routes.ts";
import { WalletAttestationSigner } from "../../../relayer/attest/attestation-signer.ts";
import { TransferStore } from "../../../relayer/store/transfer-store.ts";
import { connectTestRedis, type TestRedis } from "../../../testkit/redis.ts";
import { validatorWallets } from "../../../testkit/world.ts";
import { CHAIN_IDS } from "../../../testkit/constants.ts";

const SRC_GATEWAY = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"; // on Ethereum
const DST_GATEWAY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"; // on BTTC
const SENDER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const DESTINATIONS = new Map([[CHAIN_IDS.bttc, DST_GATEWAY]]);

// v0: this node; v1, v2: honest peers; v3: the tampering peer; v4: the slow one.
const wallets = validatorWallets(5, "peer-client");
const [self, honestA, honestB, liar, sloth] = wallets as [Wallet, Wallet, Wallet, Wallet, Wallet];

/** Ethereum → BTTC transfers (burn → release) as a watcher records them. */
function observed(sequence: bigint): ObservedTransfer {
  const transfer: Transfer = {
    srcChainId: CHAIN_IDS.ethereum,
    srcGateway: addressToBytes32(SRC_GATEWAY),
    srcRef: sequenceToRef(sequence),
    kind: TransferKind.Bridge,
    dstChainId: CHAIN_IDS.bttc,
    recipient: RECIPIENT,
    amount: parseEther("7") + sequence,
  };
  return {
    id: transferId(transfer),
    transfer,
    sender: SENDER,
    fee: 0n,
    sequence,
    srcTxHash: "0x" + sequence.toString(16).padStart(64, "e"),
    blockNumber: 50n + sequence,
    blockHash: "0x" + (50n + sequence).toString(16).padStart(64, "f"),
    logIndex: 0,
  };
}

function recover(digest: string, signature: CompactSignature): string {
  return recoverAddress(digest, Signature.from({ r: signature.r, yParityAndS: signature.vs }));
}

async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ host: "127.0.0.1", port: 0 });
}

/** A peer that runs the real routes over its own store. */
async function honestPeer(redis: TestRedis, name: string, wallet: Wallet, seen: readonly ObservedTransfer[]): Promise<FastifyInstance> {
  const store = new TransferStore(redis.redis, `${redis.prefix}${name}:`);
  for (const o of seen) await store.observe(o, "finalized");
  const app = Fastify({ logger: false });
  registerAttestationRoutes(
    app,
    new CoSigner({ store, signer: new WalletAttestationSigner(wallet.privateKey), destinations: DESTINATIONS }),
  );
  return app;
}

describe("collectSignatures", () => {
  let redis: TestRedis;
  const apps: FastifyInstance[] = [];
  let slowServer: Server;
  const slowRequests: IncomingMessage[] = [];
  let slowClosed = 0;
  const peers: Record<
    "honestA" | "honestB" | "liar" | "sloth" | "refuser" | "down" | "broken" | "malleator" | "misconfigured",
    PeerEndpoint
  > = {} as never;
  let transfers: Transfer[];
  let request: AttestationRequest;
  let digest: string;
  let own: SignerSignature;

  before(async () => {
    redis = await connectTestRedis("peer-client");
    const seen = [1n, 2n, 3n].map(observed);
    transfers = seen.map((o) => o.transfer);
    request = requestFor(DST_GATEWAY, transfers);
    digest = batchDigest(gatewayDomain(CHAIN_IDS.bttc, DST_GATEWAY), transfers);

    const mine = new TransferStore(redis.redis, `${redis.prefix}self:`);
    for (const o of seen) await mine.observe(o, "finalized");
    own = await new CoSigner({ store: mine, signer: new WalletAttestationSigner(self.privateKey), destinations: DESTINATIONS }).cosign(
      request,
    );

    const a = await honestPeer(redis, "a", honestA, seen);
    const b = await honestPeer(redis, "b", honestB, seen);
    const refuser = await honestPeer(redis, "refuser", honestB, seen.slice(0, 2)); // never saw transfer 3
    // Signs what it was asked with one amount raised: a well-formed signature over another digest.
    const tamperer = Fastify({ logger: false });
    const liarSigner = new WalletAttestationSigner(liar.privateKey);
    tamperer.post("/v1/attestations", async (req) => {
      const asked = toTransfers(parseAttestationRequest(req.body));
      asked[0] = { ...asked[0]!, amount: asked[0]!.amount * 2n };
      const signature = await liarSigner.signBatch(gatewayDomain(CHAIN_IDS.bttc, DST_GATEWAY), asked);
      return { signer: liar.address, ...signature };
    });
    // Signs the right batch with the right key, then answers its malleable twin (n - s, parity flipped).
    // A compact signature has no room for such an s (its top bit is the parity), so the twin reads as
    // another signature and must not count.
    const malleator = Fastify({ logger: false });
    const honestASigner = new WalletAttestationSigner(honestA.privateKey);
    malleator.post("/v1/attestations", async (req) => {
      const signature = await honestASigner.signBatch(
        gatewayDomain(CHAIN_IDS.bttc, DST_GATEWAY),
        toTransfers(parseAttestationRequest(req.body)),
      );
      const sig = Signature.from({ r: signature.r, yParityAndS: signature.vs });
      const twin = N - BigInt(sig.s);
      const vs = toBeHex(((sig.yParity === 0 ? 1n : 0n) << 255n) | (twin % 2n ** 255n), 32);
      return { signer: honestA.address, r: signature.r, vs };
    });
    const broken = Fastify({ logger: false });
    broken.post("/v1/attestations", async (_req, reply) =>
      reply.code(500).send({ error: { code: "INTERNAL_ERROR", message: "store unavailable" } }),
    );
    for (const app of [a, b, refuser, tamperer, broken, malleator]) apps.push(app);
    const [urlA, urlB, urlRefuser, urlLiar, urlBroken, urlMalleator] = await Promise.all(apps.map(listen));

    // Reads the request and never answers.
    slowServer = createServer((req) => {
      slowRequests.push(req);
      req.on("close", () => (slowClosed += 1));
      req.resume();
    });
    await new Promise<void>((resolve) => slowServer.listen(0, "127.0.0.1", resolve));
    const slowUrl = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}`;

    // A port nobody listens on any more.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, "127.0.0.1", resolve));
    const downUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => gone.close(() => resolve()));

    Object.assign(peers, {
      honestA: { id: "honest-a", url: urlA!, signer: honestA.address },
      honestB: { id: "honest-b", url: `${urlB!}/`, signer: honestB.address.toLowerCase() },
      liar: { id: "liar", url: urlLiar!, signer: liar.address },
      sloth: { id: "sloth", url: slowUrl, signer: sloth.address },
      refuser: { id: "refuser", url: urlRefuser!, signer: honestB.address },
      down: { id: "down", url: downUrl, signer: honestA.address },
      broken: { id: "broken", url: urlBroken!, signer: honestA.address },
      malleator: { id: "malleator", url: urlMalleator!, signer: honestA.address },
      // honest-a's server, but configured with another peer's signer.
      misconfigured: { id: "misconfigured", url: urlA!, signer: sloth.address },
    });
  });

  after(async () => {
    await Promise.all(apps.map((app) => app.close()));
    slowServer?.closeAllConnections();
    await new Promise<void>((resolve) => (slowServer ? slowServer.close(() => resolve()) : resolve()));
    await redis?.cleanup();
  });

  it("keeps only signatures that recover to each peer's signer, and reports the tampered one and the timeout", async () => {
    const timeoutMs = 1_200;
    const started = Date.now();
    const result = await collectSignatures({
      peers: [peers.honestA, peers.liar, peers.sloth, peers.honestB],
      request,
      timeoutMs,
      needed: 4, // more than the honest can give: it waits for every peer
      own,
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= timeoutMs - 50 && elapsed < timeoutMs + 1_000, `elapsed ${elapsed} ms`);

    assert.equal(result.digest, digest);
    assert.equal(result.enough, false);
    const expected = [self, honestA, honestB].map((w) => w.address).sort(compareAddresses);
    assert.deepEqual(
      result.signatures.map((s) => s.signer),
      expected,
    );
    for (const s of result.signatures) assert.equal(recover(digest, s.signature), s.signer);
    assert.deepEqual(result.compact, orderBySigner(result.signatures));
    assert.deepEqual([...result.signedBy].sort(), ["honest-a", "honest-b"]);
    assert.deepEqual(result.notAwaited, []);

    const byPeer = new Map(result.failures.map((f) => [f.peer, f]));
    assert.deepEqual([...byPeer.keys()].sort(), ["liar", "sloth"]);
    const bad = byPeer.get("liar")!;
    assert.equal(bad.kind, "bad_signature");
    assert.equal(bad.status, 200);
    assert.match(
      bad.message,
      new RegExp(`over batch digest ${digest} recovers to 0x[0-9a-fA-F]{40}, not to the peer's signer ${liar.address}`),
    );
    assert.equal(byPeer.get("sloth")!.kind, "timeout");
    assert.match(byPeer.get("sloth")!.message, /no answer within 1200 ms/);
  });

  it("stops waiting as soon as enough valid signatures are held", async () => {
    const timeoutMs = 5_000;
    const closedBefore = slowClosed;
    const requestsBefore = slowRequests.length;
    const started = Date.now();
    const result = await collectSignatures({
      peers: [peers.sloth, peers.liar, peers.honestA, peers.honestB],
      request,
      timeoutMs,
      needed: 3,
      own,
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1_500, `took ${elapsed} ms; the timeout is ${timeoutMs} ms`);
    assert.equal(result.enough, true);
    assert.deepEqual(
      result.signatures.map((s) => s.signer),
      [self, honestA, honestB].map((w) => w.address).sort(compareAddresses),
    );
    assert.ok(result.notAwaited.includes("sloth"));
    assert.ok(!result.failures.some((f) => f.peer === "sloth"));
    assert.equal(slowRequests.length, requestsBefore + 1);
    // The slow peer's request is cancelled, not left hanging.
    const deadline = Date.now() + 2_000;
    while (slowClosed === closedBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(slowClosed, closedBefore + 1);
  });

  it("reports a refusal with its reason, a peer that is down, an HTTP error, a malleated signature and a peer signing with another key", async () => {
    const result = await collectSignatures({
      peers: [peers.refuser, peers.down, peers.broken, peers.malleator, peers.misconfigured],
      request,
      timeoutMs: 3_000,
      needed: 2,
      own,
    });
    assert.equal(result.enough, false);
    assert.deepEqual(result.signatures, [own]);
    const byPeer = new Map(result.failures.map((f) => [f.peer, f]));
    assert.equal(byPeer.size, 5);
    const refused = byPeer.get("refuser")!;
    assert.equal(refused.kind, "refused");
    assert.equal(refused.status, 409);
    assert.equal(refused.code, "ATTESTATION_REFUSED");
    assert.equal(refused.reason, "UNKNOWN_TRANSFER");
    assert.equal(refused.transferId, transferId(transfers[2]!));
    assert.equal(byPeer.get("down")!.kind, "unreachable");
    assert.match(byPeer.get("down")!.message, /ECONNREFUSED/);
    assert.equal(byPeer.get("broken")!.kind, "http_error");
    assert.equal(byPeer.get("broken")!.status, 500);
    assert.match(byPeer.get("broken")!.message, /HTTP 500 INTERNAL_ERROR: store unavailable/);
    assert.equal(byPeer.get("malleator")!.kind, "bad_signature");
    assert.match(byPeer.get("malleator")!.message, new RegExp(`not to the peer's signer ${honestA.address}`));
    const misconfigured = byPeer.get("misconfigured")!;
    assert.equal(misconfigured.kind, "bad_signature");
    assert.ok(
      misconfigured.message.includes(`recovers to ${honestA.address}, not to the peer's signer ${sloth.address}`),
      misconfigured.message,
    );
  });

  it("refuses a high s as the gateways do, even where it would recover to the signer", () => {
    // A compact signature whose s lies above n/2 but below 2^255: the gateways' ECDSA check refuses it.
    const r = own.signature.r;
    const highS = { r, vs: toBeHex(N / 2n + 1n, 32) };
    assert.match(recoverAddress(digest, Signature.from({ r, yParityAndS: highS.vs })), /^0x[0-9a-fA-F]{40}$/); // ethers takes it
    assert.equal(recoverSigner(digest, highS), null);
    assert.equal(recoverSigner(digest, own.signature), self.address);
    assert.equal(recoverSigner(digest, { r: "0x" + "0".repeat(64), vs: own.signature.vs }), null);
  });

  it("asks nobody when its own signature is enough, and never passes off a wrong one as its own", async () => {
    const requestsBefore = slowRequests.length;
    const result = await collectSignatures({ peers: [peers.sloth], request, timeoutMs: 5_000, needed: 1, own });
    assert.equal(result.enough, true);
    assert.deepEqual(result.signatures, [own]);
    assert.deepEqual(result.notAwaited, ["sloth"]);
    assert.equal(slowRequests.length, requestsBefore);

    await assert.rejects(
      collectSignatures({ peers: [], request, timeoutMs: 100, needed: 1, own: { ...own, signer: honestA.address } }),
      /own signature does not recover/,
    );
  });
});
