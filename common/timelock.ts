// Admin actions go through the gateway's timelock: schedule, wait out the delay, execute.
import { ZeroHash, id } from "ethers";
import type { Contract } from "ethers";

export interface TimelockCall {
  target: string;
  data: string;
  value?: bigint;
}

/** A salt that makes each scheduled operation distinct. */
export function operationSalt(label: string): string {
  return id(label);
}

export async function scheduleCall(timelock: Contract, call: TimelockCall, salt: string): Promise<void> {
  const delay: bigint = await timelock.getFunction("getMinDelay")();
  await (await timelock.getFunction("schedule")(call.target, call.value ?? 0n, call.data, ZeroHash, salt, delay)).wait();
}

export async function executeCall(timelock: Contract, call: TimelockCall, salt: string): Promise<void> {
  await (await timelock.getFunction("execute")(call.target, call.value ?? 0n, call.data, ZeroHash, salt)).wait();
}
