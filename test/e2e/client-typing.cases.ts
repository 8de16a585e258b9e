import { createClient, runWorker } from '@taskflow/client';

// Compiled by client-typing.e2e-spec.ts: the line after each `@ts-expect-error TS<code> <words>`
// must fail with that code and a message holding those words once the directive is removed, and the file as it stands compiles.
const client = createClient({ baseUrl: 'http://127.0.0.1:8080' });
const params = { path: { id: 't_1' } };

export async function typedCalls(): Promise<string> {
  // A wrong field name in a body.
  // @ts-expect-error TS2561 'titel' does not exist
  await client.POST('/tasks', { body: { titel: 'Write the release notes' } });
  // A required field missing (reject takes a reason).
  // @ts-expect-error TS2322 Property 'reason' is missing
  await client.POST('/tasks/{id}/reject', { params, body: { comment: 'no reason given' } });
  // A value outside an enum.
  // @ts-expect-error TS2322 '"asap"' is not assignable
  await client.POST('/tasks', { body: { title: 'Write', priority: 'asap' } });
  // A path the API does not have.
  // @ts-expect-error TS2345 '"/tasks/{id}/frobnicate"' is not assignable
  await client.POST('/tasks/{id}/frobnicate', { params });
  // The path parameter is required.
  // @ts-expect-error TS2741 Property 'id' is missing
  await client.GET('/tasks/{id}', { params: { path: {} } });
  const { data } = await client.GET('/tasks/{id}', { params });
  // A field the answer does not have.
  // @ts-expect-error TS2339 Property 'assignee' does not exist
  void data?.assignee;
  // A worker's handler gets a typed task.
  await runWorker({
    client,
    leaseSeconds: 30,
    // @ts-expect-error TS2322 '"robots"' is not assignable
    filters: { open_to: 'robots' },
    handle: async (task) => ({ comment: task.title }),
  });
  // Actions take no body, and a typed answer reads as such.
  const started = await client.POST('/tasks/{id}/start', { params });
  return started.data?.status ?? 'none';
}
