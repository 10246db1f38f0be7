// Attestations for peers (docs/protocol.md, "Attestations"): `POST /v1/attestations` takes a batch in its JSON wire form
// (attest/request.ts) and answers this node's signature over it, or why not:
//   200 { signer, r, vs }                                   signed (ERC-2098 compact)
//   400 { error: { code: "INVALID_REQUEST", field, ... } }  malformed JSON or a wrong field, named
//   409 { error: { code: "ATTESTATION_REFUSED", reason, transferId?, ... } }  refused (cosigner.ts)
//   413 / 415                                               body too large / not JSON
// Every error body is `{ error: { code, message, ... } }`; bad input never yields a 5xx.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AttestationRefusedError, type CoSigner } from "../attest/cosigner.ts";
import { InvalidAttestationRequestError, parseAttestationRequest } from "../attest/request.ts";
import { PROPOSER_HEADER } from "../attest/peer-client.ts";

/** A full batch of 512 transfers is about 140 kB of JSON; anything much larger is not a request. */
export const ATTESTATION_BODY_LIMIT = 256 * 1024;

export interface AttestationResponseJson {
  signer: string;
  r: string;
  vs: string;
}

export interface ErrorJson {
  error: { code: string; message: string; [detail: string]: unknown };
}

export function registerAttestationRoutes(app: FastifyInstance, cosigner: CoSigner, options: { bodyLimit?: number } = {}): void {
  const bodyLimit = options.bodyLimit ?? ATTESTATION_BODY_LIMIT;
  app.route({
    method: "POST",
    url: "/v1/attestations",
    bodyLimit,
    handler: async (request: FastifyRequest): Promise<AttestationResponseJson> => {
      const proposer = request.headers[PROPOSER_HEADER];
      const signed = await cosigner.cosign(parseAttestationRequest(request.body), typeof proposer === "string" ? proposer : undefined);
      return { signer: signed.signer, r: signed.signature.r, vs: signed.signature.vs };
    },
    // On the route (not the app), so that the node's other routes keep their own error handling.
    errorHandler: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { status, body } = errorReply(error, bodyLimit);
      if (status >= 500) request.log.error({ err: error }, "attestation request failed");
      void reply.code(status).send(body);
    },
  });
}

function errorReply(error: FastifyError | Error, bodyLimit: number): { status: number; body: ErrorJson } {
  if (error instanceof InvalidAttestationRequestError) {
    return {
      status: 400,
      body: { error: { code: error.code, message: error.message, field: error.field, problems: error.problems } },
    };
  }
  if (error instanceof AttestationRefusedError) {
    const detail = error.transferId === undefined ? {} : { transferId: error.transferId };
    return {
      status: 409,
      body: { error: { code: error.code, reason: error.reason, message: error.message, retryable: error.retryable, ...detail } },
    };
  }
  // Fastify's own: the body could not be read (malformed JSON, too large, wrong media type).
  const status = "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = status === 413 ? "BODY_TOO_LARGE" : status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : "MALFORMED_REQUEST";
    const hint = status === 415 ? " (send application/json)" : status === 413 ? ` (at most ${bodyLimit} bytes)` : "";
    return { status, body: { error: { code, message: `${error.message}${hint}` } } };
  }
  return { status: 500, body: { error: { code: "INTERNAL_ERROR", message: "the node could not handle the request; try again" } } };
}
