// The HTTP API: the part of java-tron's `wallet/*` and `walletsolidity/*` endpoints that TronWeb uses
// for TRX and TRC-10 transfers. Like java-tron, every endpoint takes GET (query parameters) or POST
// (a JSON body), answers unknown items with `{}` and bad requests with HTTP 200 and `{"Error": …}`.
import Fastify, { LogController, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { parseAddress } from "./address.ts";
import { utf8Bytes, toHex } from "./bytes.ts";
import type { TronChain, View } from "./chain.ts";
import { BadRequestError, ResponseCode, TransactionRefusedError, refuse } from "./errors.ts";
import { toInt64 } from "./int64.ts";
import { writeJson, type JsonValue } from "./json.ts";
import {
  renderAccount,
  renderAccountNet,
  renderAsset,
  renderBlock,
  renderChainParameters,
  renderTransaction,
  renderTransactionInfo,
  renderTransactionMessage,
  type RenderOptions,
} from "./render.ts";
import { TransactionFormatError, decodeTransactionHex, decodeTransactionJson, type DecodedTransaction } from "./transaction.ts";
import { isRecord } from "../../common/guards.ts";
import { messageOf } from "../../common/errors.ts";

/** java-tron's `BLOCK_LIMIT_NUM` for `getblockbylimitnext`. */
const BLOCK_LIMIT = 100n;
/** A block id or transaction id: 32 bytes of hex. */
const HASH_HEX = /^[0-9a-fA-F]{64}$/;

interface ApiRequest {
  readonly params: Readonly<Record<string, unknown>>;
  /** The JSON body as sent (broadcasttransaction takes the whole body as the transaction). */
  readonly body: unknown;
  readonly render: RenderOptions;
}

type Handler = (request: ApiRequest, view: View) => JsonValue;

function integerParam(params: ApiRequest["params"], name: string, fallback: bigint): bigint {
  const value = params[name];
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value !== "number" && typeof value !== "string") throw new BadRequestError(`${name} must be an integer`);
  try {
    return toInt64(value, name);
  } catch (error) {
    throw new BadRequestError(messageOf(error));
  }
}

function stringParam(params: ApiRequest["params"], name: string): string {
  const value = params[name];
  if (typeof value !== "string" || value === "") throw new BadRequestError(`${name} is required`);
  return value;
}

function booleanParam(params: ApiRequest["params"], name: string): boolean {
  const value = params[name];
  return value === true || value === "true";
}

function addressParam(params: ApiRequest["params"], name: string): string {
  const value = stringParam(params, name);
  try {
    return parseAddress(value);
  } catch {
    throw new BadRequestError(`INVALID address: ${value}`);
  }
}

function transactionIdParam(params: ApiRequest["params"]): string {
  const value = stringParam(params, "value");
  if (!HASH_HEX.test(value)) throw new BadRequestError(`value must be a 64-digit hex transaction id, got "${value}"`);
  return value.toLowerCase();
}

function createReadHandlers(chain: TronChain): Record<string, Handler> {
  return {
    getnowblock: ({ render }, view) => renderBlock(chain.headOf(view), true, render),
    getblock: ({ params, render }, view) => {
      const detail = booleanParam(params, "detail");
      const idOrNum = params.id_or_num;
      if (idOrNum === undefined || idOrNum === null || idOrNum === "") {
        return renderBlock(chain.headOf(view), detail, render);
      }
      const block =
        typeof idOrNum === "string" && HASH_HEX.test(idOrNum)
          ? chain.blockById(idOrNum, view)
          : chain.block(integerParam(params, "id_or_num", 0n), view);
      return block ? renderBlock(block, detail, render) : {};
    },
    getblockbynum: ({ params, render }, view) => {
      const block = chain.block(integerParam(params, "num", 0n), view);
      return block ? renderBlock(block, true, render) : {};
    },
    getblockbyid: ({ params, render }, view) => {
      const value = stringParam(params, "value");
      const block = HASH_HEX.test(value) ? chain.blockById(value, view) : undefined;
      return block ? renderBlock(block, true, render) : {};
    },
    getblockbylimitnext: ({ params, render }, view) => {
      const start = integerParam(params, "startNum", 0n);
      const end = integerParam(params, "endNum", 0n);
      if (start < 0n || end <= start || end - start > BLOCK_LIMIT) return {};
      const blocks = [];
      for (let n = start; n < end; n++) {
        const block = chain.block(n, view);
        if (!block) break;
        blocks.push(renderBlock(block, true, render));
      }
      return blocks.length > 0 ? { block: blocks } : {};
    },
    gettransactionbyid: ({ params, render }, view) => {
      const found = chain.transaction(transactionIdParam(params), view);
      return found ? renderTransaction(found.tx, found.included !== undefined, render) : {};
    },
    gettransactioninfobyid: ({ params }, view) => {
      const included = chain.transactionInfo(transactionIdParam(params), view);
      return included ? renderTransactionInfo(included) : {};
    },
    getaccount: ({ params, render }, view) => {
      const account = chain.account(addressParam(params, "address"), view);
      return account ? renderAccount(account, chain.slot(view), chain.genesisTimestamp, render) : {};
    },
    getassetissuebyid: ({ params, render }) => {
      const asset = chain.assets.get(stringParam(params, "value"));
      return asset ? renderAsset(asset, render) : {};
    },
  };
}

