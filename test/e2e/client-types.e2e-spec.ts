import { readFileSync } from 'node:fs';
import { CLIENT_TYPES_PATH, clientTypesFrom } from '../../scripts/client-types';
import { useTestApp } from '../support/api';
import { TEST_DRIVERS } from '../support/test-app';

describe.each(TEST_DRIVERS)('the committed client types (%s)', (driver) => {
  const app = useTestApp(driver, { DEV_MODE: 'false' });

  it('are what openapi-typescript makes of the running app’s document (npm run client:types)', async () => {
    const document: unknown = (await app().http().get('/docs-json').expect(200)).body;
    const committed = readFileSync(CLIENT_TYPES_PATH, 'utf8');
    // On a difference Jest prints the diff; regenerate with `npm run client:types`.
    expect(committed).toBe(await clientTypesFrom(document));
  });
});
