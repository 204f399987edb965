/**
 * `middy-data-masking/middleware`: the Middy middleware. It needs `@middy/core` (>= 6) for its types only.
 *
 * @module
 */
export {
  type ContextOption,
  type CryptoFieldsOptions,
  type DataMaskingMiddlewareOptions,
  dataMasking,
} from './middleware/data-masking-middleware.js';
export { isHttpEvent } from './middleware/http.js';
