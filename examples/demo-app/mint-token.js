#!/usr/bin/env node
// DEMO ONLY. Mints an RS256 JWT signed with examples/demo-app/jwt/demo-only-private-key.pem, a key
// published in this repository: anyone can mint tokens with it, so never trust it outside the demo.
// The policies examples/gateway-api/demo/02-jwt-ratelimit.yaml and examples/istio/demo/02-jwt.yaml
// trust its public half (jwt/jwks.json) for issuer https://auth.demo.example, audience demo-api.
//
//   node examples/demo-app/mint-token.js                 # the token the README uses (sub alice)
//   node examples/demo-app/mint-token.js --sub bob --ttl 3600
//
// With the defaults the token is always the same (RS256 signatures are deterministic and iat/exp
// are fixed), so the README can print it.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ISSUER = 'https://auth.demo.example';
const AUDIENCE = 'demo-api';
const KEY_ID = 'demo-2026';
/** 2026-01-01T00:00:00Z and 2100-01-01T00:00:00Z: the default token never expires in practice. */
const DEFAULT_IAT = 1767225600;
const DEFAULT_EXP = 4102444800;

function usage(message) {
  process.stderr.write(`${message}\nusage: mint-token.js [--sub NAME] [--ttl SECONDS]\n`);
  process.exit(2);
}

function parse(argv) {
  const options = { sub: 'alice', ttl: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag !== '--sub' && flag !== '--ttl') usage(`unknown option ${flag}`);
    if (value === undefined) usage(`option ${flag} needs a value`);
    i++;
    if (flag === '--sub') options.sub = value;
    else {
      const ttl = Number(value);
      if (!Number.isInteger(ttl) || ttl <= 0) usage('--ttl takes a number of seconds');
      options.ttl = ttl;
    }
  }
  return options;
}

const base64url = (data) => Buffer.from(data).toString('base64url');

function mint({ sub, ttl }) {
  const now = Math.floor(Date.now() / 1000);
  const iat = ttl === undefined ? DEFAULT_IAT : now;
  const exp = ttl === undefined ? DEFAULT_EXP : now + ttl;
  const header = { alg: 'RS256', typ: 'JWT', kid: KEY_ID };
  const claims = { iss: ISSUER, aud: AUDIENCE, sub, iat, exp };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const key = fs.readFileSync(path.join(__dirname, 'jwt', 'demo-only-private-key.pem'));
  const signature = crypto.sign('sha256', Buffer.from(signingInput), key);
  return `${signingInput}.${signature.toString('base64url')}`;
}

process.stdout.write(mint(parse(process.argv.slice(2))) + '\n');
