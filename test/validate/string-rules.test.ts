// validate.StringRules and validate.BytesRules: each rule on a real Envoy field where the API has
// one, on the test-only messages otherwise; each failing case has a passing twin.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { validateMessage, validateResource } from '../../src/validate';
import { assertIssue, assertOnlyIssue, assertValid, cluster, HCM_PATH, httpListener, resource, routeConfig } from './helpers';
import { validateTest } from './synthetic';

describe('string rules on Envoy fields', () => {
  it('string.min_len: Cluster.name may not be empty, and an absent name is the empty string', () => {
    assertOnlyIssue(validateResource(cluster('web', { name: '' })), 'name', 'string.min_len');
    const { name: _dropped, ...unnamed } = cluster('web').json;
    assertOnlyIssue(validateResource(resource(TypeUrl.Cluster, 'web', unnamed)), 'name', 'string.min_len');
    assertValid(validateResource(cluster('web')));
  });

  it('string.max_bytes: a HeaderValue key longer than 16384 bytes', () => {
    const header = (key: string) => routeConfig('r', [{ match: { prefix: '/' }, direct_response: { status: 200 } }], {
      response_headers_to_add: [{ header: { key, value: 'v' } }],
    });
    const issues = validateResource(header('x'.repeat(16385)));
    const issue = assertOnlyIssue(issues, 'virtual_hosts[0].response_headers_to_add[0].header.key', 'string.max_bytes');
    assert.match(issue.message, /at most 16384 bytes/);
    assertValid(validateResource(header('x'.repeat(16384))));
  });

  it('string.pattern (RE2): RouteMatch.path_separated_prefix may not end with a slash', () => {
    const route = (prefix: string) => routeConfig('r', [{ match: { path_separated_prefix: prefix }, direct_response: { status: 200 } }]);
    const issue = assertOnlyIssue(validateResource(route('/admin/')), 'virtual_hosts[0].routes[0].match.path_separated_prefix', 'string.pattern');
    assert.match(issue.message, /\^\[\^\?#\]\+\[\^\?#\/\]\$/);
    assertValid(validateResource(route('/admin')));
  });

  it('string.in: SchemeHeaderTransformation.scheme_to_overwrite inside an HCM typed_config', () => {
    const issues = validateResource(httpListener('l', { scheme_header_transformation: { scheme_to_overwrite: 'ftp' } }));
    assertOnlyIssue(issues, `${HCM_PATH}.scheme_header_transformation.scheme_to_overwrite`, 'string.in');
    assertValid(validateResource(httpListener('l', { scheme_header_transformation: { scheme_to_overwrite: 'https' } })));
  });

  it('string.well_known_regex HTTP_HEADER_VALUE (strict): HttpHealthCheck.host may not hold control characters', () => {
    const hc = (host: string) =>
      cluster('c', { health_checks: [{ timeout: '1s', interval: '5s', unhealthy_threshold: 2, healthy_threshold: 1, http_health_check: { host, path: '/healthz' } }] });
    assertOnlyIssue(validateResource(hc('bad\u0001host')), 'health_checks[0].http_health_check.host', 'string.well_known_regex');
    assertValid(validateResource(hc('api.example.com')));
  });

  it('string.well_known_regex HTTP_HEADER_NAME with strict: false only forbids NUL, CR and LF', () => {
    const header = (key: string) => routeConfig('r', [{ match: { prefix: '/' }, direct_response: { status: 200 } }], {
      request_headers_to_add: [{ header: { key, value: 'v' } }],
    });
    assertOnlyIssue(validateResource(header('x-bad\nname')), 'virtual_hosts[0].request_headers_to_add[0].header.key', 'string.well_known_regex');
    assertValid(validateResource(header('X Loose (but allowed)')));
  });

  it('string.ignore_empty: an empty override_auto_sni_header passes, a bad one fails (path through a map of Any)', () => {
    const withSni = (header: string) =>
      cluster('c', {
        typed_extension_protocol_options: {
          'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
            '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
            upstream_http_protocol_options: { auto_sni: true, override_auto_sni_header: header },
            explicit_http_config: { http_protocol_options: {} },
          },
        },
      });
    assertOnlyIssue(
      validateResource(withSni('bad header')),
      'typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"].upstream_http_protocol_options.override_auto_sni_header',
      'string.well_known_regex',
    );
    assertValid(validateResource(withSni('')));
    assertValid(validateResource(withSni(':authority')));
  });

  it('string.max_len: UriTemplateMatchConfig.path_template in a route path_match_policy', () => {
    const route = (template: string) =>
      routeConfig('r', [
        {
          match: {
            path_match_policy: {
              name: 'envoy.path.match.uri_template.uri_template_matcher',
              typed_config: { '@type': 'type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig', path_template: template },
            },
          },
          direct_response: { status: 200 },
        },
      ]);
    assertOnlyIssue(validateResource(route('/' + 'a'.repeat(256))), 'virtual_hosts[0].routes[0].match.path_match_policy.typed_config.path_template', 'string.max_len');
    assertValid(validateResource(route('/books/{id}')));
  });

  it('string.min_bytes: MySQLProxy.stat_prefix', () => {
    const name = 'envoy.config.filter.network.mysql_proxy.v1alpha1.MySQLProxy';
    assertOnlyIssue(validateMessage(name, { stat_prefix: '' }), 'stat_prefix', 'string.min_bytes');
    assertValid(validateMessage(name, { stat_prefix: 'mysql' }));
  });

  it('counts characters as code points for *_len and UTF-8 bytes for *_bytes', () => {
    // "€€€" is 3 code points and 9 bytes.
    assertValid(validateTest('Strings', { len_s: '€€€', implicit_s: 'x' }));
    assertIssue(validateTest('Strings', { len_bytes_s: '€€€', implicit_s: 'x' }), 'len_bytes_s', 'string.len_bytes');
    assertValid(validateTest('Strings', { len_bytes_s: '€a', implicit_s: 'x' }));
    assertValid(validateTest('Strings', { max_len_s: '😀😀😀', implicit_s: 'x' }));
  });
});

describe('string rules on the test messages', () => {
  const cases: { field: string; rule: string; bad: string; good: string }[] = [
    { field: 'const_s', rule: 'string.const', bad: 'other', good: 'fixed' },
    { field: 'len_s', rule: 'string.len', bad: 'four', good: 'abc' },
    { field: 'len_bytes_s', rule: 'string.len_bytes', bad: 'abc', good: 'abcd' },
    { field: 'min_bytes_s', rule: 'string.min_bytes', bad: 'a', good: 'ab' },
    { field: 'max_len_s', rule: 'string.max_len', bad: 'abcd', good: 'abc' },
    { field: 'prefix_s', rule: 'string.prefix', bad: 'post-x', good: 'pre-x' },
    { field: 'suffix_s', rule: 'string.suffix', bad: 'x-sux', good: 'x-suf' },
    { field: 'contains_s', rule: 'string.contains', bad: 'nothing', good: 'a-mid-b' },
    { field: 'not_contains_s', rule: 'string.not_contains', bad: 'so bad', good: 'fine' },
    { field: 'in_s', rule: 'string.in', bad: 'c', good: 'b' },
    { field: 'not_in_s', rule: 'string.not_in', bad: 'x', good: 'z' },
    { field: 'email_s', rule: 'string.email', bad: 'not-an-email', good: 'ops@example.com' },
    { field: 'email_s', rule: 'string.email', bad: 'a@-bad-.com', good: 'Ops Team <ops@mail.example.com>' },
    { field: 'hostname_s', rule: 'string.hostname', bad: '-bad.example.com', good: 'api-1.example.com' },
    { field: 'hostname_s', rule: 'string.hostname', bad: 'a..b', good: 'example.com.' },
    { field: 'ip_s', rule: 'string.ip', bad: '256.1.1.1', good: '2001:db8::1' },
    { field: 'ipv4_s', rule: 'string.ipv4', bad: '::1', good: '192.168.0.1' },
    { field: 'ipv6_s', rule: 'string.ipv6', bad: '10.0.0.1', good: 'fe80::1' },
    { field: 'ipv6_s', rule: 'string.ipv6', bad: '[::1]', good: '::ffff:10.0.0.1' },
    { field: 'uri_s', rule: 'string.uri', bad: '/relative/path', good: 'https://example.com/a?b=c#d' },
    { field: 'uri_s', rule: 'string.uri', bad: 'http://exa mple.com', good: 'urn:isbn:0451450523' },
    { field: 'uri_ref_s', rule: 'string.uri_ref', bad: 'bad ref', good: '../relative?x=%20' },
    { field: 'uri_ref_s', rule: 'string.uri_ref', bad: '/a%zz', good: '//[2001:db8::1]:8080/p' },
    { field: 'address_s', rule: 'string.address', bad: 'not an address', good: '10.1.2.3' },
    { field: 'address_s', rule: 'string.address', bad: 'under_score.example', good: 'backend.svc.cluster.local' },
    { field: 'uuid_s', rule: 'string.uuid', bad: '123e4567-e89b-12d3-a456-42661417400', good: '123e4567-e89b-12d3-a456-426614174000' },
    { field: 'header_name_s', rule: 'string.well_known_regex', bad: 'x header', good: ':authority' },
    { field: 'header_value_s', rule: 'string.well_known_regex', bad: 'tab\tis ok but bell\u0007 is not', good: 'tab\tand spaces' },
    { field: 'pattern_s', rule: 'string.pattern', bad: 'v1.2', good: 'V12' },
  ];
  for (const c of cases) {
    it(`${c.rule}: ${JSON.stringify(c.bad)} fails, ${JSON.stringify(c.good)} passes`, () => {
      assertOnlyIssue(validateTest('Strings', { [c.field]: c.bad, implicit_s: 'x' }), c.field, c.rule);
      assertValid(validateTest('Strings', { [c.field]: c.good, implicit_s: 'x' }));
    });
  }

  it('fields without presence are checked at their default value; optional and oneof fields only when set', () => {
    const issues = validateTest('OptionalImplicit', {});
    assertIssue(issues, 'must_be_set', 'string.min_len');
    assertIssue(issues, 'must_be_positive', 'uint32.gt');
    assertIssue(issues, 'at_least_one', 'repeated.min_items');
    assert.equal(issues.length, 3);
    assertValid(validateTest('OptionalImplicit', { must_be_set: 'x', must_be_positive: 1, at_least_one: ['a'] }));
    assertOnlyIssue(validateTest('OptionalImplicit', { must_be_set: 'x', must_be_positive: 1, at_least_one: ['a'], ignored_when_empty: 'abc' }), 'ignored_when_empty', 'string.min_len');
    assertValid(validateTest('Strings', { implicit_s: 'x' }));
    assertOnlyIssue(validateTest('Strings', {}), 'implicit_s', 'string.min_len');
  });

  it('reports one issue per value, the first broken rule in PGV order', () => {
    // HeaderValue.key "" breaks min_len and the header-name pattern; Envoy names the first.
    const issues = validateResource(
      routeConfig('r', [{ match: { prefix: '/' }, direct_response: { status: 200 } }], { request_headers_to_add: [{ header: { key: '', value: 'v' } }] }),
    );
    assertOnlyIssue(issues, 'virtual_hosts[0].request_headers_to_add[0].header.key', 'string.min_len');
  });
});

describe('bytes rules', () => {
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

  it('bytes.max_len: HeaderValue.raw_value longer than 16384 bytes', () => {
    const header = (raw: Buffer) => routeConfig('r', [{ match: { prefix: '/' }, direct_response: { status: 200 } }], {
      request_headers_to_add: [{ header: { key: 'x-raw', raw_value: raw.toString('base64') } }],
    });
    assertOnlyIssue(validateResource(header(Buffer.alloc(16385, 0x61))), 'virtual_hosts[0].request_headers_to_add[0].header.raw_value', 'bytes.max_len');
    assertValid(validateResource(header(Buffer.alloc(16384, 0x61))));
  });

  it('bytes.min_len: GenericTextMatch.binary_match may not be empty when set', () => {
    const name = 'envoy.config.common.matcher.v3.HttpGenericBodyMatch';
    assertOnlyIssue(validateMessage(name, { patterns: [{ binary_match: '' }] }), 'patterns[0].binary_match', 'bytes.min_len');
    assertValid(validateMessage(name, { patterns: [{ binary_match: b64('\x00\x01') }] }));
  });

  const cases: { field: string; rule: string; bad: string | Buffer; good: string | Buffer }[] = [
    { field: 'const_b', rule: 'bytes.const', bad: 'no', good: 'ok' },
    { field: 'len_b', rule: 'bytes.len', bad: 'abc', good: 'ab' },
    { field: 'min_len_b', rule: 'bytes.min_len', bad: 'a', good: 'ab' },
    { field: 'max_len_b', rule: 'bytes.max_len', bad: 'abc', good: 'ab' },
    { field: 'pattern_b', rule: 'bytes.pattern', bad: 'ABC', good: 'abc' },
    { field: 'prefix_b', rule: 'bytes.prefix', bad: 'xab', good: 'abx' },
    { field: 'suffix_b', rule: 'bytes.suffix', bad: 'yzx', good: 'xyz' },
    { field: 'contains_b', rule: 'bytes.contains', bad: 'm-m', good: 'hmmm' },
    { field: 'in_b', rule: 'bytes.in', bad: 'no', good: 'go' },
    { field: 'not_in_b', rule: 'bytes.not_in', bad: 'no', good: 'yes' },
    { field: 'ip_b', rule: 'bytes.ip', bad: Buffer.alloc(5), good: Buffer.alloc(16) },
    { field: 'ipv4_b', rule: 'bytes.ipv4', bad: Buffer.alloc(16), good: Buffer.from([10, 0, 0, 1]) },
    { field: 'ipv6_b', rule: 'bytes.ipv6', bad: Buffer.from([10, 0, 0, 1]), good: Buffer.alloc(16) },
  ];
  for (const c of cases) {
    it(`${c.rule} on the test message`, () => {
      assertOnlyIssue(validateTest('Bytes', { [c.field]: b64(c.bad) }), c.field, c.rule);
      assertValid(validateTest('Bytes', { [c.field]: b64(c.good) }));
    });
  }

  it('accepts URL-safe base64 and rejects text that is not base64', () => {
    assertValid(validateTest('Bytes', { len_b: Buffer.from([0xfb, 0xff]).toString('base64url') }));
    assertOnlyIssue(validateTest('Bytes', { len_b: 'not base64!' }), 'len_b', 'json.type');
  });
});
