// The proposing side of attestation (docs/protocol.md, "Attestations"): asks every peer at once to co-sign a batch, each with
// its own timeout, and keeps a peer's signature only after recovering it over the batch's own digest to
// the address configured for that peer. It returns as soon as enough distinct signers are held (this
// node's own signature included) or every peer has answered, with why each peer that did not sign
// failed. A peer that is down, slow, refusing or lying costs at most its timeout, never a wrong signature.
import { N, Signature, getAddress, recoverAddress } from "ethers";
import type { Logger } from "pino";
import { z } from "zod";
import { compareAddresses, orderBySigner, type CompactSignature, type SignerSignature } from "../../common/transfer.ts";
import { requestDigest, toWire, type AttestationRequest } from "./request.ts";

export interface PeerEndpoint {
  id: string;
  /** Where the peer's HTTP face is (its `POST /v1/attestations` is under it). */
  url: string;
  /** The address its attestations must recover to. */
  signer: string;
}

export type PeerFailureKind =
  | "timeout" // no full answer within the timeout
  | "unreachable" // no connection (the peer is down, DNS, TLS, reset)
  | "refused" // the peer answered 409: it will not co-sign this batch (`reason` says why)
  | "http_error" // any other non-200 status
  | "bad_response" // 200 with a body that is not a signature
  | "bad_signature" // a signature that does not recover to the peer's signer over this batch's digest
  | "duplicate_signer"; // a valid signature from a signer already held (peers misconfigured)

export interface PeerFailure {
  peer: string;
  kind: PeerFailureKind;
  message: string;
  /** HTTP status, when the peer answered. */
  status?: number;
  /** The peer's error code (e.g. ATTESTATION_REFUSED) and refusal reason (e.g. NOT_FINAL). */
  code?: string;
  reason?: string;
  transferId?: string;
}

export interface CollectOptions {
  peers: readonly PeerEndpoint[];
  request: AttestationRequest;
  /** How long each peer has to answer. */
  timeoutMs: number;
  /** How many distinct valid signatures to hold (the destination's threshold), `own` included. */
  needed: number;
  /** This node's own signature over the same batch. */
  own?: SignerSignature;
  /** This node's id, sent to peers (PROPOSER_HEADER): a fallback peer waits only for the nodes before it. */
  from?: string;
  log?: Logger;
}

export interface CollectedSignatures {
  /** The EIP-712 batch digest every signature was checked against. */
  digest: string;
  /** Verified signatures of distinct signers, ascending by signer. */
  signatures: SignerSignature[];
  /** The same, compact, in the order the gateways take them (orderBySigner). */
  compact: CompactSignature[];
  /** Whether `needed` signatures are held. */
  enough: boolean;
  /** Ids of the peers whose signatures are among `signatures`. */
  signedBy: string[];
  failures: PeerFailure[];
  /** Peers not heard from because enough signatures were held first (requests under way are cancelled). */
  notAwaited: string[];
}

/** The request header naming the proposing node (not authenticated: it only decides whether a fallback
 * node counts the proposal as the route's deliverer at work, which at worst delays its takeover). */
export const PROPOSER_HEADER = "x-relayer-node";

/** secp256k1's group order over 2: the gateways refuse an `s` above it (malleable). */
const HALF_N = N / 2n;

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const signatureAnswer = z.object({ signer: z.string(), r: hex32, vs: hex32 });
const errorAnswer = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    reason: z.string().optional(),
    transferId: z.string().optional(),
  }),
});

type Outcome = { ok: true; signature: SignerSignature } | { ok: false; failure: PeerFailure };

/** Why a request was aborted: its own timer, or nobody waits for it any more. */
class PeerTimeout extends Error {}
class NoLongerNeeded extends Error {}

