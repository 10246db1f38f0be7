// The one error base: what every error carries (code, retryable, short message and details, cause),
// and that the relayer's, the API's, the CLI's, the devnet's and the deployment's errors are all of it,
// so whoever runs work decides retry or give-up from `retryable` alone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../../api/errors.ts";
import { MisconfiguredError } from "../../api/chains/evm-chain.ts";
import { ApiCallError, CliError, UsageError, AmountError, exitStatusOf } from "../../cli/errors.ts";
import { BridgeError, isRetryable, messageOf } from "../../common/errors.ts";
import { RedenominationError } from "../../common/redenomination.ts";
import { ConfigError } from "../../common/schema.ts";
import { DeployError } from "../../deploy/errors.ts";
import { DevnetError, PartFailedError } from "../../devnet/errors.ts";
import { TronNodeConfigError } from "../../devnet/tron/config.ts";
import { BadRequestError, ResponseCode, TransactionRefusedError, refuse } from "../../devnet/tron/errors.ts";
import { ChainDataError, ChainMismatchError, InvalidRequestError, RelayerError, RpcError } from "../../relayer/errors.ts";

describe("BridgeError", () => {
  it("carries its code, and is not retryable unless it says so", () => {
    const error = new BridgeError("SOMETHING", "it broke");
    assert.equal(error.code, "SOMETHING");
    assert.equal(error.retryable, false);
    assert.equal(new BridgeError("SOMETHING", "it broke", { retryable: true }).retryable, true);
    assert.ok(error instanceof Error);
  });

  it("keeps the short message apart from the details, and puts both in the message", () => {
    const bare = new BridgeError("X", "the node refused");
    assert.equal(bare.message, "the node refused");
    assert.equal(bare.shortMessage, "the node refused");
    assert.equal(bare.details, undefined);

    const detailed = new BridgeError("X", "the node refused", { details: "nonce 7 is taken" });
    assert.equal(detailed.message, "the node refused: nonce 7 is taken");
    assert.equal(detailed.shortMessage, "the node refused");
    assert.equal(detailed.details, "nonce 7 is taken");
  });

  it("keeps its cause, and has none when given none", () => {
    const cause = new Error("socket hang up");
    assert.equal(new BridgeError("X", "failed", { cause }).cause, cause);
    assert.equal("cause" in new BridgeError("X", "failed"), false);
  });

  it("is named after its class, subclasses included", () => {
    class ExampleError extends BridgeError<"EXAMPLE"> {}
    assert.equal(new BridgeError("X", "m").name, "BridgeError");
    assert.equal(new ExampleError("EXAMPLE", "m").name, "ExampleError");
    assert.equal(
      new RpcError({ chain: "bttc", operation: "eth_blockNumber", reason: "timeout", retryable: true, attempts: 3 }).name,
      "RpcError",
    );
  });
});

describe("isRetryable and messageOf", () => {
  it("isRetryable reads a BridgeError's flag, and takes anything else as transient unless told otherwise", () => {
    assert.equal(isRetryable(new BridgeError("X", "m", { retryable: true })), true);
    assert.equal(isRetryable(new BridgeError("X", "m")), false);
    assert.equal(isRetryable(new Error("ECONNRESET")), true);
    assert.equal(isRetryable(new Error("ECONNRESET"), false), false);
    assert.equal(isRetryable("a string"), true);
  });

  it("messageOf gives an error's message, and anything else as text", () => {
    assert.equal(messageOf(new BridgeError("X", "short", { details: "more" })), "short: more");
    assert.equal(messageOf(new TypeError("bad type")), "bad type");
    assert.equal(messageOf("plain"), "plain");
    assert.equal(messageOf(42), "42");
  });
});

