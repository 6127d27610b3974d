/**
 * Fault tests: the `redfish` driver against the lab's Redfish face misbehaving as real BMCs do —
 * slow answers, dropped connections, 5xx, 412 on a stale ETag, the session limit reached, the
 * wrong certificate. Each ends in a bounded retry that succeeds or a clear DriverError carrying
 * the BMC's MessageId; a changed certificate is refused until the operator accepts it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rejectsWith } from '../src/drivers/conformance/driver-suite.ts';
import type { ServerTarget } from '../src/drivers/interfaces/hardware.ts';
import { createRedfishDriver, DEFAULT_PROFILE, normalizeFingerprint, parseBmcAddress, probeCertificate, type Trust } from '../src/drivers/redfish/index.ts';
import { startRedfishLab, type RedfishLab } from './support/redfish-lab.ts';

let lab: RedfishLab;
before(async () => {
  lab = await startRedfishLab({ driver: { overrides: { pollMs: 5, deadlinesMs: { ...DEFAULT_PROFILE.deadlinesMs, read: 2_000, boot: 2_000, power: 2_000 } } } });
});
after(async () => lab?.close());

const fresh = async (): Promise<ServerTarget> => (await lab.rack()).target;

describe('redfish driver under BMC faults (lab face)', () => {
  test('a slow BMC within the deadline is waited for; beyond it the operation ends in timeout, naming the deadline', async () => {
    const t = await fresh();
    await lab.driver.power.getPowerState(t); // learn the service first
    lab.face.injectFault(t.serverId, { kind: 'slow', delayMs: 100 });
    assert.equal(await lab.driver.power.getPowerState(t), 'off');
    lab.face.injectFault(t.serverId, { kind: 'slow', delayMs: 3_000 });
    await assert.rejects(lab.driver.power.getPowerState(t), (e: Error & { kind?: string }) => e.kind === 'timeout' && /within 2 s/.test(e.message));
    lab.face.clearFaults(t.serverId);
  });

  test('dropped connections: a read is retried (bounded); past the bound it is unreachable', async () => {
    const t = await fresh();
    await lab.driver.power.getPowerState(t);
    lab.face.injectFault(t.serverId, { kind: 'drop', times: 2 });
    assert.equal(await lab.driver.power.getPowerState(t), 'off');
    lab.face.injectFault(t.serverId, { kind: 'drop', times: 10 });
    await rejectsWith('unreachable', lab.driver.power.getPowerState(t));
    lab.face.clearFaults(t.serverId);
  });

  test('503 is retried a bounded number of times; a persistent one fails with the BMC MessageId', async () => {
    const t = await fresh();
    await lab.driver.power.getPowerState(t);
    lab.face.injectFault(t.serverId, { kind: 'status', status: 503, times: 2 });
    await lab.driver.power.setPowerState(t, 'on');
    assert.equal(await lab.driver.power.getPowerState(t), 'on');
    lab.face.injectFault(t.serverId, { kind: 'status', status: 503, times: 20 });
    await assert.rejects(lab.driver.power.setPowerState(t, 'off'), (e: Error & { kind?: string }) =>
      e.kind === 'failed' && /HTTP 503 after 3 attempts: Base\.1\.8\.ServiceTemporarilyUnavailable/.test(e.message));
    lab.face.clearFaults(t.serverId);
  });

  test('a 500 is not retried and carries the message', async () => {
    const t = await fresh();
    await lab.driver.power.getPowerState(t);
    lab.face.injectFault(t.serverId, { kind: 'status', status: 500, times: 1 });
    await assert.rejects(lab.driver.power.getPowerState(t), /HTTP 500: Base\.1\.8\.ServiceTemporarilyUnavailable/);
    assert.equal(await lab.driver.power.getPowerState(t), 'off');
  });

  test('412 on a stale ETag: read again and retry; a resource that keeps changing fails clearly', async () => {
    const t = await fresh();
    lab.face.injectFault(t.serverId, { kind: 'stale-etag', times: 1 });
    await lab.driver.management.setBootDevice(t, 'pxe');
    assert.equal((await lab.sim.lab.snapshot(t.serverId)).bootDevice, 'pxe');
    lab.face.injectFault(t.serverId, { kind: 'stale-etag', times: 10 });
    await assert.rejects(lab.driver.management.setBootDevice(t, 'cdrom'), /412 Precondition Failed 3 times\): Base\.1\.8\.PreconditionFailed/);
    lab.face.clearFaults(t.serverId);
  });

  test('a real If-Match mismatch is caught by the face (the driver sends the ETag it read)', async () => {
    const t = await fresh();
    const url = lab.face.urlOf(t.serverId);
    const auth = `Basic ${Buffer.from(`${t.bmc.username}:${t.bmc.password}`).toString('base64')}`;
    const r = await fetch(url, { method: 'PATCH', headers: { authorization: auth, 'if-match': 'W/"stale"', 'content-type': 'application/json' }, body: JSON.stringify({ Boot: { BootSourceOverrideTarget: 'Pxe' } }) });
    assert.equal(r.status, 412);
    await lab.driver.management.setBootDevice(t, 'pxe');
  });

  test('session limit reached: bounded retry, then a clear failure with SessionLimitExceeded', async () => {
    const driver = createRedfishDriver({ overrides: { pollMs: 5 } });
    try {
      const t = await fresh();
      lab.face.injectFault(t.serverId, { kind: 'session-limit', times: 1 });
      assert.equal(await driver.power.getPowerState(t), 'off');
      const u = await fresh();
      lab.face.injectFault(u.serverId, { kind: 'session-limit', times: 10 });
      await assert.rejects(driver.power.getPowerState(u), /could not open a session .*SessionLimitExceeded/);
      lab.face.clearFaults(u.serverId);
    } finally {
      driver.close();
    }
  });

  test('a BMC that stops answering mid-operation never leaves a call hanging past its deadline', async () => {
    const t = await fresh();
    await lab.driver.power.getPowerState(t);
    await lab.sim.lab.injectFault(t.serverId, { kind: 'hang', operations: ['setPowerState'] });
    await rejectsWith('timeout', lab.driver.power.setPowerState(t, 'on'));
    await lab.sim.lab.clearFaults(t.serverId);
  });
});

// ---- TLS ---------------------------------------------------------------------------------------

function selfSigned(dir: string, name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

describe('redfish TLS: verified always, pinned at enrolment, a changed certificate refused until accepted', () => {
  let tlsLab: RedfishLab;
  let a: { key: string; cert: string };
  let b: { key: string; cert: string };
  const pins = new Map<string, Trust>();
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bms-rf-tls-'));
    a = selfSigned(dir, 'bmc-a');
    b = selfSigned(dir, 'bmc-b');
    tlsLab = await startRedfishLab({ face: { tls: a }, driver: { trust: { trustFor: async (o) => pins.get(o) }, overrides: { pollMs: 5 } } });
  });
  after(async () => tlsLab?.close());

  test('an unpinned self-signed BMC is refused; the probe shows the fingerprint to accept; once pinned it works', async () => {
    const { target } = await tlsLab.rack();
    await assert.rejects(tlsLab.driver.power.getPowerState(target), /TLS certificate of https:\/\/127\.0\.0\.1:\d+ not trusted .*AcceptServerCertificate/);
    const seen = await probeCertificate(parseBmcAddress(target.bmc.address));
    assert.equal(seen.fingerprint256, normalizeFingerprint(new X509Certificate(a.cert).fingerprint256));
    assert.equal(seen.trustedByCa, false);
    pins.set(parseBmcAddress(target.bmc.address).origin, { kind: 'pinned', fingerprint256: seen.fingerprint256, pem: seen.pem });
    assert.equal(await tlsLab.driver.power.getPowerState(target), 'off');
  });

  test('a changed certificate is refused (naming both fingerprints) until the operator accepts the new one', async () => {
    const { target } = await tlsLab.rack();
    const origin = parseBmcAddress(target.bmc.address).origin;
    const pinA = await probeCertificate(parseBmcAddress(target.bmc.address));
    pins.set(origin, { kind: 'pinned', fingerprint256: pinA.fingerprint256, pem: pinA.pem });
    assert.equal(await tlsLab.driver.power.getPowerState(target), 'off');
    tlsLab.face.setCertificate(b.key, b.cert);
    tlsLab.driver.client.forget(origin); // new connections (a BMC reboot closes the old ones)
    await assert.rejects(tlsLab.driver.power.getPowerState(target), (e: Error & { kind?: string }) => e.kind === 'failed' && /not trusted/.test(e.message));
    const pinB = await probeCertificate(parseBmcAddress(target.bmc.address));
    assert.notEqual(pinB.fingerprint256, pinA.fingerprint256);
    pins.set(origin, { kind: 'pinned', fingerprint256: pinB.fingerprint256, pem: pinB.pem }); // the operator accepts
    assert.equal(await tlsLab.driver.power.getPowerState(target), 'off');
    tlsLab.face.setCertificate(a.key, a.cert);
  });
});
