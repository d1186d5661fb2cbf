// The one error src/xds throws: IR that breaks an invariant Envoy would reject in a way the
// validator cannot see from a single resource (two HTTPS listeners claiming the same SNI name on a
// port, a route using the global rate limiter without a rate limit service, ...). Translators are
// expected to rule these out; the error names the IR source so a slip is easy to trace.
import type { Source } from '../ir/types';

export class XdsBuildError extends Error {
  readonly source: Source | undefined;

  constructor(message: string, source?: Source) {
    super(source ? `${message} (${source.kind} ${source.namespace}/${source.name}${source.section ? ` ${source.section}` : ''})` : message);
    this.name = 'XdsBuildError';
    this.source = source;
  }
}
