// Hardhat's simulated chain (EDR) loads a native package that npm installs as an optional dependency.
// That package declares `engines: node >= 22`, so npm running under an older Node (the system Node 20 on
// our CI machines) skips it without a word, and Hardhat later fails with HHE27. Here we fetch the one
// package this platform needs from the same registry, at the version EDR pins, when npm left it out.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

function platformSuffix() {
  const { platform, arch } = process;
  if (platform === "linux") {
    const glibc = process.report?.getReport()?.header?.glibcVersionRuntime;
    return `linux-${arch}-${glibc ? "gnu" : "musl"}`;
  }
  if (platform === "win32") return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

let edrManifestPath;
try {
  // The package's `exports` hide its package.json; find it beside its entry point.
  edrManifestPath = join(dirname(require.resolve("@nomicfoundation/edr")), "package.json");
} catch {
  process.exit(0); // Hardhat not installed (production install): nothing to do.
}
const edr = JSON.parse(readFileSync(edrManifestPath, "utf8"));
const name = `@nomicfoundation/edr-${platformSuffix()}`;
const version = edr.optionalDependencies?.[name];
if (!version) {
  console.warn(`ensure-edr: EDR ${edr.version} has no native package for ${platformSuffix()}`);
  process.exit(0);
}
const root = join(dirname(edrManifestPath), "..", "..");
const target = join(root, ...name.split("/"));
if (existsSync(join(target, "package.json"))) process.exit(0);

const work = mkdtempSync(join(tmpdir(), "ensure-edr-"));
try {
  const npm = process.env.npm_execpath;
  const npmArgs = ["pack", `${name}@${version}`, "--pack-destination", work, "--silent"];
  if (npm) execFileSync(process.execPath, [npm, ...npmArgs], { stdio: ["ignore", "ignore", "inherit"] });
  else execFileSync("npm", npmArgs, { stdio: ["ignore", "ignore", "inherit"] });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack produced no tarball for ${name}@${version}`);
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", join(work, tarball), "-C", target, "--strip-components=1"]);
  console.log(`ensure-edr: installed ${name}@${version} (npm skipped it under Node ${process.version})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
