// The whole control plane in-process for an end-to-end test, started through the composition root
// (src/app.ts) exactly as `meshgate serve` starts it, with both servers on 127.0.0.1 and ephemeral
// ports and a throwaway data directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startControlPlane, type ControlPlane } from '../../../src/app';
import type { SnapshotCache } from '../../../src/cache';
import { AdminClient } from './admin-client';

export interface TestControlPlane {
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly cache: SnapshotCache;
  /** meshgate's built-in CA (workload certificates for mTLS tests). */
  readonly ca: ControlPlane['ca'];
  /** The admin REST API over real HTTP. */
  readonly admin: AdminClient;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startTestControlPlane(): Promise<TestControlPlane> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-e2e-'));
  // Silent unless MESHGATE_E2E_LOG names a pino level, for debugging a failing run.
  const logLevel = process.env['MESHGATE_E2E_LOG'] ?? 'silent';
  const plane = await startControlPlane(
    { xdsHost: HOST, xdsPort: 0, adminHost: HOST, adminPort: 0, dataDir, logLevel, identifier: 'meshgate-e2e' },
    pino({ level: logLevel }),
  );
  return {
    xdsPort: plane.xdsPort,
    adminPort: plane.adminPort,
    cache: plane.cache,
    ca: plane.ca,
    admin: new AdminClient(plane.adminPort),
    async close() {
      await plane.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
