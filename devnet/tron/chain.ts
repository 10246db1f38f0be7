// The chain: blocks, the pending pool, and three views of the accounts: the head with pending
// transactions applied (what `wallet/*` reads, as on java-tron), and the solidified block, which lags
// the head by a fixed depth (what `walletsolidity/*` reads). Blocks are produced on demand, each one
// a deterministic function of its parent, the pending transactions in arrival order and the clock.
import { SigningKey, getBytes } from "ethers";
import type { AssetIssue } from "./asset.ts";
import { slotAt } from "./bandwidth.ts";
import { blockId, encodeIncludedTransaction, merkleRoot, signHeader, ZERO_HASH, type BlockHeader } from "./block.ts";
import { fromHex, toHex } from "./bytes.ts";
import { TransactionRefusedError } from "./errors.ts";
import { addressOfKey, type Genesis } from "./genesis.ts";
import { Ledger, LedgerOverlay, newAccount, type Account, type AccountReader } from "./ledger.ts";
import { BLOCK_VERSION, type ChainParameters } from "./params.ts";
import { processTransaction, type ProcessContext, type Receipt } from "./processor.ts";
import type { DecodedTransaction } from "./transaction.ts";

export interface IncludedTransaction {
  readonly tx: DecodedTransaction;
  readonly receipt: Receipt;
  readonly blockNumber: bigint;
  readonly blockTimestamp: bigint;
}

export interface Block {
  readonly id: string;
  readonly header: BlockHeader;
  /** Empty for the genesis block. */
  readonly witnessSignature: Uint8Array;
  readonly transactions: readonly IncludedTransaction[];
}

/** `full`: the head and pending transactions (`wallet/*`); `solid`: the solidified block (`walletsolidity/*`). */
export type View = "full" | "solid";

export interface ChainOptions {
  readonly genesis: Genesis;
  /** Block interval: the least time between two blocks' timestamps. */
  readonly blockIntervalMs: bigint;
  /** How many blocks the solidified block lags the head. */
  readonly solidityDepth: bigint;
  /** Milliseconds since the epoch (default Date.now). */
  readonly now?: () => number;
  /** Told of transactions dropped from the pending pool when a block is made. */
  readonly onDropped?: (tx: DecodedTransaction, error: TransactionRefusedError) => void;
}

interface PendingTransaction {
  readonly tx: DecodedTransaction;
  readonly receipt: Receipt;
}

export class TronChain {
  readonly genesisTimestamp: bigint;
  readonly parameters: ChainParameters;
  readonly assets: ReadonlyMap<string, AssetIssue>;
  readonly witnessAddress: string;
  readonly blockIntervalMs: bigint;
  readonly solidityDepth: bigint;

  readonly #witness: SigningKey;
  readonly #now: () => number;
  readonly #onDropped: ((tx: DecodedTransaction, error: TransactionRefusedError) => void) | undefined;
  readonly #blocks: Block[] = [];
  readonly #blocksById = new Map<string, Block>();
  readonly #included = new Map<string, IncludedTransaction>();
  /** java-tron's RecentBlockStore: the low 2 bytes of a block number (hex) → bytes 8..16 of its id. */
  readonly #recentBlocks = new Map<string, Uint8Array>();
  readonly #headState = new Ledger();
  readonly #solidState = new Ledger();
  /** Each unsolidified block's account writes, applied to the solid state when it solidifies. */
  readonly #unsolidifiedEffects = new Map<bigint, ReadonlyMap<string, Account>>();
  #solidNumber = 0n;
  #pending: PendingTransaction[] = [];
  readonly #pendingIds = new Set<string>();
  #pendingState: LedgerOverlay;

  constructor(options: ChainOptions) {
    const { genesis } = options;
    if (options.blockIntervalMs <= 0n) throw new RangeError("the block interval must be positive");
    if (options.solidityDepth < 0n) throw new RangeError("the solidity depth must not be negative");
    this.genesisTimestamp = genesis.timestamp;
    this.parameters = genesis.parameters;
    this.assets = new Map(genesis.tokens.map((token) => [token.id, token]));
    this.#witness = new SigningKey(genesis.witnessPrivateKey);
    this.witnessAddress = addressOfKey(genesis.witnessPrivateKey);
    this.blockIntervalMs = options.blockIntervalMs;
    this.solidityDepth = options.solidityDepth;
    this.#now = options.now ?? Date.now;
    this.#onDropped = options.onDropped;

    for (const account of genesis.accounts) {
      const funded: Account = { ...newAccount(account.address, genesis.timestamp), balance: account.balance, assets: account.assets };
      this.#headState.put(funded);
      this.#solidState.put(funded);
    }
    const header: BlockHeader = {
      number: 0n,
      timestamp: genesis.timestamp,
      parentHash: ZERO_HASH,
      txTrieRoot: ZERO_HASH,
      witnessAddress: new Uint8Array(),
      version: BLOCK_VERSION,
    };
    this.#append({ id: blockId(header), header, witnessSignature: new Uint8Array(), transactions: [] });
    this.#pendingState = new LedgerOverlay(this.#headState);
  }

  get head(): Block {
    return this.#blocks.at(-1)!;
  }

