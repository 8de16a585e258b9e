import { login } from '../support/auth';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';

/** A real access token for u_alice, which the test types into Swagger UI's bearer scheme. */
async function credentials(t: TestApp): Promise<{ scheme: string; value: string }> {
  const pair = await login(t, 'u_alice');
  return { scheme: 'bearer', value: pair.access_token };
}

async function authorize(page: Page, scheme: string, value: string): Promise<void> {
  await page.locator('button.authorize').first().click();
  // By the scheme's exact name: `hasText` would also match `bearer` inside the key's scheme.
  const container = page
    .locator('.auth-container')
    .filter({ has: page.locator('h4 code', { hasText: new RegExp(`^${scheme}$`) }) });
  await container.locator('input').first().fill(value);
  await container.locator('button.authorize').click();
  // Swagger UI swaps Authorize for Logout once it holds the credential.
  await container.locator('button', { hasText: 'Logout' }).waitFor();
  await page.locator('.modal-ux button.btn-done').first().click();
}

/** A page server on a loopback origin of its own: the single-page app calling the API. */
async function servePage(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>spa</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // localhost, not 127.0.0.1: another origin than the API's, on the same loopback.
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
}

/** CSP violations the page reports, gathered from the moment it starts. */
/** Swagger UI's "Try it out" on GET /me: the status and body it shows. */
async function tryGetMe(page: Page): Promise<{ status: string; body: string }> {
  const operation = page
    .locator('.opblock-get')
    .filter({ has: page.locator('.opblock-summary-path', { hasText: /^\/me$/ }) });
  await operation.locator('.opblock-summary').click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  await operation.getByRole('button', { name: 'Execute' }).click();
  const status = operation.locator('.live-responses-table .response .response-col_status');
  await status.waitFor();
  const body = await operation
    .locator('.live-responses-table .response-col_description pre')
    .first()
    .innerText();
  return { status: (await status.innerText()).trim(), body };
}

async function watchCspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
  // A string, as this file is compiled without the DOM's types.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) =>
      window.reportCspViolation(event.violatedDirective + ' ' + event.blockedURI));`,
  });
  return violations;
}

describe('Swagger UI in a real browser', () => {
  let t: TestApp;
  let baseUrl: string;
  let context: BrowserContext;
  let profile: string;
  let spa: { server: Server; origin: string };
  let stranger: { server: Server; origin: string };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: this test drives Debian's chromium. Run scripts/install-chromium.sh (as root).`,
      );
    }
    spa = await servePage();
    stranger = await servePage();
    // startTestApp already listens on a loopback port.
    t = await startTestApp('memory', { CORS_ORIGINS: spa.origin });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'taskflow-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
    for (const page of [spa, stranger]) page?.server.close();
  });

  it('authorizes, runs GET /me with "Try it out", and shows 200', async () => {
    const page = await context.newPage();
    const violations = await watchCspViolations(page);
    const docs = await page.goto(`${baseUrl}/docs`);
    expect(docs?.headers()['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    await page.locator('.swagger-ui .info .title').getByText('TaskFlow').waitFor();

    const { scheme, value } = await credentials(t);
    await authorize(page, scheme, value);

    const { status, body } = await tryGetMe(page);
    expect(status).toBe('200');
    expect(JSON.parse(body)).toMatchObject({ id: 'u_alice', role: 'human' });
    expect(violations).toEqual([]);
  }, 120_000);

  it('authorizes with an API key and runs GET /me with it', async () => {
    const { access_token } = await login(t, 'u_alice');
    const created = await t
      .http()
      .post('/api-keys')
      .set('authorization', `Bearer ${access_token}`)
      .send({ name: 'swagger', scopes: ['tasks:read'], expires_in_days: 1 })
      .expect(201);
    const page = await context.newPage();
    const violations = await watchCspViolations(page);
    await page.goto(`${baseUrl}/docs`);
    await page.locator('.swagger-ui .info .title').getByText('TaskFlow').waitFor();
    await authorize(page, 'api-key', created.body.key as string);

    const { status, body } = await tryGetMe(page);
    expect(status).toBe('200');
    expect(JSON.parse(body)).toMatchObject({ id: 'u_alice' });
    // The request went out with the key, not a session.
    const keys = await t.http().get('/api-keys').set('authorization', `Bearer ${access_token}`);
    const used = (keys.body.items as { id: string; last_used_at: string | null }[]).find(
      (k) => k.id === created.body.id,
    );
    expect(used?.last_used_at).toEqual(expect.any(String));
    expect(violations).toEqual([]);
  }, 120_000);

  it('lets a page on a listed origin call the API with a bearer token', async () => {
    const { access_token } = await login(t, 'u_alice');
    const page = await context.newPage();
    await page.goto(spa.origin);

    const result = await page.evaluate(
      async ({ api, token }) => {
        const created = await fetch(`${api}/tasks`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': 'spa-create-1',
            'X-Request-ID': 'spa-request-1',
          },
          body: JSON.stringify({ title: 'from the SPA' }),
        });
        const task = (await created.json()) as { id: string };
        const etag = created.headers.get('ETag') as string;
        const patched = await fetch(`${api}/tasks/${task.id}`, {
          method: 'PATCH',
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json',
            'If-Match': etag,
          },
          body: JSON.stringify({ title: 'edited from the SPA' }),
        });
        return {
          created: created.status,
          etag,
          requestId: created.headers.get('X-Request-ID'),
          patched: patched.status,
          title: ((await patched.json()) as { title: string }).title,
        };
      },
      { api: baseUrl, token: access_token },
    );

    expect(result).toEqual({
      created: 201,
      etag: '"1"',
      requestId: 'spa-request-1',
      patched: 200,
      title: 'edited from the SPA',
    });
  }, 120_000);

  it('refuses a page on an origin that is not listed', async () => {
    const { access_token } = await login(t, 'u_alice');
    const page = await context.newPage();
    await page.goto(stranger.origin);

    const outcome = await page.evaluate(
      async ({ api, token }) => {
        try {
          const res = await fetch(`${api}/me`, { headers: { Authorization: `Bearer ${token}` } });
          return `answered ${res.status}`;
        } catch (error) {
          return (error as Error).name;
        }
      },
      { api: baseUrl, token: access_token },
    );

    expect(outcome).toBe('TypeError');
  }, 120_000);
});
