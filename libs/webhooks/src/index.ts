export * from './webhooks.module';
export * from './domain';
export * from './ports/delivery.repository';
export * from './ports/host-resolver';
export * from './ports/webhook-event-source';
export * from './ports/webhook-sender';
export * from './ports/webhook.repository';
export {
  WebhookDispatcher,
  DISPATCH_LIMITS,
  DEFAULT_DISPATCH_LIMITS,
} from './application/webhook-dispatcher';
export type { DispatchLimits } from './application/webhook-dispatcher';
export { UrlGuard } from './application/url-guard';
export { WebhookService } from './application/webhook.service';
export { DeliveryObserver, NoDeliveryObserver } from './application/delivery-observer';
