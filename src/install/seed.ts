/**
 * The per-instance cloud-init NoCloud seed: `meta-data`, `user-data`, `network-config`.
 *
 * - meta-data: the instance id (cloud-init runs once per id) and host name;
 * - user-data (#cloud-config): host name, the root login as the SHA-512 crypt hash given
 *   (never a clear password), and `phone_home` to the install callback carrying the
 *   per-instance token;
 * - with the monitoring agent (EnhancedService.MonitorService): the shipped agent
 *   (agent/bms-monitor-agent), its configuration — push URL and the instance's credential, in a
 *   root-only file — and a systemd unit started at first boot;
 * - network-config (version 2): the static primary address with the backup IPs on the same
 *   port, the default route, IPv6 when the instance has one, and the heartbeat VLAN.
 *
 * Every value is written as a JSON string, which is valid YAML, so nothing a tenant chose (a
 * host name) can break out of its line.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { InstallConfig } from '../drivers/interfaces/hardware.ts';

export interface Seed {
  'meta-data': string;
  'user-data': string;
  'network-config': string;
}

const q = (v: string | number) => JSON.stringify(String(v));
/** A value as POSIX sh reads it back from a sourced file: single-quoted. */
const shq = (v: string | number) => `'${String(v).replace(/'/g, `'\\''`)}'`;

let agentScript: string | undefined;
/** The shipped agent, found from this module in the source tree (src/install) or the bundle (dist). */
export function monitorAgentScript(): string {
  if (agentScript !== undefined) return agentScript;
  for (const up of ['../../agent/bms-monitor-agent', '../agent/bms-monitor-agent']) {
    const file = new URL(up, import.meta.url);
    if (existsSync(file)) return (agentScript = readFileSync(file, 'utf8'));
  }
  throw new Error('agent/bms-monitor-agent is missing from the installation');
}

const AGENT_UNIT = [
  '[Unit]',
  'Description=BMS monitoring agent',
  'After=network-online.target',
  'Wants=network-online.target',
  '',
  '[Service]',
  'ExecStart=/usr/local/bin/bms-monitor-agent',
  'Restart=always',
  'RestartSec=10',
  '',
  '[Install]',
  'WantedBy=multi-user.target',
  '',
].join('\n');

function agentUserData(agent: NonNullable<InstallConfig['monitorAgent']>): string[] {
  const conf = [`BMS_AGENT_ENDPOINT=${shq(agent.endpoint)}`, `BMS_AGENT_TOKEN=${shq(agent.token)}`, `BMS_AGENT_INTERVAL=${shq(agent.intervalSeconds)}`, ''].join('\n');
  return [
    'write_files:',
    '  - path: "/etc/bms-agent/agent.conf"',
    '    permissions: "0600"',
    '    owner: "root:root"',
    `    content: ${q(conf)}`,
    '  - path: "/usr/local/bin/bms-monitor-agent"',
    '    permissions: "0755"',
    '    encoding: "b64"',
    `    content: ${q(Buffer.from(monitorAgentScript()).toString('base64'))}`,
    '  - path: "/etc/systemd/system/bms-monitor-agent.service"',
    '    permissions: "0644"',
    `    content: ${q(AGENT_UNIT)}`,
    'runcmd:',
    '  - ["systemctl", "daemon-reload"]',
    '  - ["systemctl", "enable", "--now", "bms-monitor-agent.service"]',
  ];
}

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
    ...(config.monitorAgent ? agentUserData(config.monitorAgent) : []),
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
