// A whole control plane started in-process for the Kong API and round-trip tests, and the
// content of what it serves to one proxy group.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startControlPlane, type ControlPlane } from '../../src/app';

export const KONG_GROUP = 'gateway/default/kong';

export interface Plane {
  readonly plane: ControlPlane;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startPlane(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-kong-'))): Promise<Plane> {
  const plane = await startControlPlane(
    { xdsHost: '127.0.0.1', xdsPort: 0, adminHost: '127.0.0.1', adminPort: 0, dataDir: dir, logLevel: 'silent', identifier: 'kong-test' },
    pino({ level: 'silent' }),
    { debounceMs: 5, maxDelayMs: 50 },
  );
  return {
    plane,
    dir,
    async close() {
      await plane.close();
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly body: Record<string, unknown>;
}

export async function call(plane: ControlPlane, method: string, url: string, body?: string): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${plane.adminPort}${url}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/yaml' }, body } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Every resource served to the group, as JSON by type URL and name (content, not versions). */
export function served(plane: ControlPlane, group = KONG_GROUP): Record<string, Record<string, unknown>> {
  const snap = plane.cache.getSnapshot(group);
  assert.ok(snap, `no snapshot for ${group}`);
  const out: Record<string, Record<string, unknown>> = {};
  for (const [typeUrl, byName] of snap.resources) out[typeUrl] = Object.fromEntries([...byName].map(([name, r]) => [name, r.json]));
  return out;
}
