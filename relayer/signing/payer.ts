// Sends transactions for one chain from one key: the key that pays for deliveries, kept apart from the
// attestation key. It keeps its own nonce rather than asking the node each time (ethers' 250 ms cache
// and a node's view of its pool both hand out a nonce twice under load): read once from the chain's
// `pending` count, then assigned in the process under a lock, one transaction at a time, so concurrent
// sends never share or skip one. A nonce is spent only once the node has taken its transaction; a send
// the node refused leaves it for the next. Fees are EIP-1559 from the node's fee data, capped; a
// transaction not mined in time is replaced under the same nonce with fees raised by at least 12.5%.
// Several processes of one node sending from the same key share a PayerLedger in Redis: its lock is
// taken (inside the process's own) around nonce assignment and broadcast, the next nonce is kept there,
// and every transaction sent is recorded, so that any process may replace it.
import { keccak256 } from "ethers";
import type { JsonRpcProvider, TransactionReceipt, TransactionRequest } from "ethers";
import type { Logger } from "pino";
import type { KeySource } from "../../common/schema.ts";
import { RelayerError } from "../errors.ts";
import { DEFAULT_RETRY, type RetryOptions } from "../../common/rpc/retry.ts";
import { withRetry } from "../chains/evm/rpc.ts";
import { classifyRpcError } from "../../common/rpc/evm-classifier.ts";
import { inspectSymbol, walletFromKey, walletFromSource } from "./keys.ts";
import { PayerLedger, type PayerLedgerOptions } from "./payer-ledger.ts";
import { isRecord } from "../../common/guards.ts";
import { sleep } from "../../common/async.ts";

/** Signs raw transactions for one address: an ethers Wallet, or a KMS-backed signer. */
export interface TransactionSigner {
  readonly address: string;
  signTransaction(tx: TransactionRequest): Promise<string>;
}

export interface PayerOptions {
  /** The chain's name, for messages. */
  chain: string;
  chainId: bigint;
  provider: JsonRpcProvider;
  /** A private key (hex), or a signer that holds it elsewhere. */
  key: string | TransactionSigner;
  /** Never pay more than this per gas (maxFeePerGas, or gasPrice on a chain without EIP-1559). */
  maxFeePerGas: bigint;
  /** Never tip more than this per gas (default: up to maxFeePerGas). */
  maxPriorityFeePerGas?: bigint;
  /** Replace a transaction not mined after this long (default 30 s). */
  replaceAfterMs?: number;
  /** Most replacements per transaction (default 5); after that it is rebroadcast as it is. */
  maxReplacements?: number;
  /** How long fee data read for new transactions is reused (default 1 s). */
  feeCacheMs?: number;
  retry?: RetryOptions;
  log?: Logger;
  /** Shares nonces and sent transactions with the node's other processes (Redis); none: this process only. */
  shared?: PayerLedgerOptions;
}

export interface TxRequest {
  to: string;
  data?: string;
  value?: bigint;
  /** Estimated (from this payer's address) when not given. */
  gasLimit?: bigint;
}

