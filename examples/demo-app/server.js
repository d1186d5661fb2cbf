#!/usr/bin/env node
// The docker-compose demo's services (frontend, catalog v1 and v2): a tiny HTTP server, plain Node
// with no dependencies, that answers every request with JSON saying who answered (service,
// version), what it was asked (method, path) and a few headers that show what the proxies did
// (x-request-id, x-forwarded-for, x-forwarded-client-cert from mesh mTLS, x-user from a JWT,
// x-canary). With CATALOG_URL set (frontend), it also calls catalog there, through its sidecar's
// egress listener, and includes catalog's answer.
//
// Environment:
//   SERVICE_NAME     name to report (default "demo")
//   SERVICE_VERSION  version to report (default "v1")
//   LISTEN_HOST      address to bind (default 127.0.0.1: only the sidecar in the same network
//                    namespace reaches the app)
//   PORT             port to bind (default 3000; 0 picks a free one)
//   CATALOG_URL      frontend only: where catalog is called, e.g. http://127.0.0.1:8080
//   CATALOG_HOST     the Host header for those calls (default "catalog": the sidecar routes by it)
//
// GET /healthz answers {"status":"ok"} without calling anything (container health checks).
// On start it prints one JSON line: {"msg":"listening","service",...,"address","port"}.
'use strict';
const http = require('node:http');

const SERVICE = process.env.SERVICE_NAME || 'demo';
const VERSION = process.env.SERVICE_VERSION || 'v1';
const HOST = process.env.LISTEN_HOST || '127.0.0.1';
const PORT = process.env.PORT === undefined || process.env.PORT === '' ? 3000 : Number(process.env.PORT);
const CATALOG_URL = process.env.CATALOG_URL || '';
const CATALOG_HOST = process.env.CATALOG_HOST || 'catalog';
const UPSTREAM_TIMEOUT_MS = 5000;

/** Request headers worth showing; never credentials (the Authorization header is only forwarded). */
const SHOWN_HEADERS = ['host', 'user-agent', 'x-request-id', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-client-cert', 'x-user', 'x-canary', 'x-meshgate-consumer'];
/** Headers frontend passes on to catalog: tracing, the canary switch and the caller's token. */
const FORWARDED_HEADERS = ['x-request-id', 'x-canary', 'authorization'];

function shownHeaders(req) {
  const out = {};
  for (const name of SHOWN_HEADERS) {
    const value = req.headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function send(res, status, body) {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** GET <CATALOG_URL>/items with Host: CATALOG_HOST; resolves to {status, body} or {error}. */
function callCatalog(req) {
  return new Promise((resolve) => {
    const url = new URL('/items', CATALOG_URL);
    const headers = { host: CATALOG_HOST, accept: 'application/json' };
    for (const name of FORWARDED_HEADERS) if (req.headers[name] !== undefined) headers[name] = req.headers[name];
    const call = http.request(url, { method: 'GET', headers, timeout: UPSTREAM_TIMEOUT_MS }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode, body });
      });
    });
    call.on('timeout', () => call.destroy(new Error(`no answer within ${UPSTREAM_TIMEOUT_MS} ms`)));
    call.on('error', (err) => resolve({ error: `${url.origin} (Host ${CATALOG_HOST}): ${err.message}` }));
    call.end();
  });
}

async function handle(req, res) {
  const path = req.url || '/';
  if (path === '/healthz') {
    send(res, 200, { status: 'ok' });
    return;
  }
  const answer = { service: SERVICE, version: VERSION, method: req.method, path, headers: shownHeaders(req) };
  if (!CATALOG_URL) {
    send(res, 200, answer);
    return;
  }
  const catalog = await callCatalog(req);
  // catalog's refusal (401/403/429) is frontend's answer too; no answer at all is a 502.
  const status = catalog.error !== undefined ? 502 : catalog.status >= 400 ? catalog.status : 200;
  send(res, status, { ...answer, catalog });
}

const server = http.createServer((req, res) => {
  // Drain the request body: these services only read the request line and headers.
  req.resume();
  handle(req, res).catch((err) => send(res, 500, { service: SERVICE, version: VERSION, error: err.message }));
});

server.listen(PORT, HOST, () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ msg: 'listening', service: SERVICE, version: VERSION, address: address.address, port: address.port, catalog: CATALOG_URL || undefined }) + '\n');
});

// PID 1 in a container: without handlers, SIGTERM would be ignored until docker's kill timeout.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