describe("every part's errors are BridgeErrors", () => {
  it("relayer: codes and retryable flags, messages unchanged", () => {
    const keys = new RelayerError("KEYS_NOT_APART", "the payer key must not be the attestation key", false);
    assert.ok(keys instanceof BridgeError);
    assert.equal(keys.code, "KEYS_NOT_APART");
    assert.equal(keys.retryable, false);
    assert.equal(keys.message, "the payer key must not be the attestation key");

    const rpc = new RpcError({ chain: "bttc", operation: "eth_getLogs 1..2", reason: "HTTP 503", retryable: true, attempts: 2 });
    assert.ok(rpc instanceof BridgeError && rpc instanceof RelayerError);
    assert.equal(rpc.code, "RPC_UNAVAILABLE");
    assert.equal(rpc.retryable, true);
    assert.equal(rpc.message, "bttc: eth_getLogs 1..2 failed (2 attempts): HTTP 503");

    assert.equal(new InvalidRequestError("from > to").retryable, false);
    assert.equal(new ChainDataError("no block").code, "CHAIN_DATA");
    assert.equal(new ChainDataError("no block").retryable, true);
    assert.equal(new ChainMismatchError("bsc", "http://x", 56n, 1n).code, "CHAIN_ID_MISMATCH");
    const cause = new Error("inner");
    assert.equal(new RelayerError("RPC_FAILED", "m", false, { cause }).cause, cause);
  });

  it("API: the code's status, retryable for 429 and 503 only; a misconfigured chain is 503 but not retryable", () => {
    const notFound = new ApiError("TRANSFER_NOT_FOUND", "no transfer 0x01");
    assert.ok(notFound instanceof BridgeError);
    assert.equal(notFound.code, "TRANSFER_NOT_FOUND");
    assert.equal(notFound.statusCode, 404);
    assert.equal(notFound.retryable, false);
    assert.equal(notFound.message, "no transfer 0x01");
    assert.equal(new ApiError("RATE_LIMITED", "slow down").retryable, true);
    assert.equal(new ApiError("CHAIN_UNAVAILABLE", "bttc is down").retryable, true);

    const misconfigured = new MisconfiguredError("bttc: the endpoint serves chain 1");
    assert.ok(misconfigured instanceof ApiError && misconfigured instanceof BridgeError);
    assert.equal(misconfigured.code, "CHAIN_UNAVAILABLE");
    assert.equal(misconfigured.statusCode, 503);
    assert.equal(misconfigured.retryable, false);
  });

  it("CLI: usage errors exit with 2, the rest with 1; an API error keeps the API's code and message", () => {
    const usage = new UsageError("no key: give --account <i>", "NO_KEY");
    assert.ok(usage instanceof CliError && usage instanceof BridgeError);
    assert.equal(usage.code, "NO_KEY");
    assert.equal(new UsageError("bttb bridge needs --to").code, "USAGE");
    assert.equal(exitStatusOf(usage), 2);

    const amount = new AmountError('--amount: "x" is not a non-negative decimal number');
    assert.equal(amount.code, "INVALID_AMOUNT");
    assert.equal(exitStatusOf(amount), 1);

    const api = new ApiCallError(404, "TRANSFER_NOT_FOUND", "no transfer 0x01");
    assert.ok(api instanceof BridgeError);
    assert.equal(api.code, "API_ERROR");
    assert.equal(api.apiCode, "TRANSFER_NOT_FOUND");
    assert.equal(api.status, 404);
    assert.equal(api.retryable, false);
    assert.equal(api.message, "TRANSFER_NOT_FOUND: no transfer 0x01");
    assert.equal(exitStatusOf(api), 1);

    const unreachable = new ApiCallError(0, "API_UNREACHABLE", "no answer");
    assert.equal(unreachable.code, "API_UNREACHABLE");
    assert.equal(unreachable.retryable, true);
    assert.equal(exitStatusOf(new Error("anything else")), 1);
  });

  it("devnet: start-up failures, and the TRON node's refusals with java-tron's response codes and messages", () => {
    const part = new PartFailedError("redis", "exited (1) while starting");
    assert.ok(part instanceof DevnetError && part instanceof BridgeError);
    assert.equal(part.code, "PART_FAILED");
    assert.equal(part.part, "redis");
    assert.equal(part.message, "redis: exited (1) while starting");
    assert.equal(part.retryable, false);

    const duplicate = refuse.duplicate("ab".repeat(32));
    assert.ok(duplicate instanceof TransactionRefusedError && duplicate instanceof BridgeError);
    assert.equal(duplicate.code, ResponseCode.DUP_TRANSACTION_ERROR);
    assert.equal(duplicate.message, "Dup transaction.");
    assert.equal(duplicate.detail, `dup trans : ${"ab".repeat(32)}`);
    assert.equal(duplicate.retryable, false);
    assert.equal(new TransactionRefusedError(ResponseCode.SERVER_BUSY, "Server busy").retryable, true);

    assert.equal(new BadRequestError("value is required").code, "BAD_REQUEST");
    assert.equal(new TronNodeConfigError("invalid configuration").code, "CONFIG_INVALID");
  });

  it("configuration, redenomination and deployment errors", () => {
    assert.equal(new ConfigError("invalid relayer.json").code, "CONFIG_INVALID");
    assert.ok(new ConfigError("x") instanceof BridgeError);
    assert.equal(new RedenominationError("inexact").code, "REDENOMINATION_INEXACT");
    const deploy = new DeployError("INVALID_PLAN", "a bridge has exactly one BTTC chain, this plan has 2");
    assert.ok(deploy instanceof BridgeError);
    assert.equal(deploy.retryable, false);
  });
});
