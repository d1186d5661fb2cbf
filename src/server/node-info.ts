// The proxy's description of itself (envoy.config.core.v3.Node), reduced to what the server,
// proxy status and the group resolver need.
import { decodeMessage } from '../envoy/codec';
import type { JsonObject, JsonValue } from '../envoy/resource';
import type { NodeInfo } from './observer';
import { checkMessageStructure } from './wire';

export class MalformedNodeError extends Error {}

function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function asString(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function buildVersionText(build: JsonObject | undefined): string {
  const version = asObject(build?.['version']);
  if (!version) return '';
  const part = (k: string): string => String(version[k] ?? 0);
  return `${part('major_number')}.${part('minor_number')}.${part('patch')}`;
}

/** Decode and check the node of a stream's first request. Throws MalformedNodeError. */
export function decodeNodeInfo(bytes: Uint8Array): NodeInfo {
  let json: JsonObject;
  try {
    checkMessageStructure(bytes);
    json = decodeMessage('envoy.config.core.v3.Node', bytes);
  } catch (err) {
    throw new MalformedNodeError(`node cannot be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
  const id = asString(json['id']);
  if (id === '') throw new MalformedNodeError('node.id is empty');
  const locality = asObject(json['locality']);
  const features = json['client_features'];
  return {
    id,
    cluster: asString(json['cluster']),
    metadata: asObject(json['metadata']) ?? {},
    userAgentName: asString(json['user_agent_name']),
    userAgentVersion: asString(json['user_agent_version']) || buildVersionText(asObject(json['user_agent_build_version'])),
    ...(locality
      ? {
          locality: {
            ...(typeof locality['region'] === 'string' ? { region: locality['region'] } : {}),
            ...(typeof locality['zone'] === 'string' ? { zone: locality['zone'] } : {}),
            ...(typeof locality['sub_zone'] === 'string' ? { sub_zone: locality['sub_zone'] } : {}),
          },
        }
      : {}),
    clientFeatures: Array.isArray(features) ? features.filter((f): f is string => typeof f === 'string') : [],
  };
}
