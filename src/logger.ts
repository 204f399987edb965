/**
 * `middy-data-masking/logger`: masking for Powertools Logger and `@middy/input-output-logger`. It loads
 * `@aws-lambda-powertools/logger` (an optional peer dependency).
 *
 * @module
 */
export type { LogMaskingOptions } from './logger/entry-masker.js';
export { MaskingLogFormatter, type MaskingLogFormatterOptions } from './logger/masking-log-formatter.js';
export { createMaskingLogger, type MaskingLoggerOptions } from './logger/masking-logger.js';
