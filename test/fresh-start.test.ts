/**
 * A fresh `npm start` (the bundle in a child process, a brand-new data folder, nothing done by
 * an operator) shows every feature: the demo EIP pool is there, so the demo tenant allocates an
 * EIP, launches an instance with InternetAccessible and a public IP, binds and unbinds an EIP
 * and changes bandwidth. Run through the official SDK with the keys from the credential file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startupBanner } from '../src/server/banner.ts';
import { readCredentialFile, startChildServer, type ChildServer } from './support/child-server.ts';
import { sdk, waitFor, type Call } from './support/cloud.ts';

interface Flavor { FlavorId: string; UserDefined: number; RaidType: string[]; OperatingSystem: { Linux: string[] }; Placement: { Zone: string } }
interface Address { AddressId: string; AddressIp: string; AddressStatus: string; InstanceId: string | null; InternetServiceProvider?: string }

describe('a fresh npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bms-fresh-'));
  let server: ChildServer;
  let bms: Call;
  let vpc: Call;
  before(async () => {
    server = await startChildServer({ BMS_DATA_DIR: dataDir, BMS_SIM_TIME_SCALE: '0' }, 60_000);
    const demo = { ...readCredentialFile(dataDir, 'demo'), Endpoint: server.endpoint };
    bms = sdk(demo);
    vpc = sdk(demo, 'vpc');
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('allocates EIPs of every ISP line with no operator step', async () => {
    for (const isp of ['BGP', 'CTCC', 'CUCC', 'CMCC']) {
      const { AddressSet } = await vpc<{ AddressSet: string[] }>('AllocateAddresses', { InternetServiceProvider: isp });
      assert.equal(AddressSet.length, 1, isp);
    }
    const { AddressSet } = await vpc<{ AddressSet: Address[] }>('DescribeAddresses', {});
    assert.equal(AddressSet.length, 4);
    assert.ok(AddressSet.every((a) => /^(203\.0\.113|198\.51\.100)\./.test(a.AddressIp)), JSON.stringify(AddressSet));
  });

  it('launches an instance with InternetAccessible and a public IP; binds, unbinds and rebandwidths an EIP', async () => {
    const zone = 'ap-guangzhou-1';
    const { FlavorSet } = await bms<{ FlavorSet: Flavor[] }>('DescribeFlavors', { Filters: [{ Name: 'zone', Values: [zone] }] });
    const f = FlavorSet.find((x) => !x.UserDefined)!;
    const { SubnetSet } = await vpc<{ SubnetSet: Array<{ SubnetId: string; VpcId: string }> }>('DescribeSubnets', { Filters: [{ Name: 'zone', Values: [zone] }] });
    const { BmsId } = await bms<{ BmsId: string[] }>('RunInstances', {
      Placement: { Zone: zone }, FlavorId: f.FlavorId, RaidType: f.RaidType[0], OperatingSystemType: 'Linux', OperatingSystem: f.OperatingSystem.Linux[0],
      VirtualPrivateCloud: { VpcId: SubnetSet[0]!.VpcId, SubnetId: SubnetSet[0]!.SubnetId }, LoginSettings: { Password: 'Fresh#Start2026' },
      InternetAccessible: { InternetMaxBandwidthOut: 10, PublicIpAssigned: true }, InstanceName: 'public',
    });
    const running = await waitFor('running', () => bms<{ InstanceSet: Array<{ Status: string; PublicIpAddresses: string[]; PrivateIpAddresses: string[] }> }>(
      'DescribeInstances', { InstanceIds: BmsId }), (r) => r.InstanceSet[0]?.Status === 'RUNNING', 60_000);
    const inst = running.InstanceSet[0]!;
    assert.equal(inst.PublicIpAddresses.length, 1);
    assert.match(inst.PublicIpAddresses[0]!, /^203\.0\.113\./, 'BGP by default');

    const all = (await vpc<{ AddressSet: Address[] }>('DescribeAddresses', {})).AddressSet;
    const launched = all.find((a) => a.AddressIp === inst.PublicIpAddresses[0])!;
    const free = all.find((a) => !a.InstanceId)!;
    await vpc('ModifyAddressesBandwidth', { AddressIds: [free.AddressId], InternetMaxBandwidthOut: 20 });
    await vpc('DisassociateAddress', { AddressId: launched.AddressId }); // the primary address holds one EIP
    await waitFor('launch EIP unbound', () => vpc<{ AddressSet: Address[] }>('DescribeAddresses', { AddressIds: [launched.AddressId] }), (r) => !r.AddressSet[0]?.InstanceId);
    await vpc('AssociateAddress', { AddressId: free.AddressId, InstanceId: BmsId[0], PrivateIpAddress: inst.PrivateIpAddresses[0] });
    await waitFor('bound', () => vpc<{ AddressSet: Address[] }>('DescribeAddresses', { AddressIds: [free.AddressId] }), (r) => r.AddressSet[0]?.InstanceId === BmsId[0]);
    await vpc('DisassociateAddress', { AddressId: free.AddressId });
    await waitFor('unbound', () => vpc<{ AddressSet: Address[] }>('DescribeAddresses', { AddressIds: [free.AddressId] }), (r) => !r.AddressSet[0]?.InstanceId);
  });
});

describe('the start-up banner', () => {
  const facts = {
    endpoint: '127.0.0.1:8080', region: 'ap-guangzhou', dataDir: '/srv/bms', dialect: 'sqlite',
    demo: { SecretId: 'AKIDdemo', SecretKey: 'demo-secret-key' }, operator: { SecretId: 'AKIDops' },
    files: { demo: '/srv/bms/demo-credentials.json', operator: '/srv/bms/operator-credentials.json' },
  };
  it('prints the demo SecretKey to a terminal', () => {
    const text = startupBanner({ ...facts, tty: true });
    assert.match(text, /SecretKey demo-secret-key/);
    assert.match(text, /also in \/srv\/bms\/demo-credentials\.json/);
  });
  it('names the credential file instead when stdout is not a terminal', () => {
    const text = startupBanner({ ...facts, tty: false });
    assert.ok(!text.includes('demo-secret-key'));
    assert.match(text, /SecretKey in \/srv\/bms\/demo-credentials\.json/);
    assert.match(text, /AKIDdemo/);
  });
});
