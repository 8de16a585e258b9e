import { Logger, Provider } from '@nestjs/common';
import { getConnectionToken, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../../config/app-config';
import { MongoTopology } from './mongo-topology';

/**
 * The one Mongo connection, from validated config. Indexes come from migrations, so Mongoose
 * neither builds indexes nor creates collections; command monitoring is on so tests and metrics
 * can count what each request costs. @nestjs/mongoose closes it on application shutdown.
 */
export function mongoConnection(config: AppConfig) {
  return MongooseModule.forRootAsync({
    useFactory: () => ({
      uri: config.mongodbUri ?? undefined,
      appName: 'taskflow',
      autoIndex: false,
      autoCreate: false,
      monitorCommands: true,
      // A request must fail fast on a dead server (503 within 2 s), not wait: Mongoose's
      // buffering would hold a command for 10 s while disconnected, and the driver would look
      // for a server for 30 s by default. Commands go straight to the driver, which gives up
      // selecting a server after 1.5 s and reconnects by itself once the server is back.
      bufferCommands: false,
      serverSelectionTimeoutMS: 1_500,
      // A server that accepts a connection but stops answering counts as dead after 10 s.
      socketTimeoutMS: 10_000,
      // Start-up still waits about 10 s for the server (5 attempts of 1.5 s, 1 s apart).
      retryAttempts: 5,
      retryDelay: 1_000,
    }),
  });
}

/** Detects transaction support from `hello` once at start-up; /health reports it. */
export const mongoTopologyProvider: Provider = {
  provide: MongoTopology,
  inject: [getConnectionToken()],
  useFactory: async (connection: Connection): Promise<MongoTopology> => {
    const topology = await MongoTopology.detect(connection);
    if (!topology.transactions) {
      new Logger('MongoDB').warn(
        `The server is a ${topology.kind} without transactions: use cases write without one, ` +
          'in claim → records → task order, and tasks left behind are rolled forward (DESIGN §2)',
      );
    }
    return topology;
  },
};
