/**
 * TC3-HMAC-SHA256 over Web Crypto (Node 20's `globalThis.crypto` and every browser), so the SDK
 * has no dependency on `node:crypto`.
 *
 * Signed headers are `content-type;host;x-tc-action`, plus `x-tc-token` with temporary
 * credentials: signing the action means a captured signature cannot be replayed against another
 * action with the same body, and signing the token binds it to the request. The canonical header
 * values are the ones sent (the gateway compares against exactly those). The derived key
 * (three HMACs) is kept per secret key, day and service.
 */
const enc = new TextEncoder();

const subtle = () => {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) throw new Error('Web Crypto (globalThis.crypto.subtle) is required to sign requests');
  return c.subtle;
};

const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

export async function sha256Hex(data: string): Promise<string> {
  return hex(await subtle().digest('SHA-256', enc.encode(data)));
}

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await subtle().importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return subtle().sign('HMAC', k, enc.encode(data));
}

const keys = new Map<string, Promise<ArrayBuffer>>();

function signingKey(secretKey: string, date: string, service: string): Promise<ArrayBuffer> {
  const id = `${date}/${service}/${secretKey}`;
  let key = keys.get(id);
  if (!key) {
    if (keys.size > 64) keys.clear();
    key = (async () => hmac(await hmac(await hmac(enc.encode(`TC3${secretKey}`), date), service), 'tc3_request'))();
    keys.set(id, key);
  }
  return key;
}

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  service: string;
  /** Unix seconds, as sent in X-TC-Timestamp. */
  timestamp: number;
  /** `host[:port]` as sent in the Host header. */
  host: string;
  contentType: string;
  action: string;
  /** The temporary credentials' token, sent as X-TC-Token (and then signed). */
  token?: string;
  body: string;
}

/** The Authorization header value for one request. */
export async function tc3Authorization(input: Tc3Input): Promise<string> {
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const signed = input.token ? 'content-type;host;x-tc-action;x-tc-token' : 'content-type;host;x-tc-action';
  const tokenLine = input.token ? `x-tc-token:${input.token}\n` : '';
  const canonical = [
    'POST', '/', '',
    `content-type:${input.contentType}\nhost:${input.host}\nx-tc-action:${input.action}\n${tokenLine}`,
    signed,
    await sha256Hex(input.body),
  ].join('\n');
  const scope = `${date}/${input.service}/tc3_request`;
  const toSign = `TC3-HMAC-SHA256\n${input.timestamp}\n${scope}\n${await sha256Hex(canonical)}`;
  const signature = hex(await hmac(await signingKey(input.secretKey, date, input.service), toSign));
  return `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`;
}