export type FeeSettings = { type: 2; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { type: 0; gasPrice: bigint };

/** A transaction this payer sent, with every replacement sent for its nonce. */
export interface PayerTransaction {
  readonly nonce: number;
  readonly request: Readonly<Required<TxRequest>>;
  /** Hashes sent under this nonce, oldest first; the last one carries the highest fees. */
  readonly hashes: string[];
  /** The fees of the last one sent. */
  fees: FeeSettings;
  /** When the last one was sent (ms since the epoch). */
  lastSentAt: number;
  replacements: number;
  /** The newest signed transaction, to rebroadcast when a node dropped it. */
  raw: string;
}

export interface MinedTransaction {
  /** The hash that was mined: the original or one of its replacements. */
  hash: string;
  nonce: number;
  receipt: TransactionReceipt;
  replacements: number;
}

export interface ReplaceOptions {
  replaceAfterMs?: number;
  maxReplacements?: number;
}

export interface WaitOptions extends ReplaceOptions {
  /** Between two checks (default 500 ms). */
  pollMs?: number;
  /** Give up (with a retryable PayerError) after this long; the transaction stays in flight. */
  timeoutMs?: number;
}

export class PayerError extends RelayerError {}

/** How nodes say a transaction's fee cap is under the next block's base fee (Hardhat/EDR, geth, erigon). */
const BASE_FEE_TOO_LOW =
  /too low for the next block|less than (the )?block base fee|fee cap less than block base fee|max fee per gas less than/i;

/** Nodes (geth, Erigon, Nethermind, BSC) want ≥ 10–12.5% more on both fees to replace a transaction. */
const BUMP_PERMILLE = 125n;
/** Nonce problems fixed by reading the chain again, before a send gives up. */
const MAX_NONCE_RESYNCS = 3;
/** Retries of the same signed transaction when the node's answer was lost. */
const UNCERTAIN_RETRY_DELAYS_MS = [200, 1_000];

type SendOutcome =
  | { kind: "sent" }
  | { kind: "nonce-low" | "nonce-high" | "occupied" | "uncertain"; reason: string }
  | { kind: "refused"; reason: string; retryable: boolean; insufficientFunds: boolean };

export class Payer {
  readonly chain: string;
  readonly chainId: bigint;
  readonly address: string;
  readonly #signer: TransactionSigner;
  readonly #provider: JsonRpcProvider;
  readonly #feeCap: bigint;
  readonly #tipCap: bigint;
  readonly #replaceAfterMs: number;
  readonly #maxReplacements: number;
  readonly #feeCacheMs: number;
  readonly #retry: RetryOptions;
  readonly #log: Logger | undefined;
  readonly #nonceLock = new Lock();
  readonly #txLocks = new WeakMap<PayerTransaction, Lock>();
  readonly #ledger: PayerLedger | undefined;
  /** The next nonce to use; undefined until read from the chain. */
  #next: number | undefined;
  /** The next nonce as the shared ledger holds it (while this process holds its lock). */
  #stored: number | undefined;
  #feeCache: { at: number; fees: Promise<FeeSettings> } | undefined;

  constructor(options: PayerOptions) {
    this.#signer = typeof options.key === "string" ? walletFromKey(options.key, "payer key") : options.key;
    this.address = this.#signer.address;
    this.chain = options.chain;
    this.chainId = options.chainId;
    this.#provider = options.provider;
    if (options.maxFeePerGas <= 0n) throw new PayerError("PAYER_CONFIG", `${this.chain}: maxFeePerGas must be positive`, false);
    this.#feeCap = options.maxFeePerGas;
    this.#tipCap = min(options.maxPriorityFeePerGas ?? options.maxFeePerGas, options.maxFeePerGas);
    this.#replaceAfterMs = options.replaceAfterMs ?? 30_000;
    this.#maxReplacements = options.maxReplacements ?? 5;
    this.#feeCacheMs = options.feeCacheMs ?? 1_000;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#log = options.log;
    this.#ledger = options.shared ? new PayerLedger(options.shared, this.chainId, this.address) : undefined;
  }

  /** A payer whose key is where the node's configuration says (an environment variable or a file). */
  static fromSource(source: KeySource, env: NodeJS.ProcessEnv, options: Omit<PayerOptions, "key">): Payer {
    return new Payer({ ...options, key: walletFromSource(source, env, "payer key") });
  }

  /** The payer's balance in the chain's native coin, for metrics and alerts. */
  async balance(): Promise<bigint> {
    return this.#read("eth_getBalance", () => this.#provider.getBalance(this.address, "latest"));
  }

  /** The nonce the next transaction will take (undefined before the first send or resync). */
  get nextNonce(): number | undefined {
    return this.#next;
  }

  /** Reads the nonce again from the chain's `pending` count (waiting for sends under way). */
  async resync(): Promise<number> {
    return this.#nonceLock.run(() =>
      this.#shared(async () => {
        this.#next = await this.#count("pending");
        return this.#next;
      }),
    );
  }

  /**
   * Signs and broadcasts a transaction under the next nonce. Resolves once the node has taken it.
   * A refusal leaves the nonce to the next send; nonce errors (too low, too high, taken by a transaction
   * this payer does not know) make it read the chain again and try again.
   */
  async send(request: TxRequest): Promise<PayerTransaction> {
    const full: Required<TxRequest> = {
      to: request.to,
      data: request.data ?? "0x",
      value: request.value ?? 0n,
      gasLimit: request.gasLimit ?? (await this.#estimate(request)),
    };
    const fees = await this.#feesForNew();
    return this.#nonceLock.run(() => this.#shared((lock) => this.#sendLocked(full, fees, lock)));
  }

  /** Runs `work` under the ledger's lock (with the nonce its last holder left), or as it is without one. */
  async #shared<T>(work: (lock: { readonly held: boolean }) => Promise<T>): Promise<T> {
    const ledger = this.#ledger;
    if (!ledger) return work({ held: true });
    return ledger.locked(async (lock) => {
      this.#next = this.#stored = await ledger.next();
      try {
        return await work(lock);
      } finally {
        // A resync that ended in an error is kept too (a send's own record carried its next nonce).
        if (this.#next !== undefined && this.#next !== this.#stored) await ledger.setNext(this.#next).catch(() => undefined);
      }
    });
  }

  async #sendLocked(request: Required<TxRequest>, initialFees: FeeSettings, lock: { readonly held: boolean }): Promise<PayerTransaction> {
    let fees = initialFees;
    let feesRefreshed = false;
    let nonce = this.#next ?? (await this.#count("pending"));
    this.#next = nonce;
    for (let resyncs = 0; ; resyncs++) {
      const raw = await this.#sign(request, nonce, fees);
      const hash = keccak256(raw);
      // Another process may have taken the shared lock after ours expired: it may be using this nonce.
      if (!lock.held)
        throw new PayerError(
          "PAYER_LOCK_LOST",
          `${this.chain}: the payer lock of ${this.address} expired before nonce ${nonce} was sent`,
          true,
        );
      const outcome = await this.#broadcast(raw, hash);
      if (outcome.kind === "sent") {
        const tx: PayerTransaction = { nonce, request, hashes: [hash], fees, lastSentAt: Date.now(), replacements: 0, raw };
        this.#next = nonce + 1;
        if (this.#ledger) {
          await this.#ledger.record(tx, this.#next);
          this.#stored = this.#next;
        }
        this.#log?.info({ chain: this.chain, payer: this.address, nonce, hash }, "payer sent a transaction");
        return tx;
      }
      if (outcome.kind === "refused") {
        // The base fee rose since the fee data was read (it is cached briefly): read it again, once.
        if (!feesRefreshed && BASE_FEE_TOO_LOW.test(outcome.reason)) {
          feesRefreshed = true;
          this.#feeCache = undefined;
          fees = await this.#feesForNew();
          continue;
        }
        throw new PayerError(
          outcome.insufficientFunds ? "PAYER_INSUFFICIENT_FUNDS" : "PAYER_SEND_REFUSED",
          `${this.chain}: the node refused a transaction from ${this.address} (nonce ${nonce}): ${outcome.reason}`,
          outcome.retryable,
        );
      }
      if (outcome.kind === "uncertain") {
        throw new PayerError(
          "PAYER_SEND_UNCERTAIN",
          `${this.chain}: no answer to a transaction from ${this.address} (nonce ${nonce}), and the node does not know it: ${outcome.reason}`,
          true,
        );
      }
      if (resyncs >= MAX_NONCE_RESYNCS) {
        throw new PayerError("PAYER_NONCE_UNRESOLVED", `${this.chain}: nonce ${nonce} refused again (${outcome.reason})`, true);
      }
      const pending = await this.#count("pending");
      // Too low: someone else used the key. Too high: a transaction of ours vanished, leaving a gap.
      // Occupied: a transaction we do not know holds it (sent before a restart): leave it be, go past it.
      const next = outcome.kind === "nonce-high" ? pending : Math.max(pending, nonce + 1);
      this.#log?.warn({ chain: this.chain, payer: this.address, nonce, next, reason: outcome.reason }, "payer nonce resynced");
      this.#next = nonce = next;
    }
  }

  /**
   * Whether the transaction (or one of its replacements) was mined; if it is overdue, sends a
   * replacement with higher fees first. Throws (not retryable) when its nonce was used by a transaction
   * this payer did not send.
   */
  async checkOrReplace(tx: PayerTransaction, options: ReplaceOptions = {}): Promise<MinedTransaction | null> {
    let lock = this.#txLocks.get(tx);
    if (!lock) this.#txLocks.set(tx, (lock = new Lock()));
    return lock.run(async () => {
      if ((await this.#count("latest")) > tx.nonce) {
        await this.#refresh(tx); // another process may have replaced it: every hash sent for it
        const mined = (await this.#findMined(tx)) ?? (await sleep(250).then(() => this.#findMined(tx)));
        if (mined) return mined;
        throw new PayerError(
          "PAYER_NONCE_TAKEN",
          `${this.chain}: nonce ${tx.nonce} of ${this.address} was used by a transaction other than ${tx.hashes.join(", ")}`,
          false,
        );
      }
      const replaceAfterMs = options.replaceAfterMs ?? this.#replaceAfterMs;
      if (Date.now() - tx.lastSentAt >= replaceAfterMs) {
        await this.#shared(async () => {
          // Under the shared lock, as the node's processes last left it: one of them may have replaced it.
          await this.#refresh(tx);
          if (Date.now() - tx.lastSentAt < replaceAfterMs) return;
          if (tx.replacements < (options.maxReplacements ?? this.#maxReplacements)) await this.#replace(tx);
          else await this.#rebroadcast(tx);
          await this.#ledger?.record(tx);
        });
      }
      return null;
    });
  }

  /**
   * A transaction this payer's key sent from any process of the node, by one of its hashes (null
   * without a shared ledger, or for a hash it does not know): to follow and replace it here.
   */
  async recall(hash: string): Promise<PayerTransaction | null> {
    return (await this.#ledger?.find(hash)) ?? null;
  }

  /** Brings `tx` up to what the shared ledger holds for its nonce (replacements sent elsewhere). */
  async #refresh(tx: PayerTransaction): Promise<void> {
    const stored = await this.#ledger?.load(tx.nonce);
    if (!stored || !stored.hashes.includes(tx.hashes[0]!)) return;
    tx.hashes.splice(0, tx.hashes.length, ...stored.hashes);
    tx.fees = stored.fees;
    tx.lastSentAt = stored.lastSentAt;
    tx.replacements = stored.replacements;
    tx.raw = stored.raw;
  }

  /** Waits until the transaction or a replacement is mined, replacing it while it is not. */
  async waitOrReplace(tx: PayerTransaction, options: WaitOptions = {}): Promise<MinedTransaction> {
    const started = Date.now();
    for (;;) {
      const mined = await this.checkOrReplace(tx, options);
      if (mined) return mined;
      if (options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs) {
        throw new PayerError(
          "PAYER_TX_STUCK",
          `${this.chain}: nonce ${tx.nonce} of ${this.address} not mined after ${options.timeoutMs} ms (${tx.replacements} replacements)`,
          true,
        );
      }
      await sleep(options.pollMs ?? 500);
    }
  }

  async #replace(tx: PayerTransaction): Promise<void> {
    const fees = replacementFees(tx.fees, await this.#currentFees(), this.#feeCap, this.#tipCap);
    if (!fees) {
      this.#log?.warn({ chain: this.chain, payer: this.address, nonce: tx.nonce }, "payer fee cap reached: cannot replace, rebroadcasting");
      await this.#rebroadcast(tx);
      return;
    }
    const raw = await this.#sign(tx.request, tx.nonce, fees);
    const hash = keccak256(raw);
    const outcome = await this.#broadcast(raw, hash);
    tx.lastSentAt = Date.now();
    switch (outcome.kind) {
      case "sent":
        tx.hashes.push(hash);
        tx.fees = fees;
        tx.raw = raw;
        tx.replacements++;
        this.#log?.info(
          { chain: this.chain, payer: this.address, nonce: tx.nonce, hash, replaces: tx.hashes.at(-2) },
          "payer replaced a transaction",
        );
        return;
      case "occupied":
        // The node wants more than this: start the next bump from these fees.
        tx.fees = fees;
        return;
      case "nonce-low":
        return; // mined meanwhile: the next check finds which hash
      default:
        this.#log?.warn({ chain: this.chain, payer: this.address, nonce: tx.nonce, reason: outcome.reason }, "payer replacement not sent");
    }
  }

  /** Sends the newest signed transaction again, for a node that dropped it (a known one is no harm). */
  async #rebroadcast(tx: PayerTransaction): Promise<void> {
    tx.lastSentAt = Date.now();
    await this.#broadcast(tx.raw, tx.hashes.at(-1) ?? keccak256(tx.raw));
  }

  async #findMined(tx: PayerTransaction): Promise<MinedTransaction | null> {
    for (const hash of [...tx.hashes].reverse()) {
      const receipt = await this.#read("eth_getTransactionReceipt", () => this.#provider.getTransactionReceipt(hash));
      if (receipt) return { hash, nonce: tx.nonce, receipt, replacements: tx.replacements };
    }
    return null;
  }

  /** Broadcasts a signed transaction; a lost answer is retried with the same bytes (at most once sent). */
  async #broadcast(raw: string, hash: string): Promise<SendOutcome> {
    let outcome: SendOutcome = { kind: "uncertain", reason: "not sent" };
    for (let attempt = 0; attempt <= UNCERTAIN_RETRY_DELAYS_MS.length; attempt++) {
      if (attempt > 0) await sleep(UNCERTAIN_RETRY_DELAYS_MS[attempt - 1]!);
      try {
        await this.#provider.send("eth_sendRawTransaction", [raw]);
        return { kind: "sent" };
      } catch (error) {
        const found = classifySend(error);
        if (found.kind === "known") return { kind: "sent" }; // these very bytes are in the pool
        outcome = found;
        if (outcome.kind === "uncertain") continue;
        // An error is not always a refusal: an automining Hardhat node mines a reverting transaction and
        // then answers with the revert; and after a lost answer, "nonce too low" may be our own doing.
        if ((outcome.kind === "refused" || (outcome.kind === "nonce-low" && attempt > 0)) && (await this.#isKnown(hash))) {
          return { kind: "sent" };
        }
        return outcome;
      }
    }
    return (await this.#isKnown(hash)) ? { kind: "sent" } : outcome;
  }

  async #isKnown(hash: string): Promise<boolean> {
    try {
      return (await this.#provider.getTransaction(hash)) !== null;
    } catch {
      return false;
    }
  }

  async #sign(request: Required<TxRequest>, nonce: number, fees: FeeSettings): Promise<string> {
    return this.#signer.signTransaction({
      chainId: this.chainId,
      nonce,
      to: request.to,
      data: request.data,
      value: request.value,
      gasLimit: request.gasLimit,
      ...fees,
    });
  }

  #feesForNew(): Promise<FeeSettings> {
    const now = Date.now();
    if (!this.#feeCache || now - this.#feeCache.at > this.#feeCacheMs) {
      const fees = this.#currentFees();
      this.#feeCache = { at: now, fees };
      // A failed read is not reused: the next send asks again.
      void fees.catch(() => {
        if (this.#feeCache?.fees === fees) this.#feeCache = undefined;
      });
    }
    return this.#feeCache.fees;
  }

  /** The node's fees now (EIP-1559 where the chain has a base fee), within the caps. */
  async #currentFees(): Promise<FeeSettings> {
    const data = await this.#read("fee data", () => this.#provider.getFeeData());
    if (data.maxFeePerGas !== null && data.maxPriorityFeePerGas !== null) {
      const tip = min(data.maxPriorityFeePerGas, this.#tipCap);
      return { type: 2, maxFeePerGas: min(max(data.maxFeePerGas, tip), this.#feeCap), maxPriorityFeePerGas: tip };
    }
    if (data.gasPrice === null) throw new PayerError("PAYER_NO_FEE_DATA", `${this.chain}: the node gave no fee data`, true);
    return { type: 0, gasPrice: min(data.gasPrice, this.#feeCap) };
  }

  async #estimate(request: TxRequest): Promise<bigint> {
    return this.#read("eth_estimateGas", () =>
      this.#provider.estimateGas({ from: this.address, to: request.to, data: request.data ?? "0x", value: request.value ?? 0n }),
    );
  }

  async #count(tag: "pending" | "latest"): Promise<number> {
    return this.#read(`eth_getTransactionCount ${tag}`, () => this.#provider.getTransactionCount(this.address, tag));
  }

  #read<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { ...this.#retry, chain: this.chain, operation });
  }

  toString(): string {
    return `Payer(${this.chain}, ${this.address})`;
  }

  toJSON(): { chain: string; address: string } {
    return { chain: this.chain, address: this.address };
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}

