import {
  ADMIN,
  AGENT,
  ALICE,
  as,
  expectProblem,
  expectValidationErrors,
  useTestApp,
} from '../support/api';
import { TEST_DRIVERS } from '../support/test-app';

const PASSWORD = 'correct horse battery';
const ACCOUNT_FIELDS = ['created_at', 'email', 'id', 'name', 'role', 'status'];

let ids = 0;
const freshId = (): string => `u_reg${++ids}_${Date.now().toString(36)}`;

describe.each(TEST_DRIVERS)('accounts (%s driver)', (driver) => {
  const app = useTestApp(driver);

  describe('POST /users', () => {
    it('registers a human without credentials and answers the account, never a hash', async () => {
      const id = freshId();

      const res = await app()
        .http()
        .post('/users')
        .send({ id, name: 'Carol', role: 'human', password: PASSWORD, email: 'carol@example.com' });

      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(ACCOUNT_FIELDS);
      expect(res.body).toMatchObject({
        id,
        name: 'Carol',
        role: 'human',
        email: 'carol@example.com',
        status: 'active',
      });
      expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
      expect(res.text).not.toContain(PASSWORD);
      expect(res.text).not.toMatch(/\$2[aby]\$/);
    });

    it('registers an agent without an email', async () => {
      const id = freshId();

      const res = await app()
        .http()
        .post('/users')
        .send({ id, name: 'Bot', role: 'agent', password: PASSWORD });

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id, role: 'agent', email: null });
    });

    it('lets the new account act at once', async () => {
      const t = app();
      const id = freshId();
      await t.http().post('/users').send({ id, name: 'Dan', role: 'human', password: PASSWORD });

      const res = await t.http().post('/tasks').set(as(id)).send({ title: 'First task' });

      expect(res.status).toBe(201);
      expect(res.body.creator_id).toBe(id);
    });

    it.each([ALICE, ADMIN])('answers 409 for the taken id %s', async (id) => {
      const res = await app()
        .http()
        .post('/users')
        .send({ id, name: 'Impostor', role: 'human', password: PASSWORD });

      expectProblem(res, 409, 'conflict');
    });

    it('answers 409 to a second registration of the same id, and keeps the first', async () => {
      const t = app();
      const id = freshId();
      const first = await t
        .http()
        .post('/users')
        .send({ id, name: 'First', role: 'human', password: PASSWORD });
      expect(first.status).toBe(201);

      const second = await t
        .http()
        .post('/users')
        .send({ id, name: 'Second', role: 'agent', password: PASSWORD });

      expectProblem(second, 409, 'conflict');
      const me = await t.http().get('/me').set(as(id));
      expect(me.body).toMatchObject({ name: 'First', role: 'human' });
    });

    it.each([
      ['a password under 12 characters', { password: 'short-pass1' }, 'password'],
      ['a password over 72 characters', { password: 'p'.repeat(73) }, 'password'],
      [
        'a password over 72 bytes in UTF-8 but 40 characters',
        { password: 'é'.repeat(40) },
        'password',
      ],
      ['the admin role', { role: 'admin' }, 'role'],
      ['an unknown role', { role: 'robot' }, 'role'],
      ['an id with capitals', { id: 'U_Carol' }, 'id'],
      ['an id of 2 characters', { id: 'ab' }, 'id'],
      ['an id starting with _', { id: '_carol' }, 'id'],
      ['an empty name', { name: '' }, 'name'],
      ['an invalid email', { email: 'not-an-email' }, 'email'],
      ['an unknown field', { is_admin: true }, 'is_admin'],
    ])('refuses %s with 400', async (_, override, field) => {
      const body = { id: freshId(), name: 'Carol', role: 'human', password: PASSWORD, ...override };

      const res = await app().http().post('/users').send(body);

      expectValidationErrors(res, [field]);
      const me = await app().http().get('/me').set(as(body.id));
      expectProblem(me, 401, 'unauthenticated');
    });

    it('accepts a password of exactly 72 bytes', async () => {
      const res = await app()
        .http()
        .post('/users')
        .send({ id: freshId(), name: 'Edge', role: 'human', password: 'é'.repeat(36) });

      expect(res.status).toBe(201);
    });
  });

  describe('GET /me', () => {
    it.each([
      [ALICE, 'human'],
      [ADMIN, 'admin'],
      [AGENT, 'agent'],
    ])('answers the account of %s', async (id, role) => {
      const res = await app().http().get('/me').set(as(id));

      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(ACCOUNT_FIELDS);
      expect(res.body).toMatchObject({ id, role, status: 'active' });
    });

    it('answers 401 without credentials and for an unknown X-User-ID', async () => {
      expectProblem(await app().http().get('/me'), 401, 'unauthenticated');
      expectProblem(await app().http().get('/me').set(as('u_nobody')), 401, 'unauthenticated');
    });
  });
});
