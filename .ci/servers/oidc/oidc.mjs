// CI only: oidc-provider (OpenID Certified) on 127.0.0.1 over TLS, one confidential client with
// the client-credentials grant, JWT access tokens (RFC 9068) for one audience, signed with a key
// generated at start (RS256 or ES256). `azp` is added because the DSF BPE verifies it by default.
// Reads its settings from the environment; writes READY_FILE once it listens.
import fs from 'node:fs';
import https from 'node:https';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const port = Number(env('OIDC_PORT'));
const issuer = env('OIDC_ISSUER');
const alg = process.env.OIDC_ALG || 'RS256';
const audience = env('OIDC_AUDIENCE');

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [{
    client_id: env('OIDC_CLIENT_ID'),
    client_secret: env('OIDC_CLIENT_SECRET'),
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: {
    keys: [
      { ...rsa, kid: 'ci-rsa', alg: 'RS256', use: 'sig' },
      { ...ec, kid: 'ci-ec', alg: 'ES256', use: 'sig' },
    ],
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'fhir',
        audience,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg } },
      }),
    },
  },
  extraTokenClaims: (ctx, token) => ({ azp: token.clientId }),
});

https
  .createServer({ key: fs.readFileSync(env('TLS_KEY')), cert: fs.readFileSync(env('TLS_CERT')) }, provider.callback())
  .listen(port, '127.0.0.1', () => {
    fs.writeFileSync(env('READY_FILE'), `${issuer}\n`);
    console.log(`oidc-provider listening at ${issuer}`);
  });
