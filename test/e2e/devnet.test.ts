// The whole product as a newcomer meets it: the devnet started as `npm start` starts it, then, through
// the CLI (which goes through the API) as a user would: swaps of TRC-10 and ERC-20 BTTOLD, bridging
// BTTC → Ethereum → BSC → BTTC, every balance checked to the wei, the accounting invariant, one relayer
// node stopped while transfers still complete, and Ctrl-C leaving nothing running. Each chain runs its
// mainnet's rules (docs/operations.md, "The devnet's chains"): BTTC's blocks carry no base fee, it refuses
// a type-2 transaction, every transaction it mined (deployment, funding, deliveries, the CLI's) is a
// legacy one, and no contract the bridge deployed there holds an opcode after Berlin.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider, Wallet, getBytes, parseUnits } from "ethers";
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

  it("runs BTTC under Berlin rules: no base fee in its blocks, a type-2 transaction refused, Ethereum and BSC with one", async () => {
    const bttc = providers.bttc!;
    const latest = (await bttc.getBlock("latest"))!;
    assert.equal(latest.baseFeePerGas, null);
    assert.equal((await bttc.getBlock(1))!.baseFeePerGas, null);
    for (const name of ["ethereum", "bsc"]) assert.notEqual((await providers[name]!.getBlock("latest"))!.baseFeePerGas, null, name);

    const account = devnet.info.accounts[0]!;
    const wallet = new Wallet(account.privateKey, bttc);
    const typeTwo = await wallet.signTransaction({
      type: 2,
      chainId: BigInt(devnet.info.chains.bttc!.chainId!),
      to: fresh(),
      value: 1n,
      nonce: await bttc.getTransactionCount(wallet.address, "pending"),
      gasLimit: 21_000n,
      maxFeePerGas: parseUnits("100", "gwei"),
      maxPriorityFeePerGas: parseUnits("1", "gwei"),
    });
    await assert.rejects(bttc.broadcastTransaction(typeTwo), /EIP-1559|hardfork|not supported/i);
    // A legacy one from the same account, with the fees the chain gives, is mined.
    const legacy = await wallet.sendTransaction({ to: fresh(), value: 1n });
    assert.equal(legacy.type, 0);
    assert.equal((await legacy.wait())?.status, 1);
  });

  it("mined only legacy transactions on BTTC: deployment, funding, deliveries and the CLI's", async () => {
    const bttc = providers.bttc!;
    const head = await bttc.getBlockNumber();
    const types = new Map<number, number>();
    const senders = new Set<string>();
    let creations = 0;
    for (let n = 0; n <= head; n++) {
      const block = (await bttc.getBlock(n, true))!;
      for (const tx of block.prefetchedTransactions) {
        types.set(tx.type, (types.get(tx.type) ?? 0) + 1);
        senders.add(tx.from);
        if (tx.to === null) creations++;
      }
    }
    assert.deepEqual([...types.keys()], [0], `BTTC's transactions by type: ${JSON.stringify([...types])}`);
    // The deployer's (the gateway's creation among them), the relayers' deliveries, the CLI's bridges.
    assert.ok(creations >= 2, `${creations} contracts created on BTTC`);
    assert.ok(
      devnet.info.relayers.some((r) => senders.has(r.payer)),
      "a relayer delivered on BTTC",
    );
    assert.ok(senders.has(devnet.info.accounts[3]!.address), "the CLI bridged from BTTC");
  });

  it("deployed no contract on BTTC holding an opcode after Berlin (PUSH0, TLOAD, TSTORE, MCOPY, BASEFEE, blob opcodes)", async () => {
    const bttc = providers.bttc!;
    const chain = devnet.info.chains.bttc!;
    const addresses = Object.entries(chain).filter(
      ([key, value]) => typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value) && key !== "deployer",
    );
    assert.ok(addresses.some(([key]) => key === "gateway"));
    const found: string[] = [];
    for (const [key, address] of addresses) {
      const code = await bttc.getCode(String(address));
      if (code === "0x") continue;
      for (const op of postBerlinOpcodes(getBytes(code))) found.push(`${key} ${address}: ${op}`);
    }
    assert.deepEqual(found, []);
  });

  it("ran the watchtower beside it, which checked every delivery above and raised no alarm", async () => {
    const url = devnet.info.watchtower.url;
    const heads: Record<string, number> = Object.fromEntries(
      await Promise.all(Object.entries(providers).map(async ([name, p]) => [name, await p.getBlockNumber()])),
    );
    const health = await until(
      "the watchtower past every delivery so far",
      async () => {
        const h = (await (await fetch(`${url}/health`)).json()) as {
          status: string;
          alarms: number;
          checkedTo: Record<string, string>;
          pause: { requested: boolean };
        };
        return Object.entries(heads).every(([name, head]) => BigInt(h.checkedTo[name]!) >= BigInt(head)) && h;
      },
      30_000,
    );
    assert.equal(health.status, "ok");
    assert.equal(health.alarms, 0, "no false alarm for honest swaps (TRON, ERC-20) and bridges");
    assert.equal(health.pause.requested, false);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const checked = [...metrics.matchAll(/^bttb_watchtower_deliveries_checked_total\{chain="\w+"\} (\d+)/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    assert.ok(checked >= 6, `${checked} deliveries checked`);
    assert.match(metrics, /^bttb_watchtower_invariant_holds 1$/m);
  });

  it("stops everything on Ctrl-C and leaves no process behind", async () => {
    const pids = Object.values(devnet.info.processes);
    const code = await devnet.stop();
    assert.equal(code, 0, devnet.output());
    assert.match(devnet.output(), /stopped\./);
    await until("every devnet process to exit", () => Promise.resolve(pids.every((pid) => !alive(pid))), 20_000);
  });
});

