import { JWT_SECRET } from '../support/auth';
import { startTestApp, TEST_DRIVERS } from '../support/test-app';

/** Operations anyone may call; every other one needs a bearer token. */
const PUBLIC = new Set([
  'POST /users',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/password-reset/request',
  'POST /auth/password-reset/confirm',
  'GET /livez',
  'GET /readyz',
  'GET /health',
  'GET /metrics',
]);

interface Operation {
  security?: Array<Record<string, string[]>>;
  'x-credentials'?: string;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

function operationsOf(document: Document): Array<[string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
      operation,
    ]),
  );
}

describe.each(TEST_DRIVERS)('OpenAPI security (%s)', (driver) => {
  it('outside dev mode offers the bearer and key schemes only, on every protected operation', async () => {
    const t = await startTestApp(driver, { JWT_SECRET, DEV_MODE: 'false' });
    try {
      const document = (await t.http().get('/docs-json').expect(200)).body as Document;
      expect(Object.keys(document.components.securitySchemes)).toEqual(['bearer', 'api-key']);
      const operations = operationsOf(document);
      expect(operations.map(([name]) => name)).toEqual(
        expect.arrayContaining([
          'GET /me',
          'POST /users/:id/disable',
          'POST /users/:id/revoke-sessions',
          'POST /tasks',
        ]),
      );
      for (const [name, operation] of operations) {
        if (PUBLIC.has(name))
          expect({ name, security: operation.security }).toEqual({ name, security: undefined });
        else
          expect({ name, security: operation.security }).toEqual({
            name,
            // Routes for password sessions only (keys, disable, revoke-sessions) offer no key.
            security:
              operation['x-credentials'] === 'session'
                ? [{ bearer: [] }]
                : [{ bearer: [] }, { 'api-key': [] }],
          });
      }
    } finally {
      await t.close();
    }
  });

  it('offers X-User-ID beside the bearer scheme in dev mode', async () => {
    const t = await startTestApp(driver, { JWT_SECRET, DEV_MODE: 'true' });
    try {
      const document = (await t.http().get('/docs-json').expect(200)).body as Document;
      const me = operationsOf(document).find(([name]) => name === 'GET /me')?.[1];
      expect(me?.security).toEqual([{ bearer: [] }, { 'api-key': [] }, { 'dev-user-id': [] }]);
    } finally {
      await t.close();
    }
  });
});
