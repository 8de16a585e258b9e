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
      serverSelectionTimeoutMS: 10_000,
      // Fail start-up on the first error rather than retrying for half a minute.
      retryAttempts: 1,
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
