import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { OutgoingDelivery, SendResult, WebhookSender } from '../../ports/webhook-sender';

/** The receiver's answer is read this far (for the log's error text) and the rest dropped. */
const MAX_BODY_BYTES = 1024;

/**
 * One POST with Node's own client: it never follows a redirect, and its `lookup` is pinned to the
 * address the SSRF guard checked, so a second DNS answer cannot switch the target (rebinding).
 * The Host header and TLS name stay the URL's host.
 */
@Injectable()
export class HttpWebhookSender extends WebhookSender {
  send(delivery: OutgoingDelivery): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const family = isIP(delivery.address);
    type Answer = (error: null, address: unknown, family?: number) => void;
    const pinned = ((_host: string, options: { all?: boolean }, callback: Answer) => {
      if (options.all) callback(null, [{ address: delivery.address, family }]);
      else callback(null, delivery.address, family);
    }) as unknown as LookupFunction;
    const request = delivery.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const done = (result: Omit<SendResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, durationMs: elapsed() });
      };
      const req = request(delivery.url, {
        method: 'POST',
        headers: { ...delivery.headers, 'content-length': Buffer.byteLength(delivery.body) },
        lookup: pinned,
        agent: false,
      });
      const timer = setTimeout(() => {
        done({ status: null, error: `timed out after ${delivery.timeoutMs / 1000} s` });
        req.destroy();
      }, delivery.timeoutMs);
      req.on('error', (error) => done({ status: null, error: error.message }));
      req.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('error', (error) => done({ status, error: error.message }));
        response.on('end', () => {
          if (status >= 200 && status < 300) return done({ status, error: null });
          const text = Buffer.concat(chunks).toString('utf8').slice(0, 200);
          const location = response.headers.location;
          done({
            status,
            error:
              status >= 300 && status < 400
                ? `redirect to ${location ?? '(no location)'} not followed`
                : `answered ${status}${text ? `: ${text}` : ''}`,
          });
        });
      });
      req.end(delivery.body);
    });
  }
}
