// The deployment command deploys and wires a whole bridge over JSON-RPC to real `hardhat node` chains,
// from a deployment file, and refuses a file with a wrong value, naming it.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider, id, parseEther } from "ethers";
import { contractInterface } from "../../common/contracts/artifacts.ts";
import { startHardhatNode, type HardhatNode } from "../../testkit/hardhat-node.ts";
import { validatorWallets } from "../../testkit/world.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../testkit/constants.ts";

const run = promisify(execFile);
// Hardhat's first two development accounts (mnemonic "test test ... junk"): public test keys.
const DEPLOYER_KEY = DEV_KEYS[0];
const GUARDIAN = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("npm run deploy", () => {
  let bttc: HardhatNode;
  let ethereum: HardhatNode;
  const dir = mkdtempSync(join(tmpdir(), "bttb-deploy-"));
  const validators = validatorWallets(3).map((w) => w.address);

  before(async () => {
    [bttc, ethereum] = await Promise.all([
      startHardhatNode({ chainId: CHAIN_IDS.bttc }),
      startHardhatNode({ chainId: CHAIN_IDS.ethereum }),
    ]);
  });
  after(async () => {
    await Promise.all([bttc?.stop(), ethereum?.stop()]);
  });

  function deploymentFile(overrides: Record<string, unknown> = {}): string {
    const chain = (name: string, chainId: string, role: string, rpcUrl: string) => ({
      name,
      chainId,
      role,
      rpcUrl,
      deployerKey: { env: "BTTB_TEST_DEPLOYER_KEY" },
      guardian: GUARDIAN,
      dailyLimit: parseEther("1000000").toString(),
    });
    const file = join(dir, `deployment-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        validators,
        threshold: 2,
        chains: [
          { ...chain("bttc", String(CHAIN_IDS.bttc), "bttc", bttc.url), reserve: parseEther("100").toString() },
          {
            ...chain("ethereum", String(CHAIN_IDS.ethereum), "remote", ethereum.url),
            legacyToken: { mockDecimals: 18 },
            fees: { [String(CHAIN_IDS.bttc)]: "1000" },
          },
        ],
        ...overrides,
      }),
    );
    return file;
  }

  async function deploy(file: string) {
    const out = join(dir, "addresses.json");
    const result = await run(process.execPath, ["deploy/cli.ts", "--config", file, "--out", out], {
      env: { ...process.env, BTTB_TEST_DEPLOYER_KEY: DEPLOYER_KEY },
    });
    assert.ok(!result.stdout.includes(DEPLOYER_KEY.slice(2)), "the key is never printed");
    return JSON.parse(readFileSync(out, "utf8")) as {
      chains: Record<string, { chainId: string; gateway: string; timelock: string; token?: string; legacyToken?: string }>;
    };
  }

  it("deploys gateways, routes, limits, the reserve and timelocks, and writes their addresses", async () => {
    const addresses = await deploy(deploymentFile());
    const b = addresses.chains.bttc!;
    const e = addresses.chains.ethereum!;
    assert.equal(e.token, e.gateway); // the remote gateway is bridged BTT

    const bttcProvider = new JsonRpcProvider(bttc.url);
    const ethProvider = new JsonRpcProvider(ethereum.url);
    try {
      const bttcGateway = new Contract(b.gateway, contractInterface("BttcGateway"), bttcProvider);
      const ethGateway = new Contract(e.gateway, contractInterface("RemoteGateway"), ethProvider);
      assert.deepEqual([...(await bttcGateway.getFunction("validators")())], validators);
      assert.equal((await ethGateway.getFunction("status")()).threshold, 2n);
      assert.equal((await bttcGateway.getFunction("status")()).dailyLimit, parseEther("1000000"));
      const [, reserve] = await bttcGateway.getFunction("accounting")();
      assert.equal(reserve, parseEther("100"));
      const route = await ethGateway.getFunction("route")(CHAIN_IDS.bttc);
      assert.deepEqual([route.enabled, route.fee, route.minAmount], [true, 1000n, 0n]);
      assert.equal((await bttcGateway.getFunction("route")(CHAIN_IDS.ethereum)).enabled, true);
      assert.equal(await ethGateway.getFunction("legacyDecimals")(), 18n);
      // The admin role went to the timelock; the deployer kept nothing.
      const admin = "0x" + "00".repeat(32);
      assert.equal(await ethGateway.getFunction("hasRole")(admin, e.timelock), true);
      assert.equal(await ethGateway.getFunction("hasRole")(admin, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), false);
      assert.equal(await ethGateway.getFunction("hasRole")(id("GUARDIAN_ROLE"), GUARDIAN), true);
    } finally {
      bttcProvider.destroy();
      ethProvider.destroy();
    }
  });

  it("refuses a deployment file with a bad value, naming it, and deploys nothing", async () => {
    const file = deploymentFile({ threshold: 1 });
    const ethProvider = new JsonRpcProvider(ethereum.url);
    const nonceBefore = await ethProvider.getTransactionCount("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    await assert.rejects(deploy(file), (error: { stderr?: string }) => {
      assert.match(error.stderr ?? "", /threshold: threshold must be more than half/);
      return true;
    });
    assert.equal(await ethProvider.getTransactionCount("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), nonceBefore);
    ethProvider.destroy();
  });
});
