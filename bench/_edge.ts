import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ask, serveParent, startChild, stopChild, runBench } from './support/child.ts';
import { startBareServer, startBenchBms } from './support/bms-servers.ts';
import { load } from './support/load.ts';
import { BASELINE_CREDENTIALS, BMS_API, resignedEverySecond } from './support/signed-api.ts';

const BODY = JSON.stringify({ Response: { TotalCount: 2, ZoneSet: [{ Zone: 'ap-guangzhou-1', ZoneName: 'Guangzhou Zone 1', ZoneId: '164401', ZoneState: 'AVAILABLE' }, { Zone: 'ap-guangzhou-2', ZoneName: 'Guangzhou Zone 2', ZoneId: '164402', ZoneState: 'AVAILABLE' }], RequestId: '6f1c1f0e-3c55-4b8e-9a43-1d7f2f9a0b21' } });
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
async function serveBare() { const b = await startBareServer(BODY, 'x'); serveParent({ ...b.address }, { cpu }, { stop: b.close, orphaned: () => {} }); }
async function serveBms() {
  const { bms, stop, orphaned } = await startBenchBms({}, { logger: pino({ level: 'silent' }) });
  const { SecretId, SecretKey, Region } = bms.credentials.demo;
  serveParent({ ...bms.edge.address, credentials: { SecretId, SecretKey, Region } }, { cpu }, { stop, orphaned });
}
async function main() {
  const roles = (process.env.ROLES ?? 'bare,bms').split(',');
  for (const role of roles) {
    const c = await startChild(fileURLToPath(import.meta.url), role, process.env.PROF && role === 'bms' ? { execArgv: ['--cpu-prof', '--cpu-prof-dir=/tmp/pe'] } : {});
    const creds = c.ready.credentials ?? BASELINE_CREDENTIALS;
    const spec = { target: c.ready, connections: 32, body: '{}', isSuccess: (b: string) => b.includes('ZoneSet'), headers: resignedEverySecond(c.ready, creds, BMS_API('DescribeZones'), '{}') };
    await load(spec, 2);
    for (let i = 0; i < Number(process.env.N ?? 2); i++) {
      const c0 = await ask<number>(c, 'cpu'); const me0 = cpu();
      const r = await load(spec, Number(process.env.S ?? 5));
      const c1 = await ask<number>(c, 'cpu'); const me1 = cpu();
      console.log(role.padEnd(6), Math.round(r.rps), 'req/s p99', r.p99, 'server µs/req', ((c1 - c0) * 1000 / r.completed).toFixed(1), 'server cpu%', ((c1 - c0) / (Number(process.env.S ?? 5) * 10)).toFixed(0), 'gen µs/req', ((me1 - me0) * 1000 / r.completed).toFixed(1), 'fail', r.failures);
    }
    await stopChild(c);
  }
}
await runBench({ bare: serveBare, bms: serveBms }, main);
