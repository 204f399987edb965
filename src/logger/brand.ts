/**
 * Marks a `MaskingLogFormatter` without importing it: the middleware checks a logger's formatter for this
 * brand, and must not load the Powertools Logger to do so. A registered symbol survives duplicate copies
 * of the package and the ESM/CommonJS split.
 *
 * @module
 */
export const MASKING_FORMATTER: unique symbol = Symbol.for('middy-data-masking.MaskingLogFormatter') as never;

/** Whether a Powertools Logger's formatter is a `MaskingLogFormatter`; `undefined` when it is not a Powertools Logger. */
export function loggerMasks(logger: unknown): boolean | undefined {
  const getFormatter = (logger as { getLogFormatter?: unknown } | null)?.getLogFormatter;
  if (typeof getFormatter !== 'function') return undefined;
  const formatter = getFormatter.call(logger) as Record<symbol, unknown> | undefined;
  return formatter?.[MASKING_FORMATTER] === true;
}
