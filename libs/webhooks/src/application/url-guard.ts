import { Injectable } from '@nestjs/common';
import { AppConfig } from '@taskflow/platform';
import { bareHost, forbiddenRange } from '../domain/address-policy';
import { WebhookUrlRefused } from '../domain/webhook';
import { HostResolver } from '../ports/host-resolver';

export interface CheckedTarget {
  readonly url: URL;
  /** The address to connect to: checked here, so a second resolution cannot switch it. */
  readonly address: string;
}

/** A URL the API may send to (DESIGN §10), checked at save time and again before every send. */
@Injectable()
export class UrlGuard {
  constructor(
    private readonly resolver: HostResolver,
    private readonly config: AppConfig,
  ) {}

  /** The URL's syntax and scheme only (no resolution): a 422 when it is not http or https. */
  parse(text: string): URL {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new WebhookUrlRefused(`url ${JSON.stringify(text)} is not an absolute URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WebhookUrlRefused(`url must use http or https, not ${url.protocol.slice(0, -1)}`);
    }
    return url;
  }

  /**
   * Resolves the host once and refuses it when any address it resolves to is not public (unless
   * WEBHOOK_ALLOW_PRIVATE): a name with one private address among public ones is refused too, as
   * a client may pick any of them.
   */
  async check(text: string): Promise<CheckedTarget> {
    const url = this.parse(text);
    const host = bareHost(url.hostname);
    let addresses: string[];
    try {
      addresses = await this.resolver.resolve(host);
    } catch (error) {
      throw new WebhookUrlRefused(`url host ${host} does not resolve: ${(error as Error).message}`);
    }
    if (addresses.length === 0) throw new WebhookUrlRefused(`url host ${host} does not resolve`);
    if (!this.config.webhookAllowPrivate) {
      for (const address of addresses) {
        const range = forbiddenRange(address);
        if (range !== null) {
          throw new WebhookUrlRefused(
            `url host ${host} resolves to ${address} (${range}), which webhooks may not reach`,
          );
        }
      }
    }
    return { url, address: addresses[0] };
  }
}
