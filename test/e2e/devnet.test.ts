// The whole product as a newcomer meets it: the devnet started as `npm start` starts it, then, through
// the CLI (which goes through the API) as a user would: swaps of TRC-10 and ERC-20 BTTOLD, bridging
// BTTC → Ethereum → BSC → BTTC, every balance checked to the wei, the accounting invariant, one relayer
// node stopped while transfers still complete, and Ctrl-C leaving nothing running.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider, Wallet, parseUnits } from "ethers";
import { TronWeb } from "tronweb";
import { addressToBytes32 } from "../../common/transfer.ts";
import { rankFor } from "../../relayer/deliver/designation.ts";
import { routeKey } from "../../common/routes.ts";
import { alive, runCli, startDevnetProcess, type CliResult, type DevnetProcess } from "../../testkit/devnet.ts";
import { until } from "../../testkit/wait.ts";

const BALANCE = ["function balanceOf(address) view returns (uint256)"];

describe("local testnet end to end", { timeout: 900_000 }, () => {
  let devnet: DevnetProcess;
  let providers: Record<string, JsonRpcProvider>;
  let cli: (...args: string[]) => Promise<CliResult>;

  before(async () => {
    devnet = await startDevnetProcess("devnet-e2e");
    providers = Object.fromEntries(
      ["bttc", "ethereum", "bsc"].map((name) => [
        name,
        new JsonRpcProvider(String(devnet.info.chains[name]!.rpcUrl), undefined, { cacheTimeout: -1 }),
      ]),
    );
    cli = (...args) => runCli(["--devnet", devnet.infoFile, ...args]);
  });
  after(async () => {
    for (const p of Object.values(providers ?? {})) p.destroy();
    if (devnet && devnet.child.exitCode === null) await devnet.stop();
  });

  const token = (chain: string, address: string) => new Contract(address, BALANCE, providers[chain]);
  const bridged = (chain: string) => token(chain, String(devnet.info.chains[chain]!.token));
  const legacy = (chain: string) => token(chain, String(devnet.info.chains[chain]!.legacyToken));
  const fresh = () => Wallet.createRandom().address;

  function ok(result: CliResult, what: string): string {
    assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  it("swaps TRC-10 BTTOLD on TRON: 1.000007 BTTOLD becomes exactly 1,000.007 BTT on BTTC", async () => {
    const recipient = fresh();
    const tron = new TronWeb({ fullHost: String(devnet.info.chains.tron!.fullHost) });
    const holder = devnet.info.accounts[1]!.tronAddress;
    const before = await tokenBalance(tron, holder);
    ok(await cli("swap", "--from", "tron", "--amount", "1.000007", "--account", "1", "--recipient", recipient, "--follow"), "TRON swap");
    assert.equal(await providers.bttc!.getBalance(recipient), 1_000_007n * 10n ** 15n);
    assert.equal(before - (await tokenBalance(tron, holder)), 1_000_007n);
  });

  it("rejects a TRON deposit with a bad memo, and refunds it once through the CLI", async () => {
    const tron = new TronWeb({
      fullHost: String(devnet.info.chains.tron!.fullHost),
      privateKey: devnet.info.accounts[2]!.privateKey.slice(2),
    });
    const holder = devnet.info.accounts[2]!.tronAddress;
    const before = await tokenBalance(tron, holder);
    // A user's mistake: BTTOLD sent to the deposit address with a memo that names no recipient.
    let tx = await tron.transactionBuilder.sendToken(String(devnet.info.chains.tron!.depositAddress), 4_200_000, "1002000", holder);
    tx = await tron.transactionBuilder.addUpdateData(tx, "please swap", "utf8", { txLocal: true });
    const sent = await tron.trx.sendRawTransaction(await tron.trx.sign(tx));
    assert.equal(sent.result, true);
    const deposit = sent.transaction.txID;
    await until(
      "the deposit to be rejected",
      async () => {
        const shown = await cli("transfer", deposit, "--json");
        return shown.code === 0 && (JSON.parse(shown.stdout) as { status: string }).status === "rejected";
      },
      60_000,
      500,
    );
    assert.equal(before - (await tokenBalance(tron, holder)), 4_200_000n);

    const refund = JSON.parse(ok(await cli("refund", "--deposit", deposit, "--json"), "refund")) as {
      amount: string;
      to: string;
      depositTxId: string;
    };
    assert.equal(refund.amount, "4200000");
    assert.equal(refund.to, holder);
    // TronWeb's getAccount reads the solidified state: the refund shows once its block is solidified.
    await until("the refund to be solidified", async () => (await tokenBalance(tron, holder)) === before, 30_000, 500);
    const again = await cli("refund", "--deposit", deposit, "--json");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /ALREADY_REFUNDED/);
    assert.equal(await tokenBalance(tron, holder), before);
  });

  it("swaps legacy ERC-20 BTTOLD on Ethereum (6 decimals) and BSC (18 decimals) at 1 : 1,000", async () => {
    const r1 = fresh();
    const r2 = fresh();
    const holder = devnet.info.accounts[2]!.address;
    const ethBefore = await legacy("ethereum").getFunction("balanceOf")(holder);
    ok(await cli("swap", "--from", "ethereum", "--amount", "2.5", "--account", "2", "--recipient", r1, "--follow"), "Ethereum swap");
    ok(await cli("swap", "--from", "bsc", "--amount", "0.000000000000000007", "--account", "2", "--recipient", r2, "--follow"), "BSC swap");
    assert.equal(await providers.bttc!.getBalance(r1), parseUnits("2500", 18));
    assert.equal(await providers.bttc!.getBalance(r2), 7_000n);
    assert.equal(ethBefore - (await legacy("ethereum").getFunction("balanceOf")(holder)), 2_500_000n);
  });

  it("bridges BTTC → Ethereum → BSC → BTTC with exact balances on every chain", async () => {
    const user = devnet.info.accounts[3]!.address;
    const home = fresh();
    ok(await cli("bridge", "--from", "bttc", "--to", "ethereum", "--amount", "10", "--account", "3", "--follow"), "BTTC → Ethereum");
    assert.equal(await bridged("ethereum").getFunction("balanceOf")(user), parseUnits("10", 18));
    ok(await cli("bridge", "--from", "ethereum", "--to", "bsc", "--amount", "4", "--account", "3", "--follow"), "Ethereum → BSC");
    assert.equal(await bridged("ethereum").getFunction("balanceOf")(user), parseUnits("6", 18));
    assert.equal(await bridged("bsc").getFunction("balanceOf")(user), parseUnits("4", 18));
    ok(
      await cli("bridge", "--from", "bsc", "--to", "bttc", "--amount", "1.5", "--account", "3", "--recipient", home, "--follow"),
      "BSC → BTTC",
    );
    assert.equal(await bridged("bsc").getFunction("balanceOf")(user), parseUnits("2.5", 18));
    assert.equal(await providers.bttc!.getBalance(home), parseUnits("1.5", 18));
  });

  it("shows transfers and reports that the accounting invariant holds", async () => {
    const history = JSON.parse(ok(await cli("transfers", "--address", devnet.info.accounts[3]!.address, "--json"), "history")) as {
      transfers: { status: string; kind: string }[];
    };
    assert.equal(history.transfers.length, 3);
    assert.ok(history.transfers.every((t) => t.status === "completed" && t.kind === "bridge"));
    const stats = JSON.parse(ok(await cli("invariant", "--json"), "invariant")) as { invariant: { holds: boolean } };
    assert.equal(stats.invariant.holds, true);
  });

  it("still completes transfers with one relayer node stopped, the designated deliverer if it can", async () => {
    // The API follows n1's records, so n1 stays up; of n2 and n3, stop the one that is designated to
    // deliver one of the routes below, so that the others must take over its work.
    const routes = [
      { to: "bsc", amount: "0.25" },
      { to: "ethereum", amount: "0.75" },
    ];
    const ids = devnet.info.relayers.map((r) => r.id);
    const route = (to: string) =>
      routeKey({
        srcChainId: BigInt(devnet.info.chains.bttc!.chainId!),
        srcGateway: addressToBytes32(String(devnet.info.chains.bttc!.gateway)),
        dstChainId: BigInt(devnet.info.chains[to]!.chainId!),
      });
    const designated = routes.map((r) => ids.find((id) => rankFor(route(r.to), id, ids) === 0)!);
    const victim = devnet.info.relayers.find((r) => r.id !== "n1" && designated.includes(r.id)) ?? devnet.info.relayers[2]!;
    assert.ok(victim.pid !== undefined && alive(victim.pid));
    process.kill(victim.pid, "SIGTERM");
    await until("the relayer node to stop", () => Promise.resolve(!alive(victim.pid!)), 20_000);

    for (const r of routes) {
      const recipient = fresh();
      ok(
        await cli("bridge", "--from", "bttc", "--to", r.to, "--amount", r.amount, "--account", "4", "--recipient", recipient, "--follow"),
        `BTTC → ${r.to} with ${victim.id} down`,
      );
      assert.equal(await bridged(r.to).getFunction("balanceOf")(recipient), parseUnits(r.amount, 18));
    }
    const stats = JSON.parse(ok(await cli("invariant", "--json"), "invariant")) as { invariant: { holds: boolean } };
    assert.equal(stats.invariant.holds, true);
  });

  it("stops everything on Ctrl-C and leaves no process behind", async () => {
    const pids = Object.values(devnet.info.processes);
    const code = await devnet.stop();
    assert.equal(code, 0, devnet.output());
    assert.match(devnet.output(), /stopped\./);
    await until("every devnet process to exit", () => Promise.resolve(pids.every((pid) => !alive(pid))), 20_000);
  });
});

async function tokenBalance(tron: TronWeb, address: string): Promise<bigint> {
  const account = (await tron.trx.getAccount(address)) as { assetV2?: { key: string; value: number }[] };
  return BigInt(account.assetV2?.find((a) => a.key === "1002000")?.value ?? 0);
}