/** `Return.message` is bytes: hex, or UTF-8 text with `visible`. */
function returnMessage(message: string, render: RenderOptions): string {
  return render.visible ? message : toHex(utf8Bytes(message));
}

function createWalletOnlyHandlers(chain: TronChain, logger: Logger): Record<string, Handler> {
  function broadcast(tx: DecodedTransaction): TransactionRefusedError | undefined {
    try {
      chain.broadcast(tx);
      logger.info({ txid: tx.id, type: tx.contracts[0]?.typeName }, "transaction accepted");
      return undefined;
    } catch (error) {
      const refusal = error instanceof TransactionRefusedError ? error : refuse.other(messageOf(error));
      logger.info({ txid: tx.id, code: refusal.code, detail: refusal.detail }, "transaction refused");
      return refusal;
    }
  }
  return {
    getaccountnet: ({ params }) => {
      const account = chain.account(addressParam(params, "address"), "full");
      return account ? renderAccountNet(account, chain.slot("full"), chain.parameters) : {};
    },
    getchainparameters: () => renderChainParameters(chain.parameters),
    broadcasttransaction: ({ body, render }) => {
      const tx = decodeTransactionJson(body);
      const refusal = broadcast(tx);
      if (!refusal) return { result: true, txid: tx.id };
      return { code: refusal.code, txid: tx.id, message: returnMessage(refusal.message, render) };
    },
    broadcasthex: ({ params }) => {
      const tx = decodeTransactionHex(stringParam(params, "transaction"));
      const refusal = broadcast(tx);
      return {
        result: refusal === undefined,
        code: refusal?.code ?? ResponseCode.SUCCESS,
        message: refusal?.message ?? "",
        transaction: writeJson(renderTransactionMessage(tx, { visible: true }), { int64AsString: false }),
        txid: tx.id,
      };
    },
  };
}

function parseBody(raw: unknown): unknown {
  if (typeof raw !== "string" || raw.trim() === "") return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new BadRequestError(`invalid JSON: ${messageOf(error)}`);
  }
}

function apiRequest(request: FastifyRequest): { api: ApiRequest; int64AsString: boolean } {
  const query = isRecord(request.query) ? request.query : {};
  const body = request.method === "POST" ? parseBody(request.body) : {};
  const params = { ...query, ...(isRecord(body) ? body : {}) };
  return {
    api: { params, body, render: { visible: booleanParam(params, "visible") } },
    // java-tron honours int64_as_string on GET requests only.
    int64AsString: request.method === "GET" && booleanParam(query, "int64_as_string"),
  };
}

/** A Fastify server with the node's HTTP API (not listening yet). */
export function createHttpApi(chain: TronChain, logger: Logger) {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 4 * 1024 * 1024,
  });
  // java-tron reads every body as text and parses it itself, whatever the content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));

  const routes: [string, View, Handler][] = [];
  for (const [name, handler] of Object.entries(createReadHandlers(chain))) {
    routes.push([`/wallet/${name}`, "full", handler], [`/walletsolidity/${name}`, "solid", handler]);
  }
  for (const [name, handler] of Object.entries(createWalletOnlyHandlers(chain, logger))) {
    routes.push([`/wallet/${name}`, "full", handler]);
  }

  for (const [url, view, handler] of routes) {
    app.route({
      method: ["GET", "POST"],
      url,
      handler: async (request, reply) => {
        let json: string;
        try {
          const { api, int64AsString } = apiRequest(request);
          json = writeJson(handler(api, view), { int64AsString });
        } catch (error) {
          if (!(error instanceof BadRequestError || error instanceof TransactionFormatError)) throw error;
          json = writeJson({ Error: error.message }, { int64AsString: false });
        }
        return reply.type("application/json; charset=utf-8").send(json);
      },
    });
  }
  return app;
}
