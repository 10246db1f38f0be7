// The table `npm start` prints once everything is up: where each part is, and who holds what.
import type { DevnetInfo } from "./configs.ts";

export function summary(info: DevnetInfo, infoFile: string, ms: number): string {
  const lines: string[] = ["", `BTT Bridge local testnet is up (${(ms / 1000).toFixed(1)} s)`, ""];
  lines.push("Chains");
  for (const [name, chain] of Object.entries(info.chains)) {
    const where = chain.rpcUrl ?? chain.fullHost;
    lines.push(`  ${name.padEnd(9)} chain id ${String(chain.chainId).padEnd(8)} ${String(where)}`);
  }
  lines.push("", "Contracts");
  for (const [name, chain] of Object.entries(info.chains)) {
    if (chain.gateway) lines.push(`  ${name.padEnd(9)} gateway ${String(chain.gateway)}${chain.token ? " (also bridged BTT)" : ""}`);
    if (chain.legacyToken)
      lines.push(`  ${name.padEnd(9)} legacy BTTOLD ${String(chain.legacyToken)} (${String(chain.legacyDecimals)} decimals)`);
    if (chain.depositAddress)
      lines.push(`  ${name.padEnd(9)} BTTOLD (TRC-10 ${String(chain.token)}) deposit address ${String(chain.depositAddress)}`);
  }
  lines.push("", "Relayer nodes (threshold " + String(info.threshold) + ")");
  for (const r of info.relayers) lines.push(`  ${r.id}  ${r.url}/health  ${r.url}/metrics  signer ${r.signer}`);
  lines.push("", `API      ${info.api.url}   docs ${info.api.docs}`);
  if (info.web) lines.push(`Web app  ${info.web.url}`);
  lines.push(`Redis    ${info.redis.url} (keys under ${info.redis.prefix})`);
  lines.push("", "Demo accounts (Hardhat's development keys: public, for local use only)");
  lines.push("  gas on every chain, BTT on BTTC, BTTOLD on TRON, Ethereum and BSC");
  for (const a of info.accounts) lines.push(`  #${a.index} ${a.address}  ${a.tronAddress}  ${a.privateKey}`);
  lines.push("", `Everything above is in ${infoFile}`, "Ctrl-C stops it all.");
  return lines.join("\n");
}
