// Shapes several Istio kinds share: string matches, destinations, ports, percentages, selectors.
import { anything, int, map, num, obj, str, type ObjectSchema, type Schema } from '../../schema';

/** StringMatch: exactly one of exact, prefix, regex ({} means "present" for headers). */
export const stringMatch: ObjectSchema = obj({ exact: str(), prefix: str(), regex: str({ minLength: 1 }) }, { atMostOneOf: ['exact', 'prefix', 'regex'] });

export const portSelector: ObjectSchema = obj({ number: int(1, 65535) }, { required: ['number'] });

export const destination: ObjectSchema = obj({ host: str({ minLength: 1 }), subset: str({ minLength: 1 }), port: portSelector }, { required: ['host'] });

export const percent: ObjectSchema = obj({ value: num(0, 100) });

export const workloadSelector: ObjectSchema = obj({ labels: map(str()) });

/** ServiceEntry, Sidecar and Gateway ports. */
export const port: ObjectSchema = obj(
  {
    number: int(1, 65535),
    protocol: str({ minLength: 1 }),
    name: str(),
    targetPort: int(1, 65535),
  },
  { required: ['number'] },
);

export const exportTo: Schema = anything;

export const PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'GRPC-WEB', 'HTTP2', 'MONGO', 'MYSQL', 'REDIS', 'TCP', 'TLS', 'UDP'] as const;
