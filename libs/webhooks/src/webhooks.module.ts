import { DynamicModule, Module } from '@nestjs/common';
import { bindDriver, Driver } from '@taskflow/platform';
import { DeliveryObserver } from './application/delivery-observer';
import { UrlGuard } from './application/url-guard';
import { WebhookDispatcher } from './application/webhook-dispatcher';
import { WebhookService } from './application/webhook.service';
import { WebhooksController } from './http/webhooks.controller';
import { AuditEventSource } from './infrastructure/audit-event-source';
import { DnsHostResolver } from './infrastructure/dns-host-resolver';
import { HttpWebhookSender } from './infrastructure/http/http-webhook-sender';
import { MemoryDeliveryRepository } from './infrastructure/memory/memory-delivery.repository';
import { MemoryWebhookRepository } from './infrastructure/memory/memory-webhook.repository';
import {
  backlogMetric,
  deliveriesMetric,
  deliveryDurationMetric,
  PrometheusDeliveryObserver,
} from './infrastructure/metrics/prometheus-delivery-observer';
import { DeliveryRepository } from './ports/delivery.repository';
import { HostResolver } from './ports/host-resolver';
import { WebhookEventSource } from './ports/webhook-event-source';
import { WebhookSender } from './ports/webhook-sender';
import { WebhookRepository } from './ports/webhook.repository';

type MongoAdapterFile = typeof import('./infrastructure/mongo/mongo-adapters');

export interface WebhooksModuleOptions {
  readonly driver: Driver;
}

/** The webhook storage of the configured driver (the contract suites load it on its own). */
@Module({})
export class WebhooksPersistenceModule {
  static register(options: WebhooksModuleOptions): DynamicModule {
    const { imports, providers } = bindDriver(options.driver, {
      memory: [
        { provide: WebhookRepository, useClass: MemoryWebhookRepository },
        { provide: DeliveryRepository, useClass: MemoryDeliveryRepository },
      ],
      // Required only for the Mongo driver: it loads mongoose (bench/README.md, "Start-up").
      mongo: () =>
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('./infrastructure/mongo/mongo-adapters') as MongoAdapterFile).mongoAdapters(),
    });
    return {
      module: WebhooksPersistenceModule,
      imports,
      providers,
      exports: [WebhookRepository, DeliveryRepository],
    };
  }
}

/**
 * Webhooks (DESIGN §10): endpoints, their delivery log, and the dispatcher that follows the event
 * log for each endpoint and sends with Standard Webhooks signatures (docs/WEBHOOKS.md).
 */
@Module({})
export class WebhooksModule {
  static register(options: WebhooksModuleOptions): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [WebhooksPersistenceModule.register(options)],
      controllers: [WebhooksController],
      providers: [
        WebhookService,
        WebhookDispatcher,
        UrlGuard,
        { provide: HostResolver, useClass: DnsHostResolver },
        { provide: WebhookSender, useClass: HttpWebhookSender },
        { provide: WebhookEventSource, useClass: AuditEventSource },
        deliveriesMetric,
        deliveryDurationMetric,
        backlogMetric,
        { provide: DeliveryObserver, useClass: PrometheusDeliveryObserver },
      ],
      exports: [WebhookDispatcher, HostResolver],
    };
  }
}
