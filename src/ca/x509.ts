// The one place that loads @peculiar/x509: it needs a Reflect metadata polyfill before it is
// imported and a WebCrypto provider, and Node's own WebCrypto is the one we want.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// The library types its provider as the DOM's Crypto, which this Node-only build does not declare;
// Node's webcrypto is that API.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
export const subtle = webcrypto.subtle;
