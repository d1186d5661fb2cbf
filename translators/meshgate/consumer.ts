// Consumer (meshgate.io/v1alpha1): who calls the API, with the credentials that identify them
// (API keys, a basic-auth user, a JWT issuer) and the groups used by authorization rules.
// Passwords never reach the IR in clear: they are hashed to {SHA} here, which is what Envoy's
// basic_auth filter accepts.
import { createHash } from 'node:crypto';
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { DocumentIndex, namespaceOf } from '../core/documents';
import { getObject, getObjects, getString, getStrings } from '../core/json';
import { secretValue } from '../core/secrets';
import { arr, obj, str } from '../schema';
import { objectName } from '../gateway-api/schemas/common';

/** {name, key}: key defaults to "api-key" for API keys and "password" for passwords. */
const secretKeyRef = obj({ name: objectName, key: str({ minLength: 1 }) }, { required: ['name'] });

const SHA_HASH = /^\{SHA\}[A-Za-z0-9+/]{27}=$/;

export const consumerSpec = obj({
  credentials: obj({
    apiKeys: arr(obj({ key: str({ minLength: 8 }), secretRef: secretKeyRef }, { exactlyOneOf: ['key', 'secretRef'] }), { minItems: 1 }),
    basicAuth: obj(
      {
        username: str({ minLength: 1, pattern: /^[^:\s]+$/, patternHint: 'a user name without ":" or spaces' }),
        password: str({ minLength: 1 }),
        passwordHash: str({ pattern: SHA_HASH, patternHint: 'an htpasswd {SHA} hash ("{SHA}" + base64 of the SHA-1 digest)' }),
        passwordSecretRef: secretKeyRef,
      },
      { exactlyOneOf: ['password', 'passwordHash', 'passwordSecretRef'] },
    ),
    jwt: obj({ issuer: str({ minLength: 1 }) }, { required: ['issuer'] }),
  }),
  groups: arr(str({ minLength: 1 }), { uniqueBy: (g) => (typeof g === 'string' ? g : undefined), uniqueWhat: 'group' }),
});

export interface ConsumerCredentials {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly groups: readonly string[];
  readonly apiKeys: readonly string[];
  readonly basicAuth?: { readonly username: string; readonly sha1Base64: string };
  readonly jwt?: { readonly issuer: string };
  /** Values the consumer header carries for this consumer: its name, its basic-auth user, its JWT issuer. */
  readonly identities: readonly string[];
}

export interface CredentialProblem {
  readonly path: string;
  readonly reason: string;
}

export function sha1Base64(password: string): string {
  return createHash('sha1').update(password, 'utf8').digest('base64');
}

function fromSecret(index: DocumentIndex, namespace: string, ref: JsonObject, defaultKey: string, path: string, problems: CredentialProblem[]): string | undefined {
  const name = getString(ref, 'name') ?? '';
  const key = getString(ref, 'key') ?? defaultKey;
  const secret = index.get('Secret', namespace, name);
  if (!secret) {
    problems.push({ path, reason: `Secret ${namespace}/${name} does not exist` });
    return undefined;
  }
  const value = secretValue(secret, key);
  if (value === undefined || value === '') problems.push({ path, reason: `Secret ${namespace}/${name} has no value for key "${key}"` });
  return value;
}

/** A consumer's credentials with secrets resolved; dangling secret references are problems. */
export function consumerCredentials(doc: InputDocument, index: DocumentIndex): { credentials: ConsumerCredentials; problems: CredentialProblem[] } {
  const ns = namespaceOf(doc);
  const problems: CredentialProblem[] = [];
  const creds = getObject(doc.spec, 'credentials');
  const apiKeys: string[] = [];
  getObjects(creds, 'apiKeys').forEach((k, i) => {
    const literal = getString(k, 'key');
    const ref = getObject(k, 'secretRef');
    const value = literal ?? (ref ? fromSecret(index, ns, ref, 'api-key', `spec.credentials.apiKeys[${i}].secretRef`, problems) : undefined);
    if (value !== undefined && value !== '') apiKeys.push(value);
  });
  const basic = getObject(creds, 'basicAuth');
  let basicAuth: ConsumerCredentials['basicAuth'];
  if (basic) {
    const username = getString(basic, 'username') ?? doc.metadata.name;
    const hash = getString(basic, 'passwordHash');
    const ref = getObject(basic, 'passwordSecretRef');
    const password = getString(basic, 'password') ?? (ref ? fromSecret(index, ns, ref, 'password', 'spec.credentials.basicAuth.passwordSecretRef', problems) : undefined);
    const digest = hash !== undefined ? hash.slice('{SHA}'.length) : password !== undefined ? sha1Base64(password) : undefined;
    if (digest !== undefined) basicAuth = { username, sha1Base64: digest };
  }
  const jwtObj = getObject(creds, 'jwt');
  const jwt = jwtObj ? { issuer: getString(jwtObj, 'issuer') ?? '' } : undefined;
  const identities = [doc.metadata.name];
  if (basicAuth && basicAuth.username !== doc.metadata.name) identities.push(basicAuth.username);
  if (jwt && !identities.includes(jwt.issuer)) identities.push(jwt.issuer);
  return {
    credentials: {
      name: doc.metadata.name,
      namespace: ns,
      labels: doc.metadata.labels ?? {},
      groups: getStrings(doc.spec, 'groups'),
      apiKeys,
      ...(basicAuth ? { basicAuth } : {}),
      ...(jwt ? { jwt } : {}),
      identities,
    },
    problems,
  };
}
