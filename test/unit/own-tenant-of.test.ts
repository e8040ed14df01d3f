/**
 * acrbot's own tenant as the composition gives it to the flows (requests of another tenant are
 * refused, own-tenant.ts): MicrosoftAppTenantId in azure mode; in sandbox mode the sandbox's,
 * whose emulated directory holds the approvers, even when MicrosoftAppTenantId is set (else
 * every sandbox request would be refused as another tenant's).
 */
import type { AppConfig } from '../../src/config/app-config';
import { ownTenantOf } from '../../src/composition/flows';
import { SANDBOX_DEFAULTS } from '../../src/sandbox/defaults';

const configOf = (mode: string, tenantId?: string): AppConfig => ({ mode, app: { tenantId } }) as unknown as AppConfig;

describe('ownTenantOf', () => {
  test('azure mode: MicrosoftAppTenantId', () => {
    expect(ownTenantOf(configOf('azure', 'aaaaaaaa-0000-4000-8000-000000000001'))).toBe(
      'aaaaaaaa-0000-4000-8000-000000000001',
    );
  });

  test('sandbox mode: the sandbox tenant, with or without MicrosoftAppTenantId', () => {
    expect(ownTenantOf(configOf('sandbox'))).toBe(SANDBOX_DEFAULTS.tenantId);
    expect(ownTenantOf(configOf('sandbox', 'aaaaaaaa-0000-4000-8000-000000000001'))).toBe(SANDBOX_DEFAULTS.tenantId);
  });
});
