// The transactions a user signs, built from a quote: EVM transaction requests (approve where the
// allowance is short, then redenominate; or bridge, with value on BTTC) and the TRON swap deposit.
// Balances are checked first, so that nothing is built that would fail on chain for want of funds.
import { Signature, verifyTypedData } from "ethers";
import type { Types } from "tronweb";
import { EvmChain } from "./chains/evm-chain.ts";
import type { ChainRegistry } from "./chains/registry.ts";
import { TronChain } from "./chains/tron-chain.ts";
import { ApiError } from "./errors.ts";
import { evmAddress, tronAddress } from "./inputs.ts";
import type { Quote, Quoter } from "./quote.ts";
import type { RecipientGuard, Warning } from "./recipients.ts";

export interface EvmStep {
  family: "evm";
  action: "approve" | "redenominate" | "bridge";
  description: string;
  /** On a chain without EIP-1559 (BTTC): `type: 0` and a `gasPrice`, so that a wallet sends a legacy
   * transaction; elsewhere no fee fields (the wallet picks EIP-1559 fees). */
  transaction: { chainId: bigint; from: string; to: string; data: string; value: bigint; type?: 0; gasPrice?: bigint };
}

export interface TronStep {
  family: "tron";
  action: "deposit";
  description: string;
  memo: string;
  /** Unsigned, as TronWeb builds it: sign with `tronWeb.trx.sign(transaction)`. */
  transaction: Types.Transaction;
}

export type Step = EvmStep | TronStep;

/** EIP-2612 typed data a wallet may sign instead of sending the approval (tokens with permit only). */
export interface PermitOffer {
  domain: { name: string; version: string; chainId: bigint; verifyingContract: string };
  types: { Permit: { name: string; type: string }[] };
  primaryType: "Permit";
  message: { owner: string; spender: string; value: bigint; nonce: bigint; deadline: bigint };
}

export interface Built {
  quote: Quote;
  steps: Step[];
  /** Swaps from a token with permit, while the allowance is short: sign this, and ask again with `permit`. */
  permit: PermitOffer | null;
  /** What the user should know before signing (a contract recipient); empty when nothing. */
  warnings: Warning[];
}

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};
/** How long an offered permit stays valid. */
const PERMIT_LIFETIME_S = 3_600n;

export interface BridgeRequest {
  from: string;
  to: string;
  amount: bigint;
  sender: string;
  recipient: string;
}

export type SwapRequest = Omit<BridgeRequest, "to"> & {
  /** A signed permit (of the `permit` offered before), used instead of an approval. */
  permit?: { deadline: bigint; signature: string } | undefined;
};

export class TransactionBuilder {
  private readonly chains: ChainRegistry;
  private readonly quoter: Quoter;
  private readonly guard: RecipientGuard;

  constructor(chains: ChainRegistry, quoter: Quoter, guard: RecipientGuard) {
    this.chains = chains;
    this.quoter = quoter;
    this.guard = guard;
  }

  async bridge(request: BridgeRequest): Promise<Built> {
    const sender = evmAddress(request.sender, "sender");
    const recipient = evmAddress(request.recipient, "recipient");
    const quote = await this.quoter.quote({ kind: "bridge", from: request.from, to: request.to, amount: request.amount });
    const src = this.chains.evm(quote.from, "is not a bridge chain");
    const dst = this.chains.evm(quote.to, "is not a bridge chain");
    const warnings = await this.guard.check(dst, recipient);
    const iface = src.gatewayInterface;
    const amount = request.amount;
    // On BTTC the gateway locks the native BTT sent with the call; on a remote chain it burns bridged BTT
    // (the remote gateway is the token itself).
    const native = src.config.role === "bttc";
    const balance = native ? await src.nativeBalance(sender) : (await src.tokenPosition(src.config.gateway, sender)).balance;
    if (balance < amount) throw short(src, sender, balance, amount, native ? "BTT" : "bridged BTT");
    const step = native
      ? evmStep(
          src,
          sender,
          "bridge",
          `lock ${amount} wei of BTT in ${src.name}'s gateway for ${recipient} on ${dst.name}`,
          iface.encodeFunctionData("bridge", [dst.chainId, recipient]),
          amount,
        )
      : evmStep(
          src,
          sender,
          "bridge",
          `burn ${amount} wei of bridged BTT on ${src.name} for ${recipient} on ${dst.name}`,
          iface.encodeFunctionData("bridge", [dst.chainId, recipient, amount]),
          0n,
        );
    return { quote, steps: await priced(src, [step]), permit: null, warnings };
  }

