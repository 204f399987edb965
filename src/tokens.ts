/**
 * `middy-data-masking/tokens`: reversible pseudonyms (SPEC §10). Deterministic, authenticated tokens
 * (`tok_<version>_<base64url>`, AES-SIV under a KMS-wrapped 512-bit key), the `TokenKey` that makes and
 * reverses them, and the two handlers of a pseudonymization service. Loads `@aws-sdk/client-kms`.
 *
 * A `{ tokenize: key }` rule works wherever rules are accepted; `masker.detokenize(data, { key })` (main
 * entry point) reverses tokens.
 *
 * @module
 */
export {
  type CreateTokenKeyOptions,
  createTokenKey,
  type TokenKeyGeneratingClient,
} from './tokens/create-token-key.js';
export {
  type PseudonymizationHandlerOptions,
  pseudonymizationHandler,
} from './tokens/pseudonymization-handler.js';
export {
  type ReidentificationHandlerOptions,
  reidentificationHandler,
} from './tokens/reidentification-handler.js';
export type {
  RedshiftUdfEvent,
  RedshiftUdfResponse,
  TokenServiceHandler,
  TokenServiceHttpEvent,
  TokenServiceHttpResponse,
  TokenServiceLimits,
} from './tokens/service-protocol.js';
export { tokensDetector } from './tokens/token-detector.js';
export {
  TokenKey,
  type TokenKeyDescriptor,
  type TokenKeyOptions,
  type TokenKmsClient,
} from './tokens/token-key.js';
