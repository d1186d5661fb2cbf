// Shared helpers for the store tests.
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JsonObject } from '../../src/envoy/resource';
import type { StoredDocument } from '../../src/store/types';

const tempRoots: string[] = [];

/** A fresh, not yet existing store directory (the store creates it) under a temporary root. */
export async function tempStoreDir(): Promise<string> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'meshgate-store-'));
  tempRoots.push(root);
  return path.join(root, 'store');
}

/** Register with node:test's `after` in every file that uses tempStoreDir. */
export async function removeTempStoreDirs(): Promise<void> {
  for (const root of tempRoots.splice(0)) await fsp.rm(root, { recursive: true, force: true });
}

export function doc(kind: string, namespace: string, name: string, spec: JsonObject = {}): StoredDocument {
  return {
    key: { kind, namespace, name },
    body: { apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name, namespace }, spec },
  };
}

/** A clock that advances one second per call from a fixed start, so revision times are exact. */
export function fixedClock(start = Date.UTC(2025, 0, 1)): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}