  get solidHead(): Block {
    return this.#blocks[Number(this.#solidNumber)]!;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Validates a transaction against the head and pending state and adds it to the pending pool; throws
   * a TransactionRefusedError with java-tron's code and message if java-tron would refuse it. */
  broadcast(tx: DecodedTransaction): void {
    const processed = processTransaction(
      tx,
      this.#context(this.#pendingState, this.head, (id) => this.#included.has(id) || this.#pendingIds.has(id), true),
    );
    this.#pendingState.apply(processed.writes);
    this.#pending.push({ tx, receipt: processed.receipt });
    this.#pendingIds.add(tx.id);
  }

  /** Makes the next block from the pending transactions, re-validating each on top of the head. */
  produceBlock(): Block {
    const parent = this.head;
    const number = parent.header.number + 1n;
    // At least one interval after the parent; later if the clock says so, on an interval boundary.
    const interval = this.blockIntervalMs;
    const now = BigInt(this.#now());
    const earliest = parent.header.timestamp + interval;
    const timestamp = now - (now % interval) > earliest ? now - (now % interval) : earliest;
    const state = new LedgerOverlay(this.#headState);
    const included: IncludedTransaction[] = [];
    const ids = new Set<string>();
    for (const { tx } of this.#pending) {
      try {
        const processed = processTransaction(
          tx,
          this.#context(state, parent, (id) => this.#included.has(id) || ids.has(id), false),
        );
        state.apply(processed.writes);
        included.push({ tx, receipt: processed.receipt, blockNumber: number, blockTimestamp: timestamp });
        ids.add(tx.id);
      } catch (error) {
        if (!(error instanceof TransactionRefusedError)) throw error;
        this.#onDropped?.(tx, error);
      }
    }
    const header: BlockHeader = {
      number,
      timestamp,
      parentHash: fromHex(parent.id),
      txTrieRoot: merkleRoot(included.map((t) => encodeIncludedTransaction(t.tx))),
      witnessAddress: fromHex(this.witnessAddress),
      version: BLOCK_VERSION,
    };
    const block: Block = {
      id: blockId(header),
      header,
      witnessSignature: signHeader(header, this.#witness),
      transactions: included,
    };
    this.#headState.apply(state.writes);
    this.#unsolidifiedEffects.set(number, state.writes);
    this.#append(block);
    this.#pending = [];
    this.#pendingIds.clear();
    this.#pendingState = new LedgerOverlay(this.#headState);
    this.#solidify(number - this.solidityDepth);
    return block;
  }

  block(number: bigint, view: View): Block | undefined {
    if (number < 0n || number > this.#lastNumber(view)) return undefined;
    return this.#blocks[Number(number)];
  }

  blockById(id: string, view: View): Block | undefined {
    const block = this.#blocksById.get(id.toLowerCase());
    return block && block.header.number <= this.#lastNumber(view) ? block : undefined;
  }

  headOf(view: View): Block {
    return view === "full" ? this.head : this.solidHead;
  }

  /** A transaction by id: in a block of the view, or (full view) still pending. */
  transaction(id: string, view: View): { tx: DecodedTransaction; included: IncludedTransaction | undefined } | undefined {
    const included = this.transactionInfo(id, view);
    if (included) return { tx: included.tx, included };
    if (view === "full") {
      const pending = this.#pendingIds.has(id.toLowerCase()) ? this.#pending.find((p) => p.tx.id === id.toLowerCase()) : undefined;
      if (pending) return { tx: pending.tx, included: undefined };
    }
    return undefined;
  }

  /** A transaction's execution in a block of the view. */
  transactionInfo(id: string, view: View): IncludedTransaction | undefined {
    const included = this.#included.get(id.toLowerCase());
    return included && included.blockNumber <= this.#lastNumber(view) ? included : undefined;
  }

  account(address: string, view: View): Account | undefined {
    return (view === "full" ? this.#pendingState : this.#solidState).get(address);
  }

  /** The resource slot of the view's head block, for the usage java-tron reports as recovered. */
  slot(view: View): bigint {
    return slotAt(this.headOf(view).header.timestamp, this.genesisTimestamp);
  }

  #lastNumber(view: View): bigint {
    return view === "full" ? this.head.header.number : this.#solidNumber;
  }

  #context(state: AccountReader, head: Block, isKnown: (id: string) => boolean, broadcasting: boolean): ProcessContext {
    return {
      state,
      parameters: this.parameters,
      assets: this.assets,
      head: { number: head.header.number, timestamp: head.header.timestamp, id: head.id },
      solidId: this.solidHead.id,
      genesisTimestamp: this.genesisTimestamp,
      recentBlockHash: (refBlockBytes) => this.#recentBlocks.get(toHex(refBlockBytes)),
      isKnown,
      ...(broadcasting ? { nextSlotTime: head.header.timestamp + this.blockIntervalMs } : {}),
    };
  }

  #append(block: Block): void {
    this.#blocks.push(block);
    this.#blocksById.set(block.id, block);
    for (const included of block.transactions) this.#included.set(included.tx.id, included);
    const id = getBytes(`0x${block.id}`);
    this.#recentBlocks.set(toHex(id.slice(6, 8)), id.slice(8, 16));
  }

  #solidify(target: bigint): void {
    while (this.#solidNumber < target) {
      const number = this.#solidNumber + 1n;
      const effects = this.#unsolidifiedEffects.get(number);
      if (effects) this.#solidState.apply(effects);
      this.#unsolidifiedEffects.delete(number);
      this.#solidNumber = number;
    }
  }
}
