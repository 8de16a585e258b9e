import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';

export const EVENTS_SERVED = 'events_served_total';
export const EVENT_STREAMS_OPEN = 'event_streams_open';
export const EVENT_LONG_POLL_WAITERS = 'event_long_poll_waiters';

/** `events_served_total{via}`: events answered by the feed (`feed`) or sent on a stream (`stream`). */
export const eventsServedMetric = makeCounterProvider({
  name: EVENTS_SERVED,
  help: 'Events answered by GET /events or sent on GET /events/stream',
  labelNames: ['via'],
});

/** `event_streams_open`: Server-Sent Events connections open on this instance now. */
export const eventStreamsOpenMetric = makeGaugeProvider({
  name: EVENT_STREAMS_OPEN,
  help: 'Open GET /events/stream connections',
});

/** `event_long_poll_waiters`: GET /events requests with `wait` not yet answered. */
export const eventLongPollWaitersMetric = makeGaugeProvider({
  name: EVENT_LONG_POLL_WAITERS,
  help: 'GET /events long-polls waiting for an event',
});

export const EVENT_METRICS = [
  eventsServedMetric,
  eventStreamsOpenMetric,
  eventLongPollWaitersMetric,
];

export const InjectEventsServed = () => InjectMetric(EVENTS_SERVED);
export const InjectStreamsOpen = () => InjectMetric(EVENT_STREAMS_OPEN);
export const InjectLongPollWaiters = () => InjectMetric(EVENT_LONG_POLL_WAITERS);
