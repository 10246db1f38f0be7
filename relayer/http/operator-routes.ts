// The operator's endpoint (docs/operations.md, "Rotating validators"): `POST /v1/operator/validator-set-approvals`
// takes a proposal file's JSON and answers this node's approvals (attest/set-approver.ts). It signs with
// the attestation key, so it is authenticated: `Authorization: Bearer <token>`, the token from the
// node's `operatorToken`; without one configured the endpoint is off.
//   200 { signer, approvals: [{ signer, chainId, gateway, epoch, r, vs }] }
//   400 { error: { code: INVALID_PROPOSAL | INVALID_VALIDATOR_SET | INVALID_THRESHOLD, message } }
//   401 { error: { code: "UNAUTHORIZED" } }                 no or wrong token
//   404 { error: { code: "OPERATOR_ENDPOINT_OFF" } }        no token configured
//   409 { error: { code: STALE_PROPOSAL | NOT_A_VALIDATOR | DEADLINE_PASSED | UNKNOWN_GATEWAY, message } }
//   503 { error: { code: "CHAIN_UNAVAILABLE" } }            a chain could not be read; try again
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { BridgeError } from "../../common/errors.ts";
import { ValidatorSetError } from "../../common/validators/errors.ts";
import { approvalToJson, parseProposal } from "../../common/validators/proposal.ts";
import type { SetApprover } from "../attest/set-approver.ts";
import type { ErrorJson } from "./attestation-routes.ts";

export const APPROVALS_PATH = "/v1/operator/validator-set-approvals";

/** Codes of a proposal that is wrong in itself (400); the others are refusals given the chains' state (409). */
const BAD_INPUT = new Set(["INVALID_PROPOSAL", "INVALID_VALIDATOR_SET", "INVALID_THRESHOLD", "INVALID_CHANGE", "NO_CHANGE"]);

export function registerOperatorRoutes(app: FastifyInstance, approver: SetApprover, token: string | null): void {
  // Compared as hashes, in constant time: the answer's timing says nothing of the token.
  const expected = token === null ? null : createHash("sha256").update(token).digest();
  app.route({
    method: "POST",
    url: APPROVALS_PATH,
    bodyLimit: 64 * 1024,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      if (expected === null) {
        return reply
          .code(404)
          .send(error("OPERATOR_ENDPOINT_OFF", "this node has no operatorToken configured: its operator endpoint is off"));
      }
      const header = request.headers.authorization ?? "";
      const given = /^Bearer (.+)$/.exec(header)?.[1];
      if (given === undefined || !timingSafeEqual(createHash("sha256").update(given).digest(), expected)) {
        request.log.warn({ ip: request.ip }, "operator request with a missing or wrong token");
        return reply
          .code(401)
          .header("www-authenticate", "Bearer")
          .send(error("UNAUTHORIZED", "give this node's operator token: Authorization: Bearer <token>"));
      }
      const approvals = await approver.approve(parseProposal(request.body));
      return { signer: approvals[0]?.signer ?? null, approvals: approvals.map(approvalToJson) };
    },
    errorHandler: (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      if (err instanceof ValidatorSetError) {
        void reply.code(BAD_INPUT.has(err.code) ? 400 : 409).send(error(err.code, err.message));
        return;
      }
      const status = "statusCode" in err && typeof err.statusCode === "number" ? err.statusCode : 500;
      if (status >= 400 && status < 500) {
        void reply.code(status).send(error("MALFORMED_REQUEST", err.message));
        return;
      }
      if (err instanceof BridgeError && err.retryable) {
        void reply.code(503).send(error("CHAIN_UNAVAILABLE", `a chain could not be read; try again: ${err.message}`));
        return;
      }
      request.log.error({ err }, "validator-set approval failed");
      void reply.code(500).send(error("INTERNAL_ERROR", "the node could not handle the request; try again"));
    },
  });
}

function error(code: string, message: string): ErrorJson {
  return { error: { code, message } };
}
