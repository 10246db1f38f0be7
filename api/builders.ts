// The transactions a user signs, built from a quote: EVM transaction requests (approve where the
// allowance is short, then redenominate; or bridge, with value on BTTC) and the TRON swap deposit.
// Balances are checked first, so that nothing is built that would fail on chain for want of funds.
import type { Types } from "tronweb";
import { EvmChain } from "./chains/evm-chain.ts";
import type { ChainRegistry } from "./chains/registry.ts";
import { TronChain } from "./chains/tron-chain.ts";
import { ApiError } from "./errors.ts";
import { evmAddress, tronAddress } from "./inputs.ts";
import type { Quote, Quoter } from "./quote.ts";

export interface EvmStep {
  family: "evm";
  action: "approve" | "redenominate" | "bridge";
  description: string;
  transaction: { chainId: bigint; from: string; to: string; data: string; value: bigint };
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

export interface Built {
  quote: Quote;
  steps: Step[];
}

export interface BridgeRequest {
  from: string;
  to: string;
  amount: bigint;
  sender: string;
  recipient: string;
}

export type SwapRequest = Omit<BridgeRequest, "to">;

export class TransactionBuilder {
  private readonly chains: ChainRegistry;
  private readonly quoter: Quoter;

  constructor(chains: ChainRegistry, quoter: Quoter) {
    this.chains = chains;
    this.quoter = quoter;
  }

  async bridge(request: BridgeRequest): Promise<Built> {
    const sender = evmAddress(request.sender, "sender");
    const recipient = evmAddress(request.recipient, "recipient");
    const quote = await this.quoter.quote({ kind: "bridge", from: request.from, to: request.to, amount: request.amount });
    const src = this.chains.evm(quote.from, "is not a bridge chain");
    const dst = this.chains.evm(quote.to, "is not a bridge chain");
    const iface = src.gatewayInterface;
    if (src.config.role === "bttc") {
      const balance = await src.nativeBalance(sender);
      if (balance < request.amount) throw short(src, sender, balance, request.amount, "BTT");
      return {
        quote,
        steps: [
          evmStep(src, sender, "bridge", `lock ${request.amount} wei of BTT in ${src.name}'s gateway for ${recipient} on ${dst.name}`, iface.encodeFunctionData("bridge", [dst.chainId, recipient]), request.amount),
        ],
      };
    }
    const { balance } = await src.tokenPosition(src.config.gateway, sender); // the remote gateway is the token
    if (balance < request.amount) throw short(src, sender, balance, request.amount, "bridged BTT");
    return {
      quote,
      steps: [
        evmStep(src, sender, "bridge", `burn ${request.amount} wei of bridged BTT on ${src.name} for ${recipient} on ${dst.name}`, iface.encodeFunctionData("bridge", [dst.chainId, recipient, request.amount]), 0n),
      ],
    };
  }

  async swap(request: SwapRequest): Promise<Built> {
    const recipient = evmAddress(request.recipient, "recipient");
    const src = this.chains.get(request.from);
    if (src instanceof TronChain) {
      const sender = tronAddress(request.sender, "sender");
      const quote = await this.quoter.quote({ kind: "swap", from: src.name, amount: request.amount });
      const { transaction, memo } = await src.buildDeposit(sender, request.amount, recipient);
      return {
        quote,
        steps: [
          {
            family: "tron",
            action: "deposit",
            description: `send ${request.amount} units of TRC-10 ${"1002000"} to ${src.config.depositAddress} with memo ${memo}; TRON charges ${src.config.memoFeeSun} sun for the memo`,
            memo,
            transaction,
          },
        ],
      };
    }
    const sender = evmAddress(request.sender, "sender");
    const quote = await this.quoter.quote({ kind: "swap", from: src.name, amount: request.amount });
    const rules = (await src.swapRules())!; // the quote has checked there are some
    const { balance, allowance } = await src.tokenPosition(rules.legacyToken, sender);
    if (balance < request.amount) throw short(src, sender, balance, request.amount, "legacy BTTOLD");
    const steps: Step[] = [];
    if (allowance < request.amount) {
      const approve = EvmChain.tokenInterface.encodeFunctionData("approve", [src.config.gateway, request.amount]);
      steps.push({
        family: "evm",
        action: "approve",
        description: `allow ${src.name}'s gateway to take ${request.amount} BTTOLD base units (allowance now ${allowance})`,
        transaction: { chainId: src.chainId, from: sender, to: rules.legacyToken, data: approve, value: 0n },
      });
    }
    steps.push(
      evmStep(src, sender, "redenominate", `swap ${request.amount} BTTOLD base units for ${quote.amountOut} wei of BTT to ${recipient} on ${quote.to}`, src.gatewayInterface.encodeFunctionData("redenominate", [recipient, request.amount]), 0n),
    );
    return { quote, steps };
  }
}

function evmStep(chain: EvmChain, from: string, action: EvmStep["action"], description: string, data: string, value: bigint): EvmStep {
  return { family: "evm", action, description, transaction: { chainId: chain.chainId, from, to: chain.config.gateway, data, value } };
}

function short(chain: EvmChain, account: string, balance: bigint, amount: bigint, what: string): ApiError {
  return new ApiError("INSUFFICIENT_BALANCE", `${account} holds ${balance} base units of ${what} on ${chain.name}, less than ${amount}`);
}

/** A step as JSON: amounts as decimal strings. */
export function stepJson(step: Step) {
  if (step.family === "tron") return { ...step, transaction: step.transaction as unknown as Record<string, unknown> };
  const t = step.transaction;
  return { ...step, transaction: { chainId: t.chainId.toString(), from: t.from, to: t.to, data: t.data, value: t.value.toString() } };
}
