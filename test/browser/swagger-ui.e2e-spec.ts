import { login } from '../support/auth';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
  const container = page.locator('.auth-container').filter({ hasText: scheme });
  await container.locator('input').first().fill(value);
  await container.locator('button.authorize').click();
  // Swagger UI swaps Authorize for Logout once it holds the credential.
  await container.locator('button', { hasText: 'Logout' }).waitFor();
  await page.locator('.modal-ux button.btn-done').first().click();
}

describe('Swagger UI in a real browser', () => {
  let t: TestApp;
  let baseUrl: string;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: this test drives Debian's chromium. Run scripts/install-chromium.sh (as root).`,
      );
    }
    // startTestApp already listens on a loopback port.
    t = await startTestApp('memory');
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
  });

  it('authorizes, runs GET /me with "Try it out", and shows 200', async () => {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/docs`);
    await page.locator('.swagger-ui .info .title').getByText('TaskFlow').waitFor();

    const { scheme, value } = await credentials(t);
    await authorize(page, scheme, value);

    const operation = page
      .locator('.opblock-get')
      .filter({ has: page.locator('.opblock-summary-path', { hasText: /^\/me$/ }) });
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();

    const status = operation.locator('.live-responses-table .response .response-col_status');
    await status.waitFor();
    expect((await status.innerText()).trim()).toBe('200');
    const body = await operation
      .locator('.live-responses-table .response-col_description pre')
      .first()
      .innerText();
    expect(JSON.parse(body)).toMatchObject({ id: 'u_alice', role: 'human' });
  }, 120_000);
});
