// A corpus of realistic, valid Envoy configs (test/validate/corpus): each resource passes on its
// own, together they form a snapshot whose every reference resolves, and a full ADS bootstrap
// written as YAML passes as envoy.config.bootstrap.v3.Bootstrap.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';
import { validateMessage, validateResource, validateSnapshot } from '../../src/validate';
import { assertIssue, assertValid, loadCorpus, repoPath } from './helpers';

const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';

function loadBootstrap(): Record<string, unknown> {
  const doc: unknown = yaml.load(fs.readFileSync(repoPath('test', 'validate', 'corpus', 'bootstrap-ads.yaml'), 'utf8'));
  assert.ok(typeof doc === 'object' && doc !== null && !Array.isArray(doc));
  return doc as Record<string, unknown>;
}

describe('valid corpus', () => {
  const corpus = loadCorpus();

  it('holds every kind of resource the brief lists', () => {
    const files = corpus.map((c) => c.file);
    for (const expected of ['listener-http.json', 'listener-https.json', 'cluster-eds.json', 'cluster-strict-dns.json', 'route-config.json', 'cla-web.json']) {
      assert.ok(files.includes(expected), `${expected} missing from the corpus`);
    }
  });

  for (const { file, resource } of corpus) {
    it(`${file} passes validateResource`, () => {
      assertValid(validateResource(resource));
    });
  }

  it('the whole corpus passes validateSnapshot (names, router filter, references)', () => {
    assertValid(validateSnapshot(corpus.map((c) => c.resource)));
  });

  it('dropping a referenced resource from the corpus breaks the snapshot', () => {
    const withoutCa = corpus.map((c) => c.resource).filter((r) => r.name !== 'upstream-ca');
    const issues = validateSnapshot(withoutCa);
    assert.ok(issues.length >= 2);
    assert.ok(issues.every((i) => i.rule === 'reference.secret'));
  });
});

describe('Envoy bootstrap', () => {
  it('bootstrap-ads.yaml passes as envoy.config.bootstrap.v3.Bootstrap', () => {
    assertValid(validateMessage(BOOTSTRAP, loadBootstrap()));
  });

  it('a broken bootstrap names the field, with the path prefix given', () => {
    const broken = loadBootstrap();
    const clusters = (broken['static_resources'] as { clusters: Record<string, unknown>[] }).clusters;
    clusters[0]!['connect_timeout'] = '0s';
    (broken['admin'] as Record<string, unknown>)['adress'] = {};
    const issues = validateMessage(BOOTSTRAP, broken, 'bootstrap');
    assertIssue(issues, 'bootstrap.static_resources.clusters[0].connect_timeout', 'duration.gt');
    assertIssue(issues, 'bootstrap.admin.adress', 'json.unknown_field');
    assert.equal(issues.length, 2);
    assert.equal(issues[0]!.typeUrl, `type.googleapis.com/${BOOTSTRAP}`);
  });
});
