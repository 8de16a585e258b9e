import { Module } from '@nestjs/common';
import { ProbesController } from './http/probes.controller';

/** Kubernetes probes. Readiness and metrics join here as the database and operations land. */
@Module({ controllers: [ProbesController] })
export class HealthModule {}
