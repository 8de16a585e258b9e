import { BuiltApp, startBuiltApp } from '../support/built-app';

/**
 * A request that is slow for a real reason: registering an account hashes its password with
 * bcrypt, and BCRYPT_COST sets how long that takes (cost 14 ≈ 1.5 s, 15 ≈ 2.5 s here).
 */
function slowRegistration(app: BuiltApp, id: string): Promise<Response> {
  return fetch(`${app.url}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, name: 'Slow', role: 'human', password: 'a-long-enough-password' }),
  });
}

/** Polls /readyz until it answers 503 (SIGTERM is delivered asynchronously), for at most 2 s. */
async function readyzAfterSignal(app: BuiltApp): Promise<Response> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const res = await fetch(`${app.url}/readyz`);
    if (res.status === 503 || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const settled = <T>(promise: Promise<T>): (() => boolean) => {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
};

describe('graceful shutdown (the built app, SIGTERM)', () => {
  let app: BuiltApp | undefined;
  afterEach(() => app?.kill());

  it('turns /readyz 503, lets the in-flight request finish, then exits 0', async () => {
    app = await startBuiltApp({ BCRYPT_COST: '14', SHUTDOWN_GRACE_SECONDS: '10' });
    const slow = slowRegistration(app, 'drained_user');
    const slowDone = settled(slow);
    await new Promise((resolve) => setTimeout(resolve, 300));

    app.child.kill('SIGTERM');
    const readyz = await readyzAfterSignal(app);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toMatchObject({
      type: 'https://taskflow.dev/problems/not-ready',
      checks: { serving: { status: 'down' } },
    });
    expect(slowDone()).toBe(false);

    const response = await slow;
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ id: 'drained_user' });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${app.url}/livez`)).rejects.toThrow();
  }, 120_000);

  it('cuts off a request that outlasts the grace period, and still exits 0', async () => {
    app = await startBuiltApp({ BCRYPT_COST: '15', SHUTDOWN_GRACE_SECONDS: '1' });
    const slow = slowRegistration(app, 'cut_user');
    await new Promise((resolve) => setTimeout(resolve, 300));

    app.child.kill('SIGTERM');
    await expect(slow).rejects.toThrow();
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.output()).toContain('Grace period over');
  }, 120_000);

  it('ends an open event stream at once, and exits 0 well within the grace period', async () => {
    app = await startBuiltApp({ SHUTDOWN_GRACE_SECONDS: '20' });
    const stream = await fetch(`${app.url}/events/stream?after=now`, {
      headers: { 'x-user-id': 'u_alice' },
    });
    expect(stream.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^: /);

    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    // The stream ends (the client would resume with Last-Event-ID) and the process drains.
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read());
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    expect(app.output()).toContain('Drained; closed');
  }, 120_000);
});
