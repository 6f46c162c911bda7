import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Db } from '../store/database.ts';
import { serverSecret } from '../store/serverSecrets.ts';

const KEY_NAME = 'webhook-secrets';

/**
 * Webhook signing secrets are needed in clear to sign, so they cannot be stored as hashes as tokens are: they
 * are stored encrypted (AES-256-GCM) with a key of the server's own (server_secrets, made once, the same for
 * every process), so that neither the log nor the webhooks table holds one in plain text.
 */
export interface SecretBox {
  seal(secret: string): string;
  open(ciphertext: string): string;
}

export async function openSecretBox(db: Db): Promise<SecretBox> {
  const key = Buffer.from(await serverSecret(db, KEY_NAME, randomBytes(32).toString('base64url')), 'base64url');
  return {
    seal(secret) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), sealed.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(ciphertext) {
      const [version, iv, sealed, tag] = ciphertext.split('.');
      if (version !== 'v1' || !iv || sealed === undefined || !tag) throw new Error('Not a sealed webhook secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** A new signing secret, shown once to whoever creates the webhook. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;
