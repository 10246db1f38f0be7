import { startHardhatNode } from "../testkit/hardhat-node.ts";
import { JsonRpcProvider, Wallet, ContractFactory } from "ethers";
import { readFileSync } from "node:fs";
const n = await startHardhatNode({ chainId: 1337199n });
try {
  const p = new JsonRpcProvider(n.url);
  const w = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", p);
  const a = JSON.parse(readFileSync("artifacts/contracts/governance/BridgeTimelock.sol/BridgeTimelock.json", "utf8"));
  try { const c = await new ContractFactory(a.abi, a.bytecode, w).deploy(0n, [w.address], [w.address]); await c.waitForDeployment(); console.log("deployed", await p.getCode(c.target as string).then(x=>x.length)); } catch (e) { console.log("deploy failed", (e as Error).message.slice(0, 300)); }
} finally { await n.stop(); }
