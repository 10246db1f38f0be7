// GET /v1/stats: the accounting invariant (docs/protocol.md, "Accounting invariant"), read from the chains.
// Each gateway's `accounting()` view gives what is locked (BTTC), minted (bridged supply on remote
// chains) and swapped; what is in flight — sent at a source, not yet delivered — comes from the gateways'
// TransferSent/SwapSent logs and the destinations' `isDelivered`, followed incrementally from each
// chain's configured start block, so a stats call reads only new blocks and the transfers still open.
//
// Everything is read at each chain's final block (its configured confirmations, or its `finalized`
// tag), never at the head: a transfer a reorg takes back out was never counted, and a block once
// scanned never changes. So a transfer appears once its source block is final, and stays in flight
// until its delivery is final on the destination (a delivery not yet final still counts as in flight).
// One computation runs at a time and callers that come while it runs share its answer: the open set
// and the pinned blocks are shared state, and a second scan must not change them under the first.
//
// The invariant itself, and the JSON of the stats, are common/accounting.ts's (the watchtower judges it too).
import { type Log, type Result } from "ethers";
import { chainStatsOf, evaluateInvariant, type ChainStats, type Stats } from "../common/accounting.ts";
import { addressToBytes32, sequenceToRef } from "../common/transfer.ts";
import type { EvmChain } from "./chains/evm-chain.ts";
import type { ChainRegistry } from "./chains/registry.ts";

interface Open {
  src: EvmChain;
  dst: EvmChain;
  kind: "bridge" | "swap";
  srcRef: string;
  amount: bigint;
}

export { statsJson, type ChainStats, type Stats } from "../common/accounting.ts";

export class AccountingReader {
  private readonly chains: ChainRegistry;
  private readonly open = new Map<string, Open>();
  private readonly nextBlock = new Map<string, bigint>();
  /** Each chain's final block at the last scan: every read of one stats call is pinned to it (see scan). */
  private readonly heads = new Map<string, bigint>();
  private computing: Promise<Stats> | null = null;

  constructor(chains: ChainRegistry) {
    this.chains = chains;
    for (const chain of chains.evmChains()) this.nextBlock.set(chain.name, chain.config.startBlock);
  }

  /** The stats at every chain's final block; concurrent callers share one computation. */
  stats(): Promise<Stats> {
    this.computing ??= this.compute().finally(() => (this.computing = null));
    return this.computing;
  }

  private async compute(): Promise<Stats> {
    await this.scan();
    const chains = await Promise.all(this.chains.evmChains().map((c) => this.chainStats(c)));
    const hasOtherSources = this.chains.all.length > this.chains.evmChains().length;
    return {
      chains,
      invariant: evaluateInvariant(chains, hasOtherSources),
      scannedTo: Object.fromEntries(this.chains.evmChains().map((c) => [c.name, this.heads.get(c.name)!])),
    };
  }

  private async chainStats(chain: EvmChain): Promise<ChainStats> {
    const blockTag = this.heads.get(chain.name)!;
    // By name: a gateway version may add fields (a surplus reported apart).
    const a = (
      (await chain.read("accounting", () => chain.gateway.getFunction("accounting")({ blockTag }))) as Result
    ).toObject() as Record<string, bigint | undefined>;
    const inFlight = { bridge: 0n, swap: 0n, transfers: 0 };
    for (const o of this.open.values()) {
      if (o.src !== chain) continue;
      inFlight[o.kind] += o.amount;
      inFlight.transfers++;
    }
    return chainStatsOf(chain.name, chain.config.role, a, inFlight);
  }

  /**
   * Reads new outbound logs of every gateway up to its final block, then drops what has been delivered
   * since. Every read for one chain — its logs, deliveries on it, its accounting — is made at the block
   * taken here, so that a transfer delivered while the stats are being read is counted once, not twice
   * or never (a transfer is delivered only after its source block is final, which the scan has read).
   */
  private async scan(): Promise<void> {
    await Promise.all(this.chains.evmChains().map((c) => this.scanChain(c)));
    await Promise.all(
      [...this.open].map(async ([id, o]) => {
        const blockTag = this.heads.get(o.dst.name)!;
        const delivered = await o.dst.read(
          "isDelivered",
          () =>
            o.dst.gateway.getFunction("isDelivered")(o.src.chainId, addressToBytes32(o.src.config.gateway), o.srcRef, {
              blockTag,
            }) as Promise<boolean>,
        );
        if (delivered) this.open.delete(id);
      }),
    );
  }

  private async scanChain(chain: EvmChain): Promise<void> {
    const iface = chain.gatewayInterface;
    const topics = [["TransferSent", "SwapSent"].filter((n) => iface.getEvent(n)).map((n) => iface.getEvent(n)!.topicHash)];
    const head = await chain.finalBlock();
    this.heads.set(chain.name, head);
    let from = this.nextBlock.get(chain.name)!;
    while (from <= head) {
      const to = from + BigInt(chain.config.maxBlockRange) - 1n < head ? from + BigInt(chain.config.maxBlockRange) - 1n : head;
      const logs: Log[] = await chain.read("logs", () =>
        chain.provider.getLogs({ address: chain.config.gateway, topics, fromBlock: from, toBlock: to }),
      );
      for (const log of logs) {
        const event = iface.parseLog(log);
        if (!event) continue;
        const sequence = event.args.getValue("sequence") as bigint;
        const dst = this.chains.evmChains().find((c) => c.chainId === (event.args.getValue("dstChainId") as bigint));
        if (!dst) continue; // a destination this API does not know cannot be checked
        this.open.set(`${chain.name}:${sequence}`, {
          src: chain,
          dst,
          kind: event.name === "SwapSent" ? "swap" : "bridge",
          srcRef: sequenceToRef(sequence),
          amount: event.args.getValue("amount") as bigint,
        });
      }
      from = to + 1n;
      this.nextBlock.set(chain.name, from);
    }
  }
}
