// The wallet-backed attestation signer: its signatures are the EIP-712 batch signatures (docs/protocol.md, "Attestations"; they
// recover to its address under the destination gateway's domain), it reads its key from where the
// configuration says, and it never shows the key.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, it } from "node:test";
import { Signature, Wallet, keccak256, toUtf8Bytes, verifyTypedData } from "ethers";
import {
  BATCH_TYPES,
  TransferKind,
  addressToBytes32,
  gatewayDomain,
  sequenceToRef,
  signBatch,
  type Transfer,
} from "../../../common/transfer.ts";
import { RelayerError } from "../../../relayer/errors.ts";
import { WalletAttestationSigner, type AttestationSigner } from "../../../relayer/attest/attestation-signer.ts";
import { CHAIN_IDS } from "../../../testkit/constants.ts";

const KEY = keccak256(toUtf8Bytes("attestation-signer-test"));
const domain = gatewayDomain(CHAIN_IDS.ethereum, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
const transfers: Transfer[] = [1n, 2n].map((sequence) => ({
  srcChainId: CHAIN_IDS.bttc,
  srcGateway: addressToBytes32("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"),
  srcRef: sequenceToRef(sequence),
  kind: TransferKind.Bridge,
  dstChainId: CHAIN_IDS.ethereum,
  recipient: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  amount: sequence * 10n ** 18n,
}));

describe("WalletAttestationSigner", () => {
  it("signs a batch as the gateways verify it: recovering to its address", async () => {
    const signer: AttestationSigner = new WalletAttestationSigner(KEY);
    assert.equal(signer.address, new Wallet(KEY).address);
    const compact = await signer.signBatch(domain, transfers);
    const full = Signature.from({ r: compact.r, yParityAndS: compact.vs }).serialized;
    assert.equal(verifyTypedData(domain, BATCH_TYPES, { transfers }, full), signer.address);
    assert.deepEqual(compact, (await signBatch(new Wallet(KEY), domain, transfers)).signature);
    // Another order is another batch.
    const reordered = await signer.signBatch(domain, [...transfers].reverse());
    assert.notDeepEqual(reordered, compact);
  });

  it("reads its key from an environment variable or a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "bttb-signer-"));
    const file = join(dir, "key");
    writeFileSync(file, `${KEY.slice(2)}\n`);
    const fromEnv = WalletAttestationSigner.fromSource({ env: "ATTESTATION_KEY" }, { ATTESTATION_KEY: KEY });
    const fromFile = WalletAttestationSigner.fromSource({ file }, {});
    assert.equal(fromEnv.address, new Wallet(KEY).address);
    assert.equal(fromFile.address, fromEnv.address);
    assert.throws(() => WalletAttestationSigner.fromSource({ env: "MISSING" }, {}), /no attestation key in environment variable MISSING/);
  });

  it("never shows its key, even when the key is malformed", () => {
    const signer = new WalletAttestationSigner(KEY);
    const secret = KEY.slice(2);
    for (const shown of [String(signer), inspect(signer, { depth: 10, showHidden: true }), JSON.stringify({ signer })]) {
      assert.ok(!shown.toLowerCase().includes(secret), shown);
      assert.ok(shown.includes(signer.address));
    }
    const bad = `${KEY}00`;
    assert.throws(
      () => new WalletAttestationSigner(bad),
      (error: unknown) => {
        assert.ok(error instanceof RelayerError);
        assert.equal(error.code, "KEY_INVALID");
        assert.equal(error.retryable, false);
        assert.ok(!inspect(error).toLowerCase().includes(secret));
        return true;
      },
    );
  });
});
