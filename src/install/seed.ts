/**
 * The per-instance cloud-init NoCloud seed: `meta-data`, `user-data`, `network-config`.
 *
 * - meta-data: the instance id (cloud-init runs once per id) and host name;
 * - user-data (#cloud-config): host name, the root login as the SHA-512 crypt hash given
 *   (never a clear password), and `phone_home` to the install callback carrying the
 *   per-instance token;
 * - network-config (version 2): the static primary address with the backup IPs on the same
 *   port, the default route, IPv6 when the instance has one, and the heartbeat VLAN.
 *
 * Every value is written as a JSON string, which is valid YAML, so nothing a tenant chose (a
 * host name) can break out of its line.
 */
import type { InstallConfig } from '../drivers/interfaces/hardware.ts';

export interface Seed {
  'meta-data': string;
  'user-data': string;
  'network-config': string;
}

const q = (v: string | number) => JSON.stringify(String(v));

export function renderSeed(config: InstallConfig, callbackUrl: string): Seed {
  const { network } = config;
  const meta = [
    `instance-id: ${q(config.instanceId)}`,
    `local-hostname: ${q(config.hostName)}`,
    `bms-os-type: ${q(config.osType)}`,
    `bms-os-name: ${q(config.osName)}`,
    '',
  ].join('\n');
  const user = [
    '#cloud-config',
    `hostname: ${q(config.hostName)}`,
    'preserve_hostname: false',
    'ssh_pwauth: true',
    'disable_root: false',
    'users:',
    '  - name: root',
    `    hashed_passwd: ${q(config.passwordHash)}`,
    `    lock_passwd: ${config.passwordHash === '!' ? 'true' : 'false'}`,
    'phone_home:',
    `  url: ${q(callbackUrl)}`,
    '  post: [instance_id, hostname]',
    '  tries: 10',
    '',
  ].join('\n');
  const addresses = [`${network.address}/${network.prefixLength}`, ...network.backupAddresses.map((a) => `${a}/${network.prefixLength}`)];
  if (network.ipv6) addresses.push(`${network.ipv6.address}/${network.ipv6.prefixLength}`);
  const lines = [
    'version: 2',
    'ethernets:',
    '  primary:',
    '    match:',
    `      name: ${q('e*')}`,
    '    set-name: "primary"',
    '    addresses:',
    ...addresses.map((a) => `      - ${q(a)}`),
    '    routes:',
    '      - to: "0.0.0.0/0"',
    `        via: ${q(network.gateway)}`,
    ...(network.ipv6?.gateway ? ['      - to: "::/0"', `        via: ${q(network.ipv6.gateway)}`] : []),
  ];
  if (network.vlan !== undefined) {
    lines.push('vlans:', '  heartbeat:', `    id: ${network.vlan}`, '    link: "primary"');
  }
  return { 'meta-data': meta, 'user-data': user, 'network-config': `${lines.join('\n')}\n` };
}
