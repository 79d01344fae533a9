/**
 * Where the codec endpoint is mounted, and who may call it. `/codec` takes an API key (the CLI, scripts,
 * a UI behind an auth proxy). The Temporal UI's browser cannot add a bearer token to its codec calls
 * (`passAccessToken` forwards only the UI's own OIDC token), so with TEMPORAL_UI_CODEC_TOKEN set the
 * codec is also served under `/codec/ui/<token>`: the token is the credential, valid on the codec only.
 * The codec protocol looks only at the URL's last segment, so the UI takes this as its endpoint.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Router } from 'express';
import type { AppConfig } from '../../shared/config';
import { createPayloadCodec } from '../../shared/adapters/payload-codec';
import type { Authenticator } from '../auth';
import { codecRouter } from './codec';

export const UI_CODEC_PATH_PREFIX = '/codec/ui/';

export interface CodecRoutes {
  withApiKey?: Router;
  forUi?: { path: string; router: Router };
}

export function codecRoutes({ config, auth, log }: { config: AppConfig; auth: Authenticator; log: (message: string) => void }): CodecRoutes {
  const { payloadEncryptionKeys, payloadDecryptOnlyKeys, uiCodecToken } = config.security;
  if (!payloadEncryptionKeys && !payloadDecryptOnlyKeys) return {};
  // Its own codec, not the data converter's: ids of keys in payloads strangers post are not the deployment's health.
  const codec = createPayloadCodec({ encryptionKeys: payloadEncryptionKeys, decryptOnlyKeys: payloadDecryptOnlyKeys });
  const allowedOrigins = [new URL(config.temporal.uiUrl).origin];
  const withApiKey = codecRouter({
    codec,
    allowedOrigins,
    authorize: (req) => {
      const result = auth.authenticate(req.headers.authorization);
      return 'id' in result ? true : { status: 401, code: result.code, message: result.message };
    },
    log,
  });
  if (!uiCodecToken) return { withApiKey };
  const expected = createHash('sha256').update(uiCodecToken).digest();
  const forUi = codecRouter({
    codec,
    allowedOrigins,
    authorize: (req) => {
      const presented = createHash('sha256').update(String(req.params.token ?? '')).digest();
      return timingSafeEqual(expected, presented) ? true : { status: 404, code: 'route_not_found', message: 'no such codec endpoint' };
    },
    log,
  });
  return { withApiKey, forUi: { path: `${UI_CODEC_PATH_PREFIX}:token`, router: forUi } };
}
