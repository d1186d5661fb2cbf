// meshgate translators: input documents (Gateway API v1, core Secrets and Namespaces, meshgate's
// own kinds) → IR. `validateDocuments` runs the schema checks alone; `translate` validates,
// translates what is valid, and reports status conditions per document.
export { DEFAULT_RATE_LIMIT_SERVICE, type TranslateOptions, type TranslationResult } from './translate';
export { translate, type FamilyTranslator, isCoreDocument } from './families';
export { validateDocuments } from './validate';
export { KINDS, KIND_NAMES } from './registry';
export { MESHGATE_CONTROLLER, GATEWAY_GROUP, MESHGATE_GROUP } from './core/kinds';
export type { GatewayDocumentStatus, ListenerStatus, ParentStatus, RouteGroupKind } from './core/status';
export type { RateLimitServiceOptions } from './gateway-api/gateway-proxy';