/**
 * Fees for a replacement: at least 12.5% (and 1 wei) more than the last on both EIP-1559 fields, and no
 * less than the node asks now; null when the caps leave no room for that.
 */
export function replacementFees(last: FeeSettings, now: FeeSettings, feeCap: bigint, tipCap: bigint): FeeSettings | null {
  if (last.type === 0) {
    const floor = bump(last.gasPrice);
    const current = now.type === 0 ? now.gasPrice : now.maxFeePerGas;
    return floor > feeCap ? null : { type: 0, gasPrice: min(max(floor, current), feeCap) };
  }
  const tipFloor = bump(last.maxPriorityFeePerGas);
  const feeFloor = bump(last.maxFeePerGas);
  const tipLimit = min(tipCap, feeCap);
  if (tipFloor > tipLimit || feeFloor > feeCap) return null;
  const tip = min(max(tipFloor, now.type === 2 ? now.maxPriorityFeePerGas : 0n), tipLimit);
  const currentFee = now.type === 2 ? now.maxFeePerGas : now.gasPrice;
  return { type: 2, maxPriorityFeePerGas: tip, maxFeePerGas: min(max(feeFloor, currentFee, tip), feeCap) };
}

function bump(value: bigint): bigint {
  const raised = (value * (1000n + BUMP_PERMILLE) + 999n) / 1000n;
  return raised > value ? raised : value + 1n;
}