/** Opcodes BTTC (Berlin rules) does not have, by byte: London's BASEFEE, Shanghai's PUSH0, Cancun's. */
const POST_BERLIN: Record<number, string> = {
  0x48: "BASEFEE",
  0x49: "BLOBHASH",
  0x4a: "BLOBBASEFEE",
  0x5c: "TLOAD",
  0x5d: "TSTORE",
  0x5e: "MCOPY",
  0x5f: "PUSH0",
};

/**
 * The post-Berlin opcodes in deployed code, each as "NAME at offset", walking instructions: the data of
 * PUSH1..PUSH32 (0x60..0x7f) is skipped, and so is solc's CBOR metadata at the end (its length in the
 * last two bytes), which is data, not code.
 */
function postBerlinOpcodes(code: Uint8Array): string[] {
  const metadata = code.length >= 2 ? ((code[code.length - 2]! << 8) | code[code.length - 1]!) + 2 : 0;
  const end = metadata <= code.length ? code.length - metadata : code.length;
  const found: string[] = [];
  for (let pc = 0; pc < end; pc++) {
    const op = code[pc]!;
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
    else if (POST_BERLIN[op]) found.push(`${POST_BERLIN[op]} at ${pc}`);
  }
  return found;
}

describe("postBerlinOpcodes", () => {
  it("finds PUSH0, TSTORE and MCOPY as instructions, not as PUSH data or the metadata", () => {
    // PUSH1 0x5f, PUSH0, PUSH2 0x5d5e, TSTORE, MCOPY, STOP, then metadata 0x5f5f (length 2).
    const code = Uint8Array.from([0x60, 0x5f, 0x5f, 0x61, 0x5d, 0x5e, 0x5d, 0x5e, 0x00, 0x5f, 0x5f, 0x00, 0x02]);
    assert.deepEqual(postBerlinOpcodes(code), ["PUSH0 at 2", "TSTORE at 6", "MCOPY at 7"]);
    assert.deepEqual(postBerlinOpcodes(Uint8Array.from([0x60, 0x5f, 0x00, 0x00, 0x00])), []);
  });
});

async function tokenBalance(tron: TronWeb, address: string): Promise<bigint> {
  const account = (await tron.trx.getAccount(address)) as { assetV2?: { key: string; value: number }[] };
  return BigInt(account.assetV2?.find((a) => a.key === "1002000")?.value ?? 0);
}
