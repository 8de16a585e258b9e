/** Name resolution for webhook URLs; a port so that tests decide what a name resolves to. */
export abstract class HostResolver {
  /** Every address the host resolves to (an IP literal resolves to itself); empty: none. */
  abstract resolve(host: string): Promise<string[]>;
}
