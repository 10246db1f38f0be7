// ioredis hands back a pipeline's outcome as [error, reply] pairs; the record reads and writes want the
// replies, or the first error thrown.

/** A pipeline's replies, or its first error. */
export function pipelineReplies(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error("the Redis pipeline was not run (connection closed)");
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
