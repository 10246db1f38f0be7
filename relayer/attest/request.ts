// What a node asks its peers to co-sign (docs/protocol.md, "Attestations"): an ordered batch of transfers from one source gateway
// to one destination gateway. On the wire it is JSON with every integer as a decimal string; parsing
// checks every field and names the one that is wrong. The digest a request stands for is exactly the
// EIP-712 batch digest the destination gateway verifies (common/transfer.ts).
import { getAddress } from "ethers";
import { z } from "zod";
import { checksumAddress } from "../../common/address.ts";
import { batchDigest, gatewayDomain, toDeliveryArgs, TransferKind, type Transfer, type TransferItem } from "../../common/transfer.ts";
import { RelayerError } from "../errors.ts";

/** The most transfers one request may hold (the node's `batch.maxTransfers` is at most this). */
export const MAX_BATCH_TRANSFERS = 512;

export interface AttestationRequest {
  dstChainId: bigint;
  /** The destination gateway: the EIP-712 domain's verifying contract. */
  dstGateway: string;
  srcChainId: bigint;
  /** The source gateway as 32 bytes (common/transfer.ts addressToBytes32). */
  srcGateway: string;
  items: TransferItem[];
}

/** The JSON wire form of a request. */
export interface AttestationRequestJson {
  dstChainId: string;
  dstGateway: string;
  srcChainId: string;
  srcGateway: string;
  items: { srcRef: string; kind: string; recipient: string; amount: string }[];
}

/** A request that cannot be parsed: `field` is the path of the first wrong value (e.g. `items.3.amount`). */
export class InvalidAttestationRequestError extends RelayerError {
  readonly field: string;
  readonly problems: readonly { field: string; message: string }[];

  constructor(problems: { field: string; message: string }[]) {
    const first = problems[0] ?? { field: "(root)", message: "invalid" };
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : "";
    super("INVALID_REQUEST", `invalid attestation request: ${first.field}: ${first.message}${more}`, false);
    this.field = first.field;
    this.problems = problems;
  }
}

const UINT64_MAX = 2n ** 64n - 1n;
const UINT256_MAX = 2n ** 256n - 1n;

/** An unsigned integer as a decimal string (no sign, no exponent, no leading zeros), at most `max`. */
function decimal(max: bigint, what: string) {
  return z
    .string({ error: `${what} as a decimal string` })
    .regex(/^(0|[1-9]\d{0,77})$/, `${what} as a decimal string`)
    .transform((v) => BigInt(v))
    .refine((v) => v <= max, `${what}: at most ${max}`);
}

const chainId = decimal(UINT64_MAX, "a chain id (uint64)").refine((v) => v > 0n, "a chain id above 0");

function isAddress(a: string): boolean {
  try {
    checksumAddress(a);
    return true;
  } catch {
    return false;
  }
}

const address = z
  .string({ error: "an EVM address (0x and 40 hex digits)" })
  .refine((a) => isAddress(a), "an EVM address (0x and 40 hex digits, checksum right if mixed-case)") // ethers' isAddress, remembered
  .transform((a) => checksumAddress(a));

const bytes32 = z
  .string({ error: "32 bytes as 0x and 64 hex digits" })
  .regex(/^0x[0-9a-fA-F]{64}$/, "32 bytes as 0x and 64 hex digits")
  .transform((v) => v.toLowerCase());

const kind = z
  .enum(["0", "1"], { error: 'a transfer kind: "0" (bridge) or "1" (swap)' })
  .transform((k): TransferKind => (k === "0" ? TransferKind.Bridge : TransferKind.Swap));

const item = z.object({ srcRef: bytes32, kind, recipient: address, amount: decimal(UINT256_MAX, "an amount (uint256)") }).strict();

/** Parses the wire form. Empty batches pass here: refusing them is the co-signer's call (EMPTY). */
export const attestationRequestSchema = z
  .object({
    dstChainId: chainId,
    dstGateway: address,
    srcChainId: chainId,
    srcGateway: bytes32,
    items: z.array(item, { error: "a list of transfers" }).max(MAX_BATCH_TRANSFERS, `at most ${MAX_BATCH_TRANSFERS} transfers per request`),
  })
  .strict();

/** Parses a request from its JSON wire form (already JSON-decoded), or throws InvalidAttestationRequestError. */
export function parseAttestationRequest(raw: unknown): AttestationRequest {
  const parsed = attestationRequestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidAttestationRequestError(
      parsed.error.issues.map((issue) => ({ field: issue.path.map(String).join(".") || "(root)", message: issue.message })),
    );
  }
  return parsed.data;
}

/** The JSON wire form of `request`. */
export function toWire(request: AttestationRequest): AttestationRequestJson {
  return {
    dstChainId: request.dstChainId.toString(),
    dstGateway: request.dstGateway,
    srcChainId: request.srcChainId.toString(),
    srcGateway: request.srcGateway,
    items: request.items.map((i) => ({
      srcRef: i.srcRef,
      kind: i.kind.toString(),
      recipient: i.recipient,
      amount: i.amount.toString(),
    })),
  };
}

/** The request for signing `transfers` (one source gateway, one destination chain) for `dstGateway`. */
export function requestFor(dstGateway: string, transfers: readonly Transfer[]): AttestationRequest {
  const { srcChainId, srcGateway, items } = toDeliveryArgs(transfers);
  return { dstChainId: transfers[0]!.dstChainId, dstGateway: getAddress(dstGateway), srcChainId, srcGateway, items };
}

/** The full transfers a request stands for, in its order (docs/protocol.md, "Transfer"). */
export function toTransfers(request: AttestationRequest): Transfer[] {
  return request.items.map((i) => ({
    srcChainId: request.srcChainId,
    srcGateway: request.srcGateway,
    srcRef: i.srcRef,
    kind: i.kind,
    dstChainId: request.dstChainId,
    recipient: i.recipient,
    amount: i.amount,
  }));
}

/** The EIP-712 digest the destination gateway verifies for this batch. */
export function requestDigest(request: AttestationRequest): string {
  return batchDigest(gatewayDomain(request.dstChainId, request.dstGateway), toTransfers(request));
}
