// `bttb invariant` over a /v1/stats answer: a surplus (BTT forced into the BTTC gateway) is shown apart and
// the command succeeds; a deficit is a violation and the command fails.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { invariantCommand, transferCommand } from "../../../cli/commands/show.ts";
import type { ApiClient } from "../../../cli/api-client.ts";
import type { CliContext } from "../../../cli/context.ts";

function stats(bridge: { locked: string; minted: string; inFlight: string; surplus: string; holds: boolean }) {
  const swap = { reservePaid: "0", owedByEvmSources: "0", evmInFlight: "0", paidForOtherSources: "0", holds: true };
  const bttc = { chain: "bttc", role: "bttc", locked: bridge.locked, minted: null, swapped: "0", feesHeld: "0", reserveBalance: "0" };
  return {
    chains: [{ ...bttc, inFlight: { bridge: bridge.inFlight, swap: "0", transfers: 1 } }],
    invariant: { holds: bridge.holds && swap.holds, bridge, swap },
  };
}

async function run(answer: unknown): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const api = { get: () => Promise.resolve(answer) } as unknown as ApiClient;
  const ctx: CliContext = {
    api,
    devnet: null,
    endpoints: {},
    baseUnits: true,
    json: false,
    out: (line) => lines.push(line),
    privateKey: () => "",
  };
  return { code: await invariantCommand(ctx), lines };
}

describe("bttb invariant", () => {
  it("shows a surplus apart, not as a violation", async () => {
    const { code, lines } = await run(stats({ locked: "1012345", minted: "1000000", inFlight: "0", surplus: "12345", holds: true }));
    assert.equal(code, 0);
    const bridge = lines.find((l) => l.startsWith("bridge:"))!;
    assert.match(bridge, /surplus 12345 wei, forced in without a transfer: not a violation/);
    assert.match(bridge, /: holds$/);
    assert.equal(lines.at(-1), "the accounting invariant holds");
  });

  it("reports a deficit as a violation", async () => {
    const { code, lines } = await run(stats({ locked: "999999", minted: "1000000", inFlight: "0", surplus: "0", holds: false }));
    assert.equal(code, 1);
    const bridge = lines.find((l) => l.startsWith("bridge:"))!;
    assert.match(bridge, /BROKEN \(deficit\)$/);
    assert.doesNotMatch(bridge, /surplus/);
    assert.equal(lines.at(-1), "THE ACCOUNTING INVARIANT DOES NOT HOLD");
  });
});

describe("bttb transfer", () => {
  const bttold = { symbol: "BTTOLD", standard: "TRC-10", tokenId: "1002000", address: null, decimals: 6, chain: "tron" };
  const btt = { symbol: "BTT", standard: "native", tokenId: null, address: null, decimals: 18, chain: "bttc" };
  const signers = ["0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222"];
  const swap = {
    id: `0x${"ab".repeat(32)}`,
    status: "submitted",
    kind: "swap",
    source: { chain: "tron", chainId: "1337728", txHash: `0x${"cd".repeat(32)}`, sender: "TPL66VK2gCXNCD7EJg9pgJRfqcRazjhUZY" },
    destination: { chain: "bttc", chainId: "1337199", recipient: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" },
    amount: "1500000000000000000000",
    fee: "0",
    legacyAmount: "1500000",
    signatures: 2,
    timeline: [{ status: "submitted", at: "2026-12-04T08:00:00.000Z", txHash: `0x${"ef".repeat(32)}`, detail: null }],
    attestation: { signatures: 2, threshold: 2, validators: 3, signers },
    delivery: { txHash: `0x${"ef".repeat(32)}`, blockNumber: "123", final: false },
    waiting: { reason: "destination_finality", message: "waiting for block 123 to be final", until: null, actions: [] },
    claimable: null,
    tokens: { sent: bttold, received: btt },
  };

  async function show(view: unknown, baseUnits = false): Promise<string[]> {
    const lines: string[] = [];
    const api = { get: () => Promise.resolve(view) } as unknown as ApiClient;
    const ctx: CliContext = { api, devnet: null, endpoints: {}, baseUnits, json: false, out: (l) => lines.push(l), privateKey: () => "" };
    assert.equal(await transferCommand(ctx, [swap.id]), 0);
    return lines;
  }

  it("prints both amounts with their tokens, the attestation (k of M, signers), the delivery and why it waits", async () => {
    const lines = await show(swap);
    assert.ok(lines.includes("  sent       1.5 BTTOLD — BTTOLD (TRC-10 1002000 on tron)"), lines.join("\n"));
    assert.ok(lines.includes("  received   1500 BTT — BTT (native on bttc)"), lines.join("\n"));
    assert.ok(lines.includes(`  attested   2 of 3 signatures (2 needed): ${signers.join(", ")}`), lines.join("\n"));
    assert.ok(lines.includes(`  delivery   0x${"ef".repeat(32)} in block 123, not final yet`), lines.join("\n"));
    assert.ok(lines.includes("  waiting    destination_finality: waiting for block 123 to be final"), lines.join("\n"));
  });

  it("names a bridge transfer's bridged token and offers delivering it yourself and a claim", async () => {
    const bridge = {
      ...swap,
      kind: "bridge",
      status: "delayed",
      amount: "990000000000000000",
      fee: "10000000000000000",
      legacyAmount: null,
      delivery: null,
      waiting: { reason: "daily_limit", message: "the limit refills", until: "2026-12-05T00:00:00.000Z", actions: ["deliver_yourself"] },
      claimable: { chain: "bttc", recipient: swap.destination.recipient, amount: "5" },
      tokens: {
        sent: {
          symbol: "BTT",
          standard: "BEP-20",
          tokenId: null,
          address: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
          decimals: 18,
          chain: "bsc",
        },
        received: btt,
      },
    };
    const lines = await show(bridge);
    assert.ok(lines.includes("  sent       1 BTT — BTT (BEP-20 0x5FbDB2315678afecb367f032d93F642f64180aa3 on bsc)"), lines.join("\n"));
    assert.ok(
      lines.some((l) => l.startsWith("  received   0.99 BTT — BTT (native on bttc) (fee 0.01 BTT)")),
      lines.join("\n"),
    );
    assert.ok(lines.includes("  waiting    daily_limit (until 2026-12-05T00:00:00.000Z): the limit refills"), lines.join("\n"));
    assert.ok(lines.some((l) => l.includes(`/v1/transfers/${swap.id}/delivery`)));
    assert.ok(lines.some((l) => l.startsWith("  claimable  0.000000000000000005 BTT on bttc")));
  });
});
