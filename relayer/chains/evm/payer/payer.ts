// Sends transactions for one chain from one key: the key that pays for deliveries, kept apart from the
// attestation key. It keeps its own nonce rather than asking the node each time (ethers' 250 ms cache
// and a node's view of its pool both hand out a nonce twice under load): read once from the chain's
// `pending` count, then assigned in the process under a lock, one transaction at a time, so concurrent
// sends never share or skip one. A nonce is spent only once the node has taken its transaction; a send
// the node refused leaves it for the next. Fees come from the node's fee data, capped: EIP-1559, or a
// legacy gasPrice on a chain without a base fee (BTTC) or where configured; a transaction not mined in
// time is replaced under the same nonce, of the same kind, with fees raised by at least 12.5%.
// Several processes of one node sending from the same key share a PayerLedger in Redis: its lock is
// taken (inside the process's own) around nonce assignment and broadcast, the next nonce is kept there,
// and every transaction sent is recorded, so that any process may replace it.
import { keccak256 } from "ethers";
import type { JsonRpcProvider } from "ethers";
import type { Logger } from "pino";
import type { KeySource } from "../../../../common/schema.ts";
import { sleep } from "../../../../common/async.ts";
import { inspectSymbol, walletFromKey, walletFromSource } from "../../../keys.ts";
import { DEFAULT_RETRY, type RetryOptions } from "../../../../common/rpc/retry.ts";
import { withRpcRetry } from "../rpc.ts";
import { FeeOracle } from "./fee-oracle.ts";
import { minOf, replacementFees } from "./fees.ts";
import { PayerLedger } from "./ledger.ts";
import { BASE_FEE_TOO_LOW, PayerError, classifySend, type SendOutcome } from "./send-errors.ts";
import { SerialQueue } from "./serial-queue.ts";
import type {
  FeeSettings,
  MinedTransaction,
  PayerOptions,
  PayerTransaction,
  ReplaceOptions,
  TransactionSigner,
  TxRequest,
  WaitOptions,
} from "./types.ts";

/** Nonce problems fixed by reading the chain again, before a send gives up. */
const MAX_NONCE_RESYNCS = 3;
/** Retries of the same signed transaction when the node's answer was lost. */
const UNCERTAIN_RETRY_DELAYS_MS = [200, 1_000];

export class Payer {
  readonly chain: string;
  readonly chainId: bigint;
  readonly address: string;
  readonly #signer: TransactionSigner;
  readonly #provider: JsonRpcProvider;
  readonly #replaceAfterMs: number;
  readonly #maxReplacements: number;
  readonly #retry: RetryOptions;
  readonly #log: Logger | undefined;
  readonly #nonceLock = new SerialQueue();
  readonly #txLocks = new WeakMap<PayerTransaction, SerialQueue>();
  readonly #ledger: PayerLedger | undefined;
  /** The next nonce to use; undefined until read from the chain. */
  #next: number | undefined;
  /** The next nonce as the shared ledger holds it (while this process holds its lock). */
  #stored: number | undefined;
  readonly #fees: FeeOracle;

  constructor(options: PayerOptions) {
    this.#signer = typeof options.key === "string" ? walletFromKey(options.key, "payer key") : options.key;
    this.address = this.#signer.address;
    this.chain = options.chain;
    this.chainId = options.chainId;
    this.#provider = options.provider;
    if (options.maxFeePerGas <= 0n) throw new PayerError("PAYER_CONFIG", `${this.chain}: maxFeePerGas must be positive`, false);
    this.#replaceAfterMs = options.replaceAfterMs ?? 30_000;
    this.#maxReplacements = options.maxReplacements ?? 5;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#fees = new FeeOracle({
      chain: this.chain,
      ...(options.feeType ? { type: options.feeType } : {}),
      feeCap: options.maxFeePerGas,
      tipCap: minOf(options.maxPriorityFeePerGas ?? options.maxFeePerGas, options.maxFeePerGas),
      cacheMs: options.feeCacheMs ?? 1_000,
      feeData: () => this.#read("fee data", () => this.#provider.getFeeData()),
    });
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
    const fees = await this.#fees.forNew();
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
          this.#fees.forget();
          fees = await this.#fees.forNew();
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
    if (!lock) this.#txLocks.set(tx, (lock = new SerialQueue()));
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
    const fees = replacementFees(tx.fees, await this.#fees.current(), this.#fees.feeCap, this.#fees.tipCap);
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

  async #estimate(request: TxRequest): Promise<bigint> {
    return this.#read("eth_estimateGas", () =>
      this.#provider.estimateGas({ from: this.address, to: request.to, data: request.data ?? "0x", value: request.value ?? 0n }),
    );
  }

  async #count(tag: "pending" | "latest"): Promise<number> {
    return this.#read(`eth_getTransactionCount ${tag}`, () => this.#provider.getTransactionCount(this.address, tag));
  }

  #read<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return withRpcRetry(fn, { ...this.#retry, chain: this.chain, operation });
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
