import { MONGO_URI_VARIABLE } from './drivers';

export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__taskflowMongoServer;
  if (!server) return;
  globalThis.__taskflowMongoServer = undefined;
  delete process.env[MONGO_URI_VARIABLE];
  await server.stop();
}
