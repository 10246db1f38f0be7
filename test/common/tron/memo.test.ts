// The swap memo (common/tron/memo.ts): the format pinned by a worked example, round trips, each
// rejection reason with its detail, the documented leniencies (surrounding whitespace, case of the
// prefix, the checksum and an all-lower/upper address), and that a one-digit typo in the address is
// never read as another recipient.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ZeroAddress, dataSlice, getAddress, hexlify, id, keccak256, toUtf8Bytes } from "ethers";
import fc from "fast-check";
import { decodeSwapMemo, encodeSwapMemo, swapMemoChecksum } from "../../../common/tron/memo.ts";

// Hardhat's account #1, as a BTTC recipient.
const RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
// keccak256("BTTC:0x70997970c51812dc3a010c7d01b50e0d17dc79c8") starts 905e0c39.
const MEMO = `BTTC:${RECIPIENT}:905e0c39`;

const bytes = (text: string) => new TextEncoder().encode(text);

function rejection(memo: Uint8Array | string | undefined): { reason: string; detail: string } {
  const decoded = decodeSwapMemo(memo);
  assert.equal(decoded.ok, false, `expected ${JSON.stringify(memo)} to be rejected`);
  return decoded;
}

describe("TRON swap memo", () => {
  it("is BTTC:<EIP-55 address>:<first 4 bytes of keccak256 of the lower-case form>", () => {
    assert.equal(encodeSwapMemo(RECIPIENT), MEMO);
    assert.equal(encodeSwapMemo(RECIPIENT.toLowerCase()), MEMO);
    assert.equal(MEMO.length, 56);
    const independent = keccak256(toUtf8Bytes(`BTTC:${RECIPIENT.toLowerCase()}`)).slice(2, 10);
    assert.equal(independent, "905e0c39");
    assert.equal(swapMemoChecksum(RECIPIENT), independent);
  });

  it("refuses to encode an invalid, wrongly cased or zero address", () => {
    assert.throws(() => encodeSwapMemo("0x1234"));
    assert.throws(() => encodeSwapMemo(RECIPIENT.replace("C51", "c51")));
    assert.throws(() => encodeSwapMemo(ZeroAddress), /zero address/);
  });

  it("decodes what it encodes, as text and as the bytes of raw_data.data", () => {
    assert.deepEqual(decodeSwapMemo(MEMO), { ok: true, recipient: RECIPIENT });
    assert.deepEqual(decodeSwapMemo(bytes(MEMO)), { ok: true, recipient: RECIPIENT });
  });

  it("ignores surrounding whitespace, and the case of the prefix, the checksum and an all-lower/upper address", () => {
    const lenient = [
      `  ${MEMO}\n`,
      `\t${MEMO}\r\n`,
      `\uFEFF${MEMO}`,
      `\u00A0${MEMO}\u00A0`,
      MEMO.toLowerCase(),
      `bttc:${RECIPIENT.toLowerCase()}:905E0C39`,
      `BTTC:0x${RECIPIENT.slice(2).toUpperCase()}:905e0c39`,
    ];
    for (const memo of lenient) {
      assert.deepEqual(decodeSwapMemo(memo), { ok: true, recipient: RECIPIENT }, JSON.stringify(memo));
      assert.deepEqual(decodeSwapMemo(bytes(memo)), { ok: true, recipient: RECIPIENT }, JSON.stringify(memo));
    }
  });

  it("MISSING: no memo, an empty one, or only whitespace", () => {
    for (const memo of [undefined, "", new Uint8Array(), " \n\t"]) assert.equal(rejection(memo).reason, "MISSING");
  });

  it("NOT_TEXT: bytes that are not UTF-8, or text with control characters", () => {
    const binary = rejection(new Uint8Array([0x70, 0x99, 0x79, 0x70, 0xc5, 0x18]));
    assert.deepEqual(binary, { ok: false, reason: "NOT_TEXT", detail: "the memo (6 bytes) is not UTF-8 text" });
    assert.equal(rejection(new Uint8Array([0xff, 0xfe, 0x42])).reason, "NOT_TEXT");
    assert.equal(rejection(`BTTC:\u0000${RECIPIENT}:905e0c39`).reason, "NOT_TEXT");
    assert.equal(rejection(bytes(`BTTC:${RECIPIENT}\u0007:905e0c39`)).reason, "NOT_TEXT");
  });

  it("WRONG_PREFIX: a bare address, another chain's name, free text", () => {
    for (const memo of [RECIPIENT, `ETH:${RECIPIENT}:905e0c39`, `swap to ${RECIPIENT}`, "BTTC", `BTTC ${RECIPIENT}`]) {
      assert.equal(rejection(memo).reason, "WRONG_PREFIX", memo);
    }
    assert.equal(rejection(RECIPIENT).detail, `the memo does not start with "BTTC:": "${RECIPIENT}"`);
  });

  it("BAD_ADDRESS: not 0x and 40 hex digits, or a mixed-case address that fails EIP-55", () => {
    const bad = [
      "BTTC:",
      "BTTC:0x1234:905e0c39",
      `BTTC:${RECIPIENT.slice(2)}:905e0c39`,
      `BTTC:${RECIPIENT}0:905e0c39`,
      `BTTC: ${RECIPIENT}:905e0c39`,
      `BTTC:0X${RECIPIENT.slice(2)}:905e0c39`,
      `BTTC:${RECIPIENT.slice(0, -1)}g:905e0c39`,
    ];
    for (const memo of bad) assert.equal(rejection(memo).reason, "BAD_ADDRESS", memo);
    const cased = rejection(`BTTC:${RECIPIENT.replace("C51", "c51")}:905e0c39`);
    assert.equal(cased.reason, "BAD_ADDRESS");
    assert.match(cased.detail, /EIP-55/);
  });

  it("BAD_CHECKSUM: missing, malformed, wrong, or followed by more", () => {
    const missing = rejection(`BTTC:${RECIPIENT}`);
    assert.equal(missing.reason, "BAD_CHECKSUM");
    assert.match(missing.detail, /without ":<checksum>"/);
    for (const memo of [`BTTC:${RECIPIENT}:`, `BTTC:${RECIPIENT}:905e0c3`, `BTTC:${RECIPIENT}:905e0c39:`, `BTTC:${RECIPIENT}:905e0c39 x`]) {
      assert.equal(rejection(memo).reason, "BAD_CHECKSUM", memo);
    }
    const wrong = rejection(`BTTC:${RECIPIENT}:905e0c38`);
    assert.deepEqual(wrong, {
      ok: false,
      reason: "BAD_CHECKSUM",
      detail: `checksum 905e0c38 does not match ${RECIPIENT} (expected 905e0c39)`,
    });
    // The checksum of another address, with this one: a typo in the address.
    const other = getAddress("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    assert.equal(rejection(`BTTC:${RECIPIENT}:${swapMemoChecksum(other)}`).reason, "BAD_CHECKSUM");
  });

  it("ZERO_ADDRESS: a well-formed memo naming 0x000…000", () => {
    const zero = `BTTC:${ZeroAddress}:${swapMemoChecksum(ZeroAddress)}`;
    assert.deepEqual(rejection(zero), { ok: false, reason: "ZERO_ADDRESS", detail: "the memo names the zero address" });
  });

  it("quotes a bad memo in its detail as JSON, cut to 80 characters", () => {
    const long = `hello "operator" ${"x".repeat(200)}`;
    const { detail } = rejection(long);
    assert.equal(detail, `the memo does not start with "BTTC:": ${JSON.stringify(`${long.slice(0, 80)}…`)}`);
  });

  it("round-trips any address, and rejects every one-digit change of it", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }).filter((b) => b.some((x) => x !== 0)),
        fc.nat(39),
        fc.nat(14),
        (raw, position, shift) => {
          const recipient = getAddress(hexlify(raw));
          const memo = encodeSwapMemo(recipient);
          assert.deepEqual(decodeSwapMemo(memo), { ok: true, recipient });
          // Replace hex digit `position` of the address with another digit (lower-case; the mixed-case
          // address then also fails EIP-55 unless the checksum catches it first).
          const index = "BTTC:0x".length + position;
          const digit = parseInt(memo[index]!, 16);
          const changed = ((digit + 1 + shift) % 16).toString(16);
          const typo = memo.slice(0, index) + changed + memo.slice(index + 1);
          const decoded = decodeSwapMemo(typo);
          assert.equal(decoded.ok, false, typo);
        },
      ),
      { numRuns: 500, seed: 4 },
    );
    // And the all-lower-case form of a typo, which EIP-55 cannot catch: the memo checksum does.
    for (let i = 0; i < 200; i++) {
      const recipient = getAddress(dataSlice(id(`recipient ${i}`), 12));
      const lower = encodeSwapMemo(recipient).toLowerCase();
      const index = 7 + (i % 40);
      const typo = lower.slice(0, index) + ((parseInt(lower[index]!, 16) + 1) % 16).toString(16) + lower.slice(index + 1);
      assert.equal(rejection(typo).reason, "BAD_CHECKSUM");
    }
  });
});
