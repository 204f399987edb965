/**
 * A pseudonymization service: ETL jobs, streaming jobs and SQL engines send batches of identifiers and
 * get back deterministic pseudonyms (tokens), so joins and counts still work on pseudonymized data; a
 * separate, more privileged function turns pseudonyms back into identifiers.
 *
 * Both handlers live in this one module, but template.yaml deploys them as two functions with two roles:
 * Lambda calls only the export a function's `Handler` names, so the pseudonymize function has no reverse
 * path, and who may reach the reidentify function is decided by the API's resource policy, not here.
 */
import { pseudonymizationHandler, reidentificationHandler, TokenKey } from 'middy-data-masking/tokens';

// What `npx middy-data-masking create-token-key` printed. It holds the key wrapped by KMS, useless without
// kms:Decrypt under its context (which the key policy gives these two roles only), so an environment
// variable is a fine place for it.
const descriptor = process.env.TOKEN_KEY;
if (!descriptor) {
  // Fail at cold start, with a reason, rather than answer every request with a 500.
  throw new Error('TOKEN_KEY is not set: deploy with the descriptor `create-token-key` printed');
}
const key = new TokenKey(JSON.parse(descriptor));

// No `await key.ready()` at cold start: each handler unwraps the key (one KMS Decrypt, shared by concurrent
// requests) on its first request that has something to convert, and keeps it for the life of the
// execution environment.
export const pseudonymize = pseudonymizationHandler({ key });
export const reidentify = reidentificationHandler({ key });