export async function collectSignatures(options: CollectOptions): Promise<CollectedSignatures> {
  const { peers, request, timeoutMs, needed, own, log } = options;
  const digest = requestDigest(request);
  const held = new Map<string, { signature: SignerSignature; peer: string | null }>();
  const failures: PeerFailure[] = [];

  if (own) {
    const recovered = recoverSigner(digest, own.signature);
    if (recovered === null || recovered !== getAddress(own.signer)) {
      throw new Error(`this node's own signature does not recover to ${own.signer} over the batch digest ${digest}`);
    }
    held.set(recovered, { signature: { signer: recovered, signature: own.signature }, peer: null });
  }

  const controllers = peers.map(() => new AbortController());
  const answered = peers.map(() => false);
  let done = false;
  if (held.size < needed && peers.length > 0) {
    const body = JSON.stringify(toWire(request));
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (options.from !== undefined) headers[PROPOSER_HEADER] = options.from;
    await new Promise<void>((resolve) => {
      let remaining = peers.length;
      peers.forEach((peer, i) => {
        void askPeer(peer, body, headers, digest, timeoutMs, controllers[i]!).then((outcome) => {
          if (done) return; // answered after the result was settled: nobody waits for it
          answered[i] = true;
          remaining -= 1;
          if (outcome.ok) {
            const signer = outcome.signature.signer;
            if (held.has(signer)) {
              failures.push({
                peer: peer.id,
                kind: "duplicate_signer",
                message: `${signer} has signed already (check the peers' configured signers)`,
              });
            } else {
              held.set(signer, { signature: outcome.signature, peer: peer.id });
            }
          } else {
            failures.push(outcome.failure);
            log?.warn({ ...outcome.failure }, "peer did not co-sign");
          }
          if (held.size >= needed || remaining === 0) {
            done = true;
            resolve();
          }
        });
      });
    });
  }

  const notAwaited = peers.filter((_, i) => !answered[i]).map((p) => p.id);
  controllers.forEach((c, i) => {
    if (!answered[i]) c.abort(new NoLongerNeeded());
  });

  const entries = [...held.values()].sort((a, b) => compareAddresses(a.signature.signer, b.signature.signer));
  const signatures = entries.map((e) => e.signature);
  return {
    digest,
    signatures,
    compact: orderBySigner(signatures),
    enough: signatures.length >= needed,
    signedBy: entries.flatMap((e) => (e.peer === null ? [] : [e.peer])),
    failures,
    notAwaited,
  };
}

/** One peer's answer, verified; never throws. */
async function askPeer(
  peer: PeerEndpoint,
  body: string,
  headers: Record<string, string>,
  digest: string,
  timeoutMs: number,
  controller: AbortController,
): Promise<Outcome> {
  const fail = (kind: PeerFailureKind, message: string, extra: Partial<PeerFailure> = {}): Outcome => ({
    ok: false,
    failure: { peer: peer.id, kind, message, ...extra },
  });
  const timer = setTimeout(() => controller.abort(new PeerTimeout()), timeoutMs);
  let status: number;
  let text: string;
  try {
    const response = await fetch(`${peer.url.replace(/\/+$/, "")}/v1/attestations`, {
      method: "POST",
      headers,
      body,
      signal: controller.signal,
    });
    status = response.status;
    text = await response.text(); // under the same timeout: a peer that trickles its answer is slow too
  } catch (error) {
    const reason: unknown = controller.signal.reason;
    if (reason instanceof PeerTimeout) return fail("timeout", `no answer within ${timeoutMs} ms`);
    if (reason instanceof NoLongerNeeded) return fail("timeout", "cancelled: enough signatures were held");
    return fail("unreachable", describeFetchError(error));
  } finally {
    clearTimeout(timer);
  }

  const json = parseJson(text);
  if (status !== 200) {
    const parsed = errorAnswer.safeParse(json);
    const error = parsed.success ? parsed.data.error : undefined;
    const extra: Partial<PeerFailure> = { status };
    if (error) {
      extra.code = error.code;
      if (error.reason !== undefined) extra.reason = error.reason;
      if (error.transferId !== undefined) extra.transferId = error.transferId;
    }
    const message = error ? `HTTP ${status} ${error.code}: ${error.message}` : `HTTP ${status}`;
    return fail(status === 409 ? "refused" : "http_error", message, extra);
  }

  const answer = signatureAnswer.safeParse(json);
  if (!answer.success) return fail("bad_response", "the answer is not { signer, r, vs } with 32-byte hex values", { status });
  const signature: CompactSignature = { r: answer.data.r, vs: answer.data.vs };
  const recovered = recoverSigner(digest, signature);
  const expected = getAddress(peer.signer);
  if (recovered !== expected) {
    const what = recovered === null ? "is not a valid low-s signature" : `recovers to ${recovered}`;
    return fail("bad_signature", `the signature over batch digest ${digest} ${what}, not to the peer's signer ${expected}`, { status });
  }
  return { ok: true, signature: { signer: expected, signature } };
}

/** The address a compact signature over `digest` recovers to, or null if it is malformed or high-s. */
export function recoverSigner(digest: string, signature: CompactSignature): string | null {
  try {
    const sig = Signature.from({ r: signature.r, yParityAndS: signature.vs });
    if (BigInt(sig.s) > HALF_N) return null;
    return recoverAddress(digest, sig);
  } catch {
    return null;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${error.message}: ${code ?? cause.message}`;
  }
  return error.message;
}
