import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseDuration, resolveOptions } from '../../src/config/options';

test('identity flags and their MESHGATE_* variables', () => {
  const flags = new Map([
    ['--trust-domain', 'mesh.example.org'],
    ['--workload-cert-ttl', '1h30m'],
    ['--ca-cert', 'ca.pem'],
    ['--ca-key', 'ca-key.pem'],
  ]);
  const options = resolveOptions(flags, {});
  assert.equal(options.trustDomain, 'mesh.example.org');
  assert.equal(options.workloadCertTtlMs, 90 * 60_000);
  assert.equal(options.caCertFile, path.resolve('ca.pem'));
  assert.equal(options.caKeyFile, path.resolve('ca-key.pem'));

  const fromEnv = resolveOptions(new Map(), { MESHGATE_XDS_TLS_CERT: 'x.pem', MESHGATE_XDS_TLS_KEY: 'x-key.pem', MESHGATE_XDS_TLS_CLIENT_CA: 'clients.pem' });
  assert.equal(fromEnv.xdsTlsCertFile, path.resolve('x.pem'));
  assert.equal(fromEnv.xdsTlsKeyFile, path.resolve('x-key.pem'));
  assert.equal(fromEnv.xdsTlsClientCaFile, path.resolve('clients.pem'));
  assert.equal(resolveOptions(new Map(), {}).trustDomain, undefined, 'default cluster.local is applied by the CA');
});

test('identity flags that do not work together are refused with the reason', () => {
  assert.throws(() => resolveOptions(new Map([['--ca-cert', 'a.pem']]), {}), /--ca-cert and --ca-key go together/);
  assert.throws(() => resolveOptions(new Map([['--xds-tls-key', 'k.pem']]), {}), /--xds-tls-cert and --xds-tls-key go together/);
  assert.throws(() => resolveOptions(new Map([['--xds-tls-client-ca', 'c.pem']]), {}), /needs --xds-tls-cert/);
  assert.throws(() => resolveOptions(new Map([['--trust-domain', 'Bad Domain']]), {}), /SPIFFE trust domain/);
  assert.throws(() => resolveOptions(new Map([['--workload-cert-ttl', '24']]), {}), /must be a duration/);
});

test('durations', () => {
  assert.equal(parseDuration('24h', 'x'), 86_400_000);
  assert.equal(parseDuration('45s', 'x'), 45_000);
  assert.equal(parseDuration('1500ms', 'x'), 1500);
  assert.equal(parseDuration('2d', 'x'), 2 * 86_400_000);
  assert.throws(() => parseDuration('500ms', 'x'), /at least 1s/);
  assert.throws(() => parseDuration('1h foo', 'x'), /must be a duration/);
});
