// Reading a gateway's current validator set from its chain: `status()` gives the epoch and threshold,
// `validators()` the members. Shared by the CLI (proposals, submissions) and the relayer (whose set it
// signs for); the caller brings the provider and its own retry policy.
import { Contract, getAddress, type Provider } from "ethers";
import { contractInterface } from "../contracts/artifacts.ts";
import type { ValidatorSet } from "./validator-set.ts";

/** The set the gateway at `gateway` holds now. The two reads are checked to be of one epoch (an update
 * mined between them is read again). */
export async function readValidatorSet(provider: Provider, gateway: string, blockTag: string | number = "latest"): Promise<ValidatorSet> {
  const contract = new Contract(getAddress(gateway), contractInterface("BttcGateway"), provider);
  for (let attempt = 0; ; attempt++) {
    const [before, validators] = await Promise.all([
      contract.getFunction("status")({ blockTag }) as Promise<{ validatorEpoch: bigint; threshold: bigint }>,
      contract.getFunction("validators")({ blockTag }) as Promise<string[]>,
    ]);
    const after = blockTag === "latest" ? ((await contract.getFunction("status")()) as { validatorEpoch: bigint }) : before;
    if (after.validatorEpoch === before.validatorEpoch || attempt >= 2) {
      return {
        epoch: BigInt(before.validatorEpoch),
        threshold: Number(before.threshold),
        validators: validators.map((v) => getAddress(v)),
      };
    }
  }
}

/** Only the epoch: a cheap way to learn that the set changed (one call). */
export async function readValidatorEpoch(provider: Provider, gateway: string): Promise<bigint> {
  const contract = new Contract(getAddress(gateway), contractInterface("BttcGateway"), provider);
  const status = (await contract.getFunction("status")()) as { validatorEpoch: bigint };
  return BigInt(status.validatorEpoch);
}
