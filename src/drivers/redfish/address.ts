/**
 * A BMC address as an operator writes it: `https://host[:port]`, optionally followed by the
 * path of one system (`/redfish/v1/Systems/<id>`) for a BMC or emulator that serves several.
 * A bare `host[:port]` means https. Plain `http://` is accepted only for loopback addresses
 * (labs and emulators): a real BMC's credentials never travel in clear.
 */
import { isIP } from 'node:net';

export interface BmcAddress {
  /** `https://host:port` — what sessions and trust are keyed by. */
  origin: string;
  secure: boolean;
  host: string;
  port: number;
  /** `/redfish/v1/Systems/<id>` when the address names one system, else undefined (the only member). */
  systemPath?: string;
}

export class BmcAddressError extends Error {}

const SYSTEM_PATH = /^\/redfish\/v1\/Systems\/[^/?#]+$/;

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

export function parseBmcAddress(address: string): BmcAddress {
  const text = String(address ?? '').trim();
  if (text === '') throw new BmcAddressError('a BMC address is required');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new BmcAddressError(`BMC address ${JSON.stringify(text)} is not https://host[:port][/redfish/v1/Systems/<id>]`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BmcAddressError(`BMC address ${JSON.stringify(text)}: the scheme must be https (http only for loopback)`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new BmcAddressError(`BMC address ${JSON.stringify(text)} must not carry credentials, a query or a fragment`);
  }
  const secure = url.protocol === 'https:';
  if (!secure && !isLoopback(url.hostname)) {
    throw new BmcAddressError(`BMC address ${JSON.stringify(text)}: plain http is allowed only for loopback addresses; use https`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && !SYSTEM_PATH.test(path)) {
    throw new BmcAddressError(`BMC address ${JSON.stringify(text)}: the path may only name a system (/redfish/v1/Systems/<id>)`);
  }
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  return { origin: `${url.protocol}//${url.host}`, secure, host: url.hostname, port, ...(path ? { systemPath: path } : {}) };
}
