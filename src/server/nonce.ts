// Nonces unique across streams and across restarts of this process: a random prefix per server
// plus a counter. A nonce from another stream or an older connection can never be current (rule 1).
import { randomBytes } from 'node:crypto';

export class NonceSource {
  private readonly prefix = randomBytes(4).toString('hex');
  private counter = 0;

  next(): string {
    this.counter += 1;
    return `${this.prefix}-${this.counter.toString(36)}`;
  }
}
