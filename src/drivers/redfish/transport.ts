/**
 * One HTTP exchange with a BMC, and how its certificate is trusted.
 *
 * TLS is always verified; there is no switch to turn it off. A BMC's certificate is trusted
 * in one of two ways, decided by the `TrustPort`:
 *
 * - `pinned`: the certificate recorded at enrolment (trust on first use, the operator shown
 *   its SHA-256 fingerprint). The connection must present exactly that certificate — the
 *   fingerprint is compared, not the host name, since BMC certificates rarely name their
 *   address. A changed certificate is refused until the operator accepts the new one.
 * - `ca`: the operator's CA bundle (or the system's roots) with normal host-name checking.
 *
 * `probeCertificate` opens a TLS connection only to read the certificate the BMC presents (no
 * request, no credentials are sent): that is how enrolment shows a fingerprint to accept.
 *
 * Connections are kept alive per origin (one agent each), so a fleet's power reads do not pay
 * a handshake per call.
 */
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { BmcAddress } from './address.ts';

export type Trust = { kind: 'pinned'; fingerprint256: string; pem: string } | { kind: 'ca'; ca?: string };

/** Where trust decisions live (the `bmc_trust` table in production, a Map in tests). */
export interface TrustPort {
  /** How `origin`'s certificate is to be trusted; undefined = no pin (the CA bundle / system roots). */
  trustFor(origin: string): Promise<Trust | undefined>;
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface HttpExchange {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  signal: AbortSignal;
}

/** A transport-level failure (no HTTP answer): `refused` means the request never reached the BMC. */
export class TransportError extends Error {
  constructor(
    readonly reason: 'refused' | 'dropped' | 'dns' | 'certificate' | 'aborted',
    message: string,
  ) {
    super(message);
  }
}

/** `AA:BB:…` upper-case, as Node prints it. */
export function normalizeFingerprint(f: string): string {
  const hex = f.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

export class Transport {
  private readonly agents = new Map<string, http.Agent>();

  constructor(private readonly defaultCa?: string) {}

  async send(address: BmcAddress, trust: Trust | undefined, x: HttpExchange): Promise<HttpReply> {
    const payload = x.body === undefined ? undefined : Buffer.from(JSON.stringify(x.body));
    const headers: Record<string, string> = {
      accept: 'application/json',
      'odata-version': '4.0',
      ...x.headers,
      ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
    };
    const options: https.RequestOptions = {
      host: address.host,
      port: address.port,
      method: x.method,
      path: x.path,
      headers,
      agent: this.agentFor(address, trust),
      signal: x.signal,
    };
    return new Promise<HttpReply>((resolve, reject) => {
      const req = (address.secure ? https : http).request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(translate(err, address, true)));
      });
      let sent = false;
      req.on('socket', (socket) => {
        socket.once(address.secure ? 'secureConnect' : 'connect', () => (sent = true));
        if (!socket.connecting) sent = true; // a kept-alive socket
      });
      req.on('error', (err) => reject(translate(err, address, sent)));
      req.end(payload);
    });
  }

  /** Drops kept-alive connections (e.g. after the operator changed the trust of an origin). */
  forget(origin?: string): void {
    for (const [key, agent] of this.agents) {
      if (origin === undefined || key.startsWith(`${origin}|`)) {
        agent.destroy();
        this.agents.delete(key);
      }
    }
  }

  close(): void {
    this.forget();
  }

  private agentFor(address: BmcAddress, trust: Trust | undefined): http.Agent {
    const key = `${address.origin}|${trust?.kind === 'pinned' ? trust.fingerprint256 : 'ca'}`;
    let agent = this.agents.get(key);
    if (agent) return agent;
    const common = { keepAlive: true, maxSockets: 4, keepAliveMsecs: 10_000 };
    if (!address.secure) agent = new http.Agent(common);
    else if (trust?.kind === 'pinned') {
      const expected = normalizeFingerprint(trust.fingerprint256);
      agent = new https.Agent({
        ...common,
        ca: trust.pem,
        rejectUnauthorized: true,
        checkServerIdentity: (_host, cert) =>
          normalizeFingerprint(cert.fingerprint256) === expected
            ? undefined
            : Object.assign(new Error(`certificate changed: ${address.origin} presented ${cert.fingerprint256}, pinned ${expected}`), {
              code: 'BMS_CERT_PIN_MISMATCH',
            }),
      });
    } else {
      const ca = (trust?.kind === 'ca' ? trust.ca : undefined) ?? this.defaultCa;
      agent = new https.Agent({ ...common, rejectUnauthorized: true, ...(ca ? { ca } : {}) });
    }
    this.agents.set(key, agent);
    return agent;
  }
}

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE', 'BMS_CERT_PIN_MISMATCH', 'CERT_UNTRUSTED',
  'CERT_NOT_YET_VALID', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function translate(err: Error & { code?: string }, address: BmcAddress, sent: boolean): TransportError {
  const code = err.code ?? '';
  if (err.name === 'AbortError' || code === 'ABORT_ERR') return new TransportError('aborted', `request to ${address.origin} cut at the deadline`);
  if (CERT_CODES.has(code) || /certificate/i.test(err.message)) {
    return new TransportError('certificate', `TLS certificate of ${address.origin} not trusted (${code || err.message})${code === 'BMS_CERT_PIN_MISMATCH' ? `: ${err.message}` : ''}`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TransportError('dns', `BMC host ${address.host} does not resolve (${code})`);
  if (!sent && (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT')) {
    return new TransportError('refused', `no BMC answers at ${address.origin} (${code})`);
  }
  return new TransportError('dropped', `connection to ${address.origin} dropped (${code || err.message})`);
}

export interface PresentedCertificate {
  fingerprint256: string;
  pem: string;
  subject: string;
  issuer: string;
  validTo: string;
  /** Whether it would verify against the CA bundle / system roots with host-name checking. */
  trustedByCa: boolean;
}

/** Reads the certificate `address` presents, sending nothing but a TLS handshake. */
export function probeCertificate(address: BmcAddress, timeoutMs = 10_000, ca?: string): Promise<PresentedCertificate> {
  return new Promise((resolve, reject) => {
    // Verification is off for this one handshake only: nothing is sent over it, and what it
    // returns is a certificate for the operator to judge, never a channel for credentials.
    const socket = tls.connect({ host: address.host, port: address.port, servername: servername(address.host), rejectUnauthorized: false, ...(ca ? { ca } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError('refused', `no TLS answer from ${address.origin} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const raw = socket.getPeerCertificate(false)?.raw;
      const authorized = socket.authorized && !tls.checkServerIdentity(address.host, socket.getPeerCertificate());
      socket.end();
      if (!raw) return reject(new TransportError('certificate', `${address.origin} presented no certificate`));
      const x = new X509Certificate(raw);
      resolve({ fingerprint256: normalizeFingerprint(x.fingerprint256), pem: x.toString(), subject: x.subject, issuer: x.issuer, validTo: x.validTo, trustedByCa: authorized });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(translate(err, address, false));
    });
  });
}

function servername(host: string): string | undefined {
  return /^[\d.]+$|:/.test(host) ? undefined : host;
}
