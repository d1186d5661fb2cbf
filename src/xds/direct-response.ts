// IR direct responses → RouteAction-level direct_response. The body is inline (Envoy caps it at the
// route table's max_direct_response_body_size_bytes, 4096 by default; translators keep within it).
// A content type is a route-level response header: Envoy sets text/plain on a local reply with a
// body only when no Content-Type is there yet, and route response headers are applied before that.
import type { JsonObject } from '../envoy/resource';
import type { DirectResponseAction, HeaderMutation } from '../ir/route';
import { compact } from './json';

export function directResponse(action: DirectResponseAction): JsonObject {
  return { direct_response: compact({ status: action.status, body: action.body !== undefined ? { inline_string: action.body } : undefined }) };
}

/** The route's response headers with the direct response's Content-Type set first. */
export function withContentType(action: DirectResponseAction, headers: HeaderMutation | undefined): HeaderMutation | undefined {
  if (action.contentType === undefined) return headers;
  const others = (headers?.set ?? []).filter((h) => h.name !== 'content-type');
  return { ...(headers ?? {}), set: [{ name: 'content-type', value: action.contentType }, ...others] };
}
