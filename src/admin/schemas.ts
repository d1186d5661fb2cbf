// JSON schemas of the admin API's request parameters and responses. Fastify validates and
// serialises with them (a response carries only the declared fields), and the OpenAPI document is
// generated from them. Times are RFC 3339 strings.
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'array',
          description: 'Each reason: the document (kind, namespace, name, index), the field path and why.',
          items: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;

export const proxyIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, description: 'The proxy\'s node id (URL-encoded).' } },
} as const;

const time = { type: 'string', format: 'date-time' } as const;
const syncState = { type: 'string', enum: ['synced', 'pending', 'nacked', 'not_sent'] } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

const typeSummary = {
  type: 'object',
  required: ['type', 'typeUrl', 'state'],
  properties: {
    type: { type: 'string', description: 'listeners, routes, clusters, endpoints or secrets' },
    typeUrl: { type: 'string' },
    state: syncState,
    sentVersion: { type: 'string' },
    ackedVersion: { type: 'string' },
    nackedVersion: { type: 'string', description: 'Set while the last response of this type is rejected.' },
  },
} as const;

const proxySummaryProperties = {
  id: { type: 'string' },
  cluster: { type: 'string' },
  group: { type: 'string' },
  state: { type: 'string', enum: ['connected', 'disconnected'] },
  sync: { ...syncState, description: 'Worst state over the types: nacked, then pending, then synced.' },
  protocol: { type: 'string', enum: ['sotw', 'delta'] },
  peer: { type: 'string' },
  userAgentName: { type: 'string' },
  userAgentVersion: { type: 'string' },
  connectedSince: time,
  disconnectedAt: time,
  disconnectReason: { type: 'string' },
} as const;

export const proxySummarySchema = {
  type: 'object',
  required: ['id', 'cluster', 'group', 'state', 'sync', 'protocol', 'connectedSince', 'types'],
  properties: { ...proxySummaryProperties, types: { type: 'array', items: typeSummary } },
} as const;

export const proxyListSchema = {
  type: 'object',
  required: ['proxies'],
  properties: { proxies: { type: 'array', items: proxySummarySchema } },
} as const;

const typeDetail = {
  type: 'object',
  required: ['type', 'typeUrl', 'state', 'resourceCount', 'pushes', 'acks', 'nacks'],
  properties: {
    type: { type: 'string' },
    typeUrl: { type: 'string' },
    state: syncState,
    resourceCount: { type: 'integer', description: 'Resources of this type the proxy holds.' },
    pushes: { type: 'integer' },
    acks: { type: 'integer' },
    nacks: { type: 'integer' },
    sent: {
      type: 'object',
      properties: {
        version: { type: 'string' },
        nonce: { type: 'string' },
        at: time,
        resourceCount: { type: 'integer' },
        removedCount: { type: 'integer' },
        bytes: { type: 'integer' },
      },
    },
    acked: {
      type: 'object',
      properties: { version: { type: 'string' }, nonce: { type: 'string' }, at: time },
    },
    lastNack: {
      type: 'object',
      description: 'The last rejection; stays after a later ACK, marked resolved.',
      properties: {
        rejectedVersion: { type: 'string' },
        keptVersion: { type: 'string' },
        nonce: { type: 'string' },
        errorCode: { type: 'integer' },
        errorMessage: { type: 'string' },
        at: time,
        resolved: { type: 'boolean' },
        resolvedAt: time,
        resolvedByVersion: { type: 'string' },
      },
    },
  },
} as const;

export const proxyDetailSchema = {
  type: 'object',
  required: ['id', 'group', 'state', 'sync', 'protocol', 'connectedSince', 'node', 'streams', 'types'],
  properties: {
    ...proxySummaryProperties,
    node: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        cluster: { type: 'string' },
        metadata: anyObject,
        userAgentName: { type: 'string' },
        userAgentVersion: { type: 'string' },
        locality: {
          type: 'object',
          properties: { region: { type: 'string' }, zone: { type: 'string' }, sub_zone: { type: 'string' } },
        },
        clientFeatures: { type: 'array', items: { type: 'string' } },
      },
    },
    streams: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          service: { type: 'string' },
          protocol: { type: 'string' },
          peer: { type: 'string' },
          openedAt: time,
        },
      },
    },
    types: { type: 'array', items: typeDetail },
  },
} as const;

const resourceList = { type: 'array', items: { ...anyObject, description: 'Envoy canonical JSON with "@type".' } } as const;

export const proxyConfigSchema = {
  type: 'object',
  required: ['id', 'group', 'state', 'listeners', 'routes', 'clusters', 'endpoints', 'secrets'],
  properties: {
    id: { type: 'string' },
    group: { type: 'string' },
    state: { type: 'string', enum: ['connected', 'disconnected'] },
    listeners: resourceList,
    routes: resourceList,
    clusters: resourceList,
    endpoints: resourceList,
    secrets: resourceList,
  },
} as const;

export const healthSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' }, uptimeSeconds: { type: 'number' } },
} as const;

export const readinessSchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    checks: { type: 'object', additionalProperties: { type: 'boolean' } },
    error: errorSchema.properties.error,
  },
} as const;
