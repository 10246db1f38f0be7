// The TRON development node as a process: `node devnet/tron/main.ts --help`.
import { readFileSync } from "node:fs";
import { pino } from "pino";
import { TronNodeConfigError, USAGE, parseConfig } from "./config.ts";
import { GenesisFileSchema, defaultGenesis, genesisFromFile, type DevAccount, type Genesis } from "./genesis.ts";
import { startTronDevNode } from "./node.ts";
import { messageOf } from "../../common/errors.ts";
import { stopOnSignals } from "../../common/process.ts";

function loadGenesisFile(path: string): Genesis {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new TronNodeConfigError(`cannot read the genesis file ${path}: ${messageOf(error)}`);
  }
  const parsed = GenesisFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "(file)"}: ${issue.message}`);
    throw new TronNodeConfigError(`invalid genesis file ${path}:\n${problems.join("\n")}`);
  }
  try {
    return genesisFromFile(parsed.data);
  } catch (error) {
    throw new TronNodeConfigError(`invalid genesis file ${path}: ${messageOf(error)}`);
  }
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env);
  if (!config) {
    console.log(USAGE);
    return;
  }
  const logger = pino({ level: config.logLevel });
  let genesis: Genesis;
  let devAccounts: DevAccount[] = [];
  if (config.genesis) {
    genesis = loadGenesisFile(config.genesis);
  } else {
    ({ genesis, devAccounts } = defaultGenesis({
      mnemonic: config.mnemonic,
      accounts: config.accounts,
      balance: config.accountTrx,
      bttold: config.accountBttold,
    }));
  }
  const node = await startTronDevNode({
    host: config.host,
    port: config.port,
    blockIntervalMs: config.blockIntervalMs,
    mining: config.mining,
    solidityDepth: config.solidityDepth,
    genesis,
    logger,
  });
  for (const account of devAccounts) {
    logger.info(
      { index: account.index, address: account.base58, evmAddress: account.evmAddress, privateKey: account.privateKey },
      "funded development account",
    );
  }

  stopOnSignals(logger, () => node.close());
}

main().catch((error: unknown) => {
  if (error instanceof TronNodeConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
