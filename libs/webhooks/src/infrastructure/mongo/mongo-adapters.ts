import type { DriverAdapters } from '@taskflow/platform';
import { DeliveryRepository } from '../../ports/delivery.repository';
import { WebhookRepository } from '../../ports/webhook.repository';
import { MongoDeliveryRepository } from './mongo-delivery.repository';
import { MongoWebhookRepository } from './mongo-webhook.repository';
import {
  WebhookAttemptDocument,
  WebhookAttemptSchema,
  WebhookCursorDocument,
  WebhookCursorSchema,
  WebhookDeliveryDocument,
  WebhookDeliverySchema,
  WebhookDocument,
  WebhookSchema,
  WebhookReplayDocument,
  WebhookReplaySchema,
} from './webhook.schemas';

/** The Mongo storage of webhooks; WebhooksPersistenceModule requires this file only for that driver. */
export function mongoAdapters(): DriverAdapters {
  return {
    models: [
      { name: WebhookDocument.name, schema: WebhookSchema },
      { name: WebhookDeliveryDocument.name, schema: WebhookDeliverySchema },
      { name: WebhookAttemptDocument.name, schema: WebhookAttemptSchema },
      { name: WebhookCursorDocument.name, schema: WebhookCursorSchema },
      { name: WebhookReplayDocument.name, schema: WebhookReplaySchema },
    ],
    providers: [
      { provide: WebhookRepository, useClass: MongoWebhookRepository },
      { provide: DeliveryRepository, useClass: MongoDeliveryRepository },
    ],
  };
}