/** What a node's answer to eth_sendRawTransaction means for the nonce. */
function classifySend(error: unknown): SendOutcome | { kind: "known" } {
  const code = isRecord(error) && typeof error.code === "string" ? error.code : "";
  const messages = messagesOf(error);
  const text = messages.join(" | ");
  // The innermost message is the node's own words; ethers' outer ones repeat the whole request.
  const reason = (messages.at(-1) ?? code ?? "unknown error").slice(0, 300);
  if (/already known|known transaction|already imported|alreadyknown/i.test(text)) return { kind: "known" };
  if (code === "NONCE_EXPIRED" || /nonce too low|nonce has already been used|expected nonce to be at least|oldnonce/i.test(text)) {
    return { kind: "nonce-low", reason };
  }
  if (/nonce too high|nonce gap|can't be queued/i.test(text)) return { kind: "nonce-high", reason };
  if (code === "REPLACEMENT_UNDERPRICED" || /replacement (transaction )?underpriced|replacement fee too low/i.test(text)) {
    return { kind: "occupied", reason };
  }
  const insufficientFunds = code === "INSUFFICIENT_FUNDS" || /insufficient funds|enough funds/i.test(text);
  if (insufficientFunds) return { kind: "refused", reason, retryable: true, insufficientFunds };
  if (!hasRpcAnswer(error) && classifyRpcError(error).retryable) return { kind: "uncertain", reason };
  const retryable = /underpriced|fee too low|pool is full|txpool is full|rate.?limit|too many requests/i.test(text);
  return { kind: "refused", reason, retryable, insufficientFunds: false };
}

/** Whether the error carries a JSON-RPC error object, i.e. the node itself answered. */
function hasRpcAnswer(error: unknown): boolean {
  if (!isRecord(error)) return false;
  const inner = isRecord(error.error) ? error.error : isRecord(error.info) && isRecord(error.info.error) ? error.info.error : undefined;
  return inner !== undefined && typeof inner.code === "number";
}

function messagesOf(error: unknown): string[] {
  const found: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isRecord(current); depth++) {
    for (const key of ["shortMessage", "message"] as const) {
      if (typeof current[key] === "string") found.push(current[key]);
    }
    const info = current.info;
    current = current.error ?? (isRecord(info) ? info.error : undefined) ?? current.cause;
  }
  return found;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function max(...values: bigint[]): bigint {
  return values.reduce((a, b) => (a > b ? a : b));
}

/** Runs tasks one at a time, in call order. */
class Lock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
