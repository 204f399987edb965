/**
 * `context: 'tenant'` (SPEC §12): the encryption context from Lambda tenant isolation. A function whose
 * `TenancyConfig` is `PER_TENANT` is invoked with a tenant id, which Lambda gives the handler as
 * `context.tenantId`; each tenant gets its own execution environments. The context is exactly
 * `{ tenant_id: context.tenantId }`.
 *
 * @module
 */
import { DataMaskingContextMismatchError } from '../errors.js';
import type { EncryptionContext } from './encryption-provider.js';

/** The `context` option value that reads Lambda tenant isolation's `context.tenantId`. */
export const TENANT_CONTEXT = 'tenant';

/**
 * `{ tenant_id }` from a Lambda context's `tenantId`.
 *
 * @throws {DataMaskingContextMismatchError} (403) when it is absent, empty or not a string: a request
 * without a tenant is refused, never served under no tenant.
 */
export function tenantContext(lambdaContext: unknown): EncryptionContext {
  const tenantId =
    lambdaContext !== null && typeof lambdaContext === 'object'
      ? (lambdaContext as { tenantId?: unknown }).tenantId
      : undefined;
  if (typeof tenantId !== 'string' || tenantId === '') {
    throw new DataMaskingContextMismatchError([], {
      message: "No tenant: context: 'tenant' needs Lambda tenant isolation's context.tenantId",
    });
  }
  return { tenant_id: tenantId };
}

/** Options that may read their context from Lambda tenant isolation (a surface's `decrypt` and `encrypt`). */
interface TenantReadingStage {
  readonly decrypt?: { readonly context?: unknown };
  readonly encrypt?: { readonly context?: unknown };
}

/** Whether any stage's `decrypt` or `encrypt` reads `context: 'tenant'`. */
export function readsTenant(stages: readonly TenantReadingStage[]): boolean {
  return stages.some((s) => s.decrypt?.context === TENANT_CONTEXT || s.encrypt?.context === TENANT_CONTEXT);
}
