// POST /v1/broadcast: sends a transaction the user signed — EVM raw hex, or a TronWeb signed transaction
// (JSON) — and returns its hash, by which the transfer is found (GET /v1/transfers?srcTx=).
import { Transaction } from "ethers";
import { z } from "zod";
import { EvmChain, shortReason } from "../chains/evm-chain.ts";
import type { ApiContext, App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { chainNameSchema } from "../inputs.ts";
import { errors } from "../schemas.ts";

const evmRaw = z
  .string()
  .max(262_144)
  .regex(/^0x([0-9a-fA-F]{2})+$/, "0x and the signed transaction's bytes in hex");
const tronSigned = z
  .object({
    txID: z.string().regex(/^[0-9a-fA-F]{64}$/, "64 hex digits"),
    raw_data: z.record(z.string(), z.unknown()),
    raw_data_hex: z
      .string()
      .max(262_144)
      .regex(/^([0-9a-fA-F]{2})+$/, "hex"),
    signature: z
      .array(z.string().regex(/^[0-9a-fA-F]{130}$/, "65 bytes in hex"))
      .min(1)
      .max(32),
  })
  .loose();

/** ethers error codes for a transaction the node refused (rather than a node we could not reach). */
const REFUSED = new Set([
  "NONCE_EXPIRED",
  "INSUFFICIENT_FUNDS",
  "REPLACEMENT_UNDERPRICED",
  "TRANSACTION_REPLACED",
  "CALL_EXCEPTION",
  "INVALID_ARGUMENT",
]);

export function broadcastRoutes(app: App, ctx: ApiContext): void {
  app.post(
    "/v1/broadcast",
    {
      schema: {
        summary: "Broadcasts a user-signed EVM or TRON transaction; returns its hash",
        tags: ["bridge", "swap"],
        body: z.object({
          chain: chainNameSchema(ctx.chains.names()),
          signedTransaction: z
            .union([evmRaw, tronSigned])
            .meta({ description: "EVM: the signed raw transaction (0x…); TRON: the signed transaction JSON from tronWeb.trx.sign" }),
        }),
        response: { 200: z.object({ chain: z.string(), txHash: z.string() }), ...errors(400, 413, 415, 422, 429, 503) },
      },
    },
    async (request) => {
      const { chain: name, signedTransaction } = request.body;
      const chain = ctx.chains.get(name);
      if (chain instanceof EvmChain) {
        if (typeof signedTransaction !== "string")
          throw new ApiError("INVALID_TRANSACTION", `${name} takes a signed raw transaction in hex`);
        return { chain: name, txHash: await broadcastEvm(chain, signedTransaction) };
      }
      if (typeof signedTransaction === "string")
        throw new ApiError("INVALID_TRANSACTION", `${name} takes a signed TronWeb transaction (JSON)`);
      return { chain: name, txHash: await chain.broadcast(signedTransaction) };
    },
  );
}

async function broadcastEvm(chain: EvmChain, raw: string): Promise<string> {
  let tx: Transaction;
  try {
    tx = Transaction.from(raw);
  } catch (error) {
    throw new ApiError("INVALID_TRANSACTION", `not a transaction: ${shortReason(error)}`);
  }
  if (!tx.isSigned()) throw new ApiError("INVALID_TRANSACTION", "the transaction is not signed");
  if (tx.chainId !== chain.chainId) {
    throw new ApiError("WRONG_CHAIN", `the transaction is for chain id ${tx.chainId}, ${chain.name} is ${chain.chainId}`);
  }
  try {
    return (await chain.provider.broadcastTransaction(raw)).hash;
  } catch (error) {
    const e = error as { code?: string; error?: { code?: number; message?: string } };
    if ((e.code !== undefined && REFUSED.has(e.code)) || typeof e.error?.code === "number") {
      throw new ApiError("BROADCAST_REJECTED", `${chain.name} refused the transaction: ${e.error?.message ?? shortReason(error)}`);
    }
    throw new ApiError("CHAIN_UNAVAILABLE", `${chain.name}: could not broadcast (${shortReason(error)})`, { cause: error });
  }
}