  async swap(request: SwapRequest): Promise<Built> {
    const recipient = evmAddress(request.recipient, "recipient");
    const src = this.chains.get(request.from);
    if (src instanceof TronChain) {
      if (request.permit) throw new ApiError("INVALID_PERMIT", "a TRON deposit takes no permit");
      const sender = tronAddress(request.sender, "sender");
      const quote = await this.quoter.quote({ kind: "swap", from: src.name, amount: request.amount });
      const warnings = await this.guard.check(this.chains.home, recipient);
      const { transaction, memo } = await src.buildDeposit(sender, request.amount, recipient);
      return {
        quote,
        steps: [
          {
            family: "tron",
            action: "deposit",
            description: `send ${request.amount} units of TRC-10 ${src.config.tokenId} to ${src.config.depositAddress} with memo ${memo}; TRON charges ${src.config.memoFeeSun} sun for the memo`,
            memo,
            transaction,
          },
        ],
        permit: null,
        warnings,
      };
    }
    const sender = evmAddress(request.sender, "sender");
    const quote = await this.quoter.quote({ kind: "swap", from: src.name, amount: request.amount });
    const warnings = await this.guard.check(this.chains.home, recipient);
    const rules = (await src.swapRules())!; // the quote has checked there are some
    const { balance, allowance } = await src.tokenPosition(rules.legacyToken, sender);
    if (balance < request.amount) throw short(src, sender, balance, request.amount, "legacy BTTOLD");
    const describe = `swap ${request.amount} BTTOLD base units for ${quote.amountOut} wei of BTT to ${recipient} on ${quote.to}`;
    if (request.permit) {
      const { v, r, s } = await this.checkPermit(src, rules.legacyToken, sender, request.amount, request.permit);
      const data = src.gatewayInterface.encodeFunctionData("redenominateWithPermit", [
        recipient,
        request.amount,
        request.permit.deadline,
        v,
        r,
        s,
      ]);
      const step = evmStep(src, sender, "redenominate", `${describe}, with the signed permit`, data, 0n);
      return { quote, steps: await priced(src, [step]), permit: null, warnings };
    }
    const steps: Step[] = [];
    let permit: PermitOffer | null = null;
    if (allowance < request.amount) {
      permit = await this.permitOffer(src, rules.legacyToken, sender, request.amount);
      const approve = EvmChain.tokenInterface.encodeFunctionData("approve", [src.config.gateway, request.amount]);
      steps.push({
        family: "evm",
        action: "approve",
        description: `allow ${src.name}'s gateway to take ${request.amount} BTTOLD base units (allowance now ${allowance})`,
        transaction: { chainId: src.chainId, from: sender, to: rules.legacyToken, data: approve, value: 0n },
      });
    }
    steps.push(
      evmStep(
        src,
        sender,
        "redenominate",
        describe,
        src.gatewayInterface.encodeFunctionData("redenominate", [recipient, request.amount]),
        0n,
      ),
    );
    return { quote, steps: await priced(src, steps), permit, warnings };
  }

  private async permitOffer(chain: EvmChain, token: string, owner: string, value: bigint): Promise<PermitOffer | null> {
    const domain = await chain.permitDomain(token);
    if (!domain) return null;
    const nonce = await chain.permitNonce(token, owner);
    const deadline = BigInt(Math.floor(Date.now() / 1000)) + PERMIT_LIFETIME_S;
    return {
      domain: domain as PermitOffer["domain"],
      types: PERMIT_TYPES,
      primaryType: "Permit",
      message: { owner, spender: chain.config.gateway, value, nonce, deadline },
    };
  }

  /** Checks a signed permit before anything is built on it: a bad one would only revert on chain. */
  private async checkPermit(
    chain: EvmChain,
    token: string,
    owner: string,
    value: bigint,
    permit: { deadline: bigint; signature: string },
  ): Promise<{ v: number; r: string; s: string }> {
    const domain = await chain.permitDomain(token);
    if (!domain) throw new ApiError("INVALID_PERMIT", `${chain.name}'s BTTOLD has no permit: approve instead`);
    if (permit.deadline <= BigInt(Math.floor(Date.now() / 1000))) throw new ApiError("INVALID_PERMIT", "the permit's deadline has passed");
    let signature: Signature;
    try {
      signature = Signature.from(permit.signature);
    } catch {
      throw new ApiError("INVALID_PERMIT", "permit.signature is not a 65-byte signature");
    }
    const nonce = await chain.permitNonce(token, owner);
    const message = { owner, spender: chain.config.gateway, value, nonce, deadline: permit.deadline };
    let signer: string;
    try {
      signer = verifyTypedData(domain, PERMIT_TYPES, message, signature);
    } catch {
      throw new ApiError("INVALID_PERMIT", "the permit signature does not recover");
    }
    if (signer !== owner) {
      throw new ApiError("INVALID_PERMIT", `the permit is not signed by the sender ${owner} for this amount, nonce ${nonce} and deadline`);
    }
    return { v: signature.v, r: signature.r, s: signature.s };
  }
}

function evmStep(chain: EvmChain, from: string, action: EvmStep["action"], description: string, data: string, value: bigint): EvmStep {
  return { family: "evm", action, description, transaction: { chainId: chain.chainId, from, to: chain.config.gateway, data, value } };
}

/** The steps with the chain's legacy fee fields, where it takes legacy transactions only. */
async function priced(chain: EvmChain, steps: Step[]): Promise<Step[]> {
  const gasPrice = await chain.legacyGasPrice();
  if (gasPrice === null) return steps;
  return steps.map((step) => (step.family === "evm" ? { ...step, transaction: { ...step.transaction, type: 0, gasPrice } } : step));
}

function short(chain: EvmChain, account: string, balance: bigint, amount: bigint, what: string): ApiError {
  return new ApiError("INSUFFICIENT_BALANCE", `${account} holds ${balance} base units of ${what} on ${chain.name}, less than ${amount}`);
}

/** A permit offer as JSON: numbers as decimal strings (wallets take them so). */
export function permitJson(p: PermitOffer | null) {
  if (!p) return null;
  const m = p.message;
  return {
    ...p,
    domain: { ...p.domain, chainId: p.domain.chainId.toString() },
    message: { ...m, value: m.value.toString(), nonce: m.nonce.toString(), deadline: m.deadline.toString() },
  };
}

/** A step as JSON: amounts as decimal strings. */
export function stepJson(step: Step) {
  if (step.family === "tron") return { ...step, transaction: step.transaction as unknown as Record<string, unknown> };
  const t = step.transaction;
  const fees = t.gasPrice === undefined ? {} : { type: 0 as const, gasPrice: t.gasPrice.toString() };
  return {
    ...step,
    transaction: { chainId: t.chainId.toString(), from: t.from, to: t.to, data: t.data, value: t.value.toString(), ...fees },
  };
}
