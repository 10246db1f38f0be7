// Asserts that a transaction reverts with one named custom error and its arguments.
import assert from "node:assert/strict";
import type { Interface } from "ethers";

export async function assertRevert(
  action: Promise<unknown>,
  iface: Interface,
  errorName: string,
  args?: readonly unknown[],
): Promise<void> {
  let data: string | undefined;
  try {
    await action;
  } catch (error) {
    data = revertData(error);
    if (data === undefined) throw error;
  }
  assert.ok(data !== undefined, `expected a revert with ${errorName}, but the call succeeded`);
  const parsed = iface.parseError(data);
  assert.ok(parsed, `revert data ${data} is not an error of this contract`);
  assert.equal(parsed.name, errorName);
  if (args) assert.deepEqual([...parsed.args], [...args]);
}

function revertData(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const data = (current as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x") && data.length >= 10) return data;
    current = (current as { error?: unknown; cause?: unknown }).error ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}
