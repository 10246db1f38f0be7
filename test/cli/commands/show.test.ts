// `bttb invariant` over a /v1/stats answer: a surplus (BTT forced into the BTTC gateway) is shown apart and
// the command succeeds; a deficit is a violation and the command fails.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { invariantCommand } from "../../../cli/commands/show.ts";
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
