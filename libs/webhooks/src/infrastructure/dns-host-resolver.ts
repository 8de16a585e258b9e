import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { HostResolver } from '../ports/host-resolver';

/** The system resolver (getaddrinfo, as a plain connect would use: /etc/hosts included). */
@Injectable()
export class DnsHostResolver extends HostResolver {
  async resolve(host: string): Promise<string[]> {
    if (isIP(host) !== 0) return [host];
    const found = await lookup(host, { all: true, verbatim: true });
    return found.map((each) => each.address);
  }
}
