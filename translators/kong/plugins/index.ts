// The Kong plugins meshgate converts, by name. Anything else is reported: an unknown plugin is a
// field meshgate cannot honour, except authentication and authorization plugins, which are always
// errors (dropping one would leave its routes open).
import { acl, cors, ipRestriction, requestSizeLimiting } from './access';
import { basicAuth, keyAuth } from './auth';
import { grpcGateway, grpcWeb } from './grpc';
import { jwt } from './jwt';
import { correlationId, fileLog, prometheus } from './observability';
import { rateLimiting } from './rate-limiting';
import { requestTransformer, responseTransformer } from './transformers';
import type { PluginModule } from './types';

export const PLUGINS: readonly PluginModule[] = [
  cors,
  ipRestriction,
  jwt,
  keyAuth,
  basicAuth,
  acl,
  rateLimiting,
  requestSizeLimiting,
  requestTransformer,
  responseTransformer,
  correlationId,
  prometheus,
  fileLog,
  grpcWeb,
  grpcGateway,
];

const BY_NAME = new Map(PLUGINS.map((p) => [p.name, p]));

export function pluginModule(name: string): PluginModule | undefined {
  return BY_NAME.get(name);
}

/** Plugins that decide who gets in: never dropped, even when lenient. */
const ACCESS_PLUGINS = new Set([
  'oauth2',
  'hmac-auth',
  'ldap-auth',
  'ldap-auth-advanced',
  'openid-connect',
  'mtls-auth',
  'oauth2-introspection',
  'jwt-signer',
  'key-auth-enc',
  'vault-auth',
  'saml',
  'opa',
  'bot-detection',
  'session',
  'header-cert-auth',
  'request-validator',
]);

export function isAccessPlugin(name: string): boolean {
  return ACCESS_PLUGINS.has(name) || /auth|acl/.test(name);
}
