// Kong consumers → meshgate Consumers, with their credentials in a Secret per consumer: key-auth
// keys, the basic-auth password (plain, as decK files carry it; meshgate hashes it to {SHA} when
// it translates), the jwt_secret key (the value of the token's iss claim) and the ACL groups.
// Nothing here ever puts a credential value in an error.
import type { JsonObject } from '../../src/envoy/resource';
import { getNumber, getString } from '../core/json';
import { MESHGATE_API, type ConsumerPlan } from './context';
import type { KongConsumer, KongCredential, KongModel } from './model';
import { objectNameOf, type NameAllocator } from './names';
import type { Output } from './output';
import { at, type Problems } from './problems';

/** A Kong password hash (SHA-1 of password + consumer id, hex) as a dump from a database holds it. */
const KONG_PASSWORD_HASH = /^[0-9a-f]{40}$/;

export interface JwtCredential {
  readonly path: string;
  readonly key: string;
  readonly algorithm: string;
  readonly secret?: string;
  readonly publicKey?: string;
}

export interface PlannedConsumer extends ConsumerPlan {
  readonly jwt?: JwtCredential;
  readonly hasKeys: boolean;
  readonly basicUsername?: string;
}

export interface ConsumerOutputs {
  readonly plans: Map<KongConsumer, PlannedConsumer>;
  emit(output: Output): void;
}

function single(list: readonly KongCredential[], what: string, problems: Problems): KongCredential | undefined {
  list.slice(1).forEach((c) => problems.cannotHonour(c.path, `a meshgate Consumer holds one ${what}; only the first is used`));
  return list[0];
}

export function planConsumers(model: KongModel, names: NameAllocator, problems: Problems): ConsumerOutputs {
  const plans = new Map<KongConsumer, PlannedConsumer>();
  const emitters: ((output: Output) => void)[] = [];
  const keyOwner = new Map<string, string>();
  const jwtOwner = new Map<string, string>();
  const basicOwner = new Map<string, string>();
  for (const consumer of model.consumers) {
    const username = getString(consumer.raw, 'username');
    const customId = getString(consumer.raw, 'custom_id');
    if (username === undefined && customId === undefined) problems.error(consumer.path, 'a consumer needs a username or a custom_id');
    const name = names.allocate('Consumer', objectNameOf(username ?? customId, `consumer-${consumer.index}`));
    const secretName = names.allocate('Secret', `${name}-credentials`);
    const secretData: Record<string, string> = {};
    const credentials: JsonObject = {};

    const apiKeys: JsonObject[] = [];
    consumer.keyAuths.forEach((c, i) => {
      const key = getString(c.raw, 'key');
      if (key === undefined || key === '') {
        problems.error(at(c.path, 'key'), 'required: Kong generates a key when none is given, meshgate cannot hand one out');
        return;
      }
      if ((getNumber(c.raw, 'ttl') ?? 0) > 0) problems.cannotHonour(at(c.path, 'ttl'), 'API keys do not expire in meshgate');
      const owner = keyOwner.get(key);
      if (owner !== undefined && owner !== consumer.path) problems.error(at(c.path, 'key'), `the same key is also a credential of ${owner}`);
      keyOwner.set(key, consumer.path);
      const entry = `api-key-${i}`;
      secretData[entry] = key;
      apiKeys.push({ secretRef: { name: secretName, key: entry } });
    });
    if (apiKeys.length > 0) credentials['apiKeys'] = apiKeys;

    let basicUsername: string | undefined;
    const basic = single(consumer.basicAuths, 'basic-auth credential', problems);
    if (basic) {
      const user = getString(basic.raw, 'username') ?? '';
      const password = getString(basic.raw, 'password');
      if (/[:\s]/.test(user)) problems.error(at(basic.path, 'username'), 'a basic-auth user name cannot contain ":" or spaces');
      else if (password === undefined || password === '') problems.error(at(basic.path, 'password'), 'required');
      else if (!model.transformed || KONG_PASSWORD_HASH.test(password)) {
        problems.error(at(basic.path, 'password'), "this is Kong's stored hash (SHA-1 of the password and the consumer id), which cannot be carried over: give the plain password");
      } else if (basicOwner.has(user)) problems.error(at(basic.path, 'username'), `basic-auth user "${user}" is also a credential of ${basicOwner.get(user)}`);
      else {
        basicOwner.set(user, consumer.path);
        basicUsername = user;
        secretData['password'] = password;
        credentials['basicAuth'] = { username: user, passwordSecretRef: { name: secretName, key: 'password' } };
      }
    }

    let jwt: JwtCredential | undefined;
    const jwtSecret = single(consumer.jwtSecrets, 'JWT credential', problems);
    if (jwtSecret) {
      const key = getString(jwtSecret.raw, 'key');
      const algorithm = getString(jwtSecret.raw, 'algorithm') ?? 'HS256';
      const secret = getString(jwtSecret.raw, 'secret');
      const publicKey = getString(jwtSecret.raw, 'rsa_public_key');
      if (key === undefined || key === '') problems.error(at(jwtSecret.path, 'key'), 'required: it is the iss claim that identifies the consumer (Kong generates one when none is given)');
      else if (jwtOwner.has(key)) problems.error(at(jwtSecret.path, 'key'), `the same key is also a credential of ${jwtOwner.get(key)}`);
      else if (algorithm.startsWith('HS') && (secret === undefined || secret === '')) problems.error(at(jwtSecret.path, 'secret'), `required for ${algorithm} (Kong generates one when none is given)`);
      else if (!algorithm.startsWith('HS') && publicKey === undefined) problems.error(at(jwtSecret.path, 'rsa_public_key'), `required for ${algorithm}`);
      else {
        jwtOwner.set(key, consumer.path);
        jwt = { path: jwtSecret.path, key, algorithm, ...(secret !== undefined ? { secret } : {}), ...(publicKey !== undefined ? { publicKey } : {}) };
        credentials['jwt'] = { issuer: key };
      }
    }

    const groups = [...new Set(consumer.acls.map((a) => getString(a.raw, 'group') ?? '').filter((g) => g !== ''))];
    const identities = [name, ...(basicUsername !== undefined && basicUsername !== name ? [basicUsername] : []), ...(jwt && jwt.key !== name ? [jwt.key] : [])];
    plans.set(consumer, { consumer, name, identities, hasKeys: apiKeys.length > 0, ...(jwt ? { jwt } : {}), ...(basicUsername !== undefined ? { basicUsername } : {}) });
    emitters.push((output) => {
      if (Object.keys(secretData).length > 0) output.add('v1', 'Secret', secretName, consumer.path, { type: 'Opaque', stringData: secretData });
      output.add(MESHGATE_API, 'Consumer', name, consumer.path, { spec: { ...(Object.keys(credentials).length > 0 ? { credentials } : {}), ...(groups.length > 0 ? { groups } : {}) } });
      output.mapField('Consumer', name, 'spec.credentials.apiKeys', at(consumer.path, 'keyauth_credentials'));
      output.mapField('Consumer', name, 'spec.credentials.basicAuth', at(consumer.path, 'basicauth_credentials'));
      output.mapField('Consumer', name, 'spec.credentials.jwt', at(consumer.path, 'jwt_secrets'));
      output.mapField('Consumer', name, 'spec.groups', at(consumer.path, 'acls'));
    });
  }
  return { plans, emit: (output) => emitters.forEach((e) => e(output)) };
}
