/**
 * RegisterServers: enrolling racked machines into the pool — all of a batch, or none of it.
 *
 * A registration names where the machine sits (rack and unit; the zone and switch follow from
 * the rack), what it is (SN, CPU, memory, disks, NIC ports), how to reach its BMC (address,
 * admin username and password) and optionally the flavor it is sold as (same zone, same CPU
 * architecture). The whole batch is checked before anything changes:
 *
 *   1. each value on its own — SN and BMC address characters, ID formats;
 *   2. the batch against itself — an SN, a BMC address or a rack unit given twice;
 *   3. the batch against the fleet — racks and flavors exist in the region, flavors fit;
 *      SNs, BMC addresses and rack units not already taken.
 *
 * Then, for `sim` machines, the simulated datacenter racks the hardware (`SimLab.addServer`),
 * and only then are the rows written, in one transaction that repeats step 3 under the write.
 * Racking first means a pool row never exists without its hardware — a launch could otherwise
 * allocate a server that is not there yet; if the write fails, the hardware racked for this
 * batch is removed again, so nothing of a failed registration remains. `redfish` machines are
 * only recorded: their driver is not part of this release.
 *
 * The BMC password is sealed by the master key with the new server's id as context before it
 * reaches the row, and is never logged or returned; the lab keeps only its SHA-256.
 */
import type { Tx } from '../../store/store.ts';
import type { RegisterServersRequest, ServerRegistration } from '../../generated/bmsops.ts';
import { invalidParameterValue } from '../../shared/errors.ts';
import { newId } from '../../shared/ids.ts';
import { ConflictError } from '../../store/errors.ts';
import { getFlavors, type Flavor } from '../../store/repos/fleet-flavors.ts';
import { getRacks, type Rack } from '../../store/repos/fleet-racks.ts';
import { findByBmcAddress, findBySn, insertServers, occupiedUnits, type NewServer } from '../../store/repos/fleet-servers.ts';
import type { CallContext, Handler } from '../types.ts';
import type { FleetDeps } from './deps.ts';
import {
  archMismatch, bmcAddressTaken, flavorElsewhere, flavorNotFound, fromLab, rackNotFound, repeated, snTaken, unitTaken,
} from './errors.ts';
import { idParam, regionZones } from './params.ts';
import { LAB_HARDWARE_TYPE } from '../../drivers/lab.ts';

/** One registration on its way in: where it came from on the wire, its row, and the clear password (memory only). */
interface Entry {
  path: string;
  row: NewServer;
  password: string;
}

const SN = /^[A-Za-z0-9._-]+$/;
const BMC_ADDRESS = /^[a-z0-9.:[\]-]+$/;

export function registerServers(deps: FleetDeps): Handler {
  return async (ctx, params) => {
    const entries = await plan(deps, ctx, (params as unknown as RegisterServersRequest).ServerSet);
    await checkClashes(deps.store.db, entries);
    const racked = await rackInLab(deps, entries);
    try {
      await deps.store.transaction(async (tx) => {
        await checkClashes(tx, entries);
        await insertServers(tx, entries.map((e) => e.row));
      });
    } catch (error) {
      await unrack(deps, racked);
      throw error instanceof ConflictError ? conflictToClash(entries) : error;
    }
    return { ServerIds: entries.map((e) => e.row.id) };
  };
}

/** Steps 1 and 2, and the existence half of step 3: every entry with its row built. */
async function plan(deps: FleetDeps, ctx: CallContext, set: ServerRegistration[]): Promise<Entry[]> {
  const read = set.map((reg, i) => readOne(reg, `ServerSet.${i}`));
  checkRepeats(read);
  const zones = await regionZones(deps.store.db, ctx.region);
  const inRegion = <T extends { zone: string }>(xs: T[]) => xs.filter((x) => zones.includes(x.zone));
  const racks = new Map(inRegion(await getRacks(deps.store.db, [...new Set(read.map((r) => r.rackId))])).map((r) => [r.id, r]));
  const flavorIds = [...new Set(read.flatMap((r) => (r.flavorId ? [r.flavorId] : [])))];
  const flavors = new Map(inRegion(await getFlavors(deps.store.db, flavorIds)).map((f) => [f.id, f]));
  return read.map((r) => {
    const rack = racks.get(r.rackId);
    if (!rack) throw rackNotFound(r.rackId);
    if (r.flavorId) checkFlavor(r, rack, flavors.get(r.flavorId));
    const id = newId('srv');
    const row: NewServer = {
      id, sn: r.sn, zone: rack.zone, switchId: rack.switchId, rackId: rack.id, rackUnit: r.reg.RackUnit, hardwareType: r.reg.HardwareType,
      bmcAddress: r.bmcAddress, bmcUsername: r.reg.BmcUsername, bmcPasswordEnc: deps.box.seal(r.reg.BmcPassword, id),
      cpuModel: r.reg.CpuModel, cpuCores: r.reg.CpuCores, cpuArch: r.reg.CpuArch, memoryGb: r.reg.MemoryGb,
      disks: r.reg.Disks.map((d) => ({ type: d.Type, sizeGb: d.SizeGb })), nicPorts: r.reg.NicPorts, flavorId: r.flavorId ?? null,
      state: 'available', powerState: r.reg.HardwareType === LAB_HARDWARE_TYPE ? 'off' : 'unknown', createdAt: ctx.now,
    };
    return { path: r.path, row, password: r.reg.BmcPassword };
  });
}

interface Read {
  path: string;
  reg: ServerRegistration;
  sn: string;
  bmcAddress: string;
  rackId: string;
  flavorId: string | undefined;
}

function readOne(reg: ServerRegistration, path: string): Read {
  const sn = reg.Sn.trim();
  if (!SN.test(sn)) throw invalidParameterValue(`${path}.Sn`, `"${reg.Sn}" may contain only letters, digits, ".", "-" and "_"`, `"${reg.Sn}" 只能包含字母、数字、"."、"-"、"_"`);
  const bmcAddress = reg.BmcAddress.trim().toLowerCase();
  if (!BMC_ADDRESS.test(bmcAddress)) {
    throw invalidParameterValue(`${path}.BmcAddress`, `"${reg.BmcAddress}" is not an IP address or host name`, `"${reg.BmcAddress}" 不是 IP 地址或主机名`);
  }
  const rackId = idParam(`${path}.RackId`, reg.RackId, 'rack');
  const flavorId = reg.FlavorId === undefined ? undefined : idParam(`${path}.FlavorId`, reg.FlavorId, 'flavor');
  return { path, reg, sn, bmcAddress, rackId, flavorId };
}

/** Step 2: the same SN, BMC address or rack unit twice in one batch. */
function checkRepeats(read: Read[]): void {
  const seen = { sn: new Map<string, string>(), bmc: new Map<string, string>(), unit: new Map<string, string>() };
  for (const r of read) {
    const firstSn = seen.sn.get(r.sn);
    if (firstSn) throw repeated(`${r.path}.Sn`, 'the SN', r.sn, firstSn);
    const firstBmc = seen.bmc.get(r.bmcAddress);
    if (firstBmc) throw repeated(`${r.path}.BmcAddress`, 'the BMC address', r.bmcAddress, firstBmc);
    const unit = `${r.rackId}/${r.reg.RackUnit}`;
    const firstUnit = seen.unit.get(unit);
    if (firstUnit) throw repeated(`${r.path}.RackUnit`, `unit ${r.reg.RackUnit} of rack`, r.rackId, firstUnit);
    seen.sn.set(r.sn, `${r.path}.Sn`);
    seen.bmc.set(r.bmcAddress, `${r.path}.BmcAddress`);
    seen.unit.set(unit, `${r.path}.RackUnit`);
  }
}

function checkFlavor(r: Read, rack: Rack, flavor: Flavor | undefined): void {
  if (!flavor) throw flavorNotFound(r.flavorId!);
  if (flavor.zone !== rack.zone) throw flavorElsewhere(`${r.path}.FlavorId`, flavor.id, flavor.zone, rack.zone);
  if (flavor.cpuArch !== r.reg.CpuArch) throw archMismatch(`${r.path}.CpuArch`, 'the server', r.reg.CpuArch, flavor.cpuArch, `flavor ${flavor.id}`);
}

/** Step 3's clashes with what is already registered, reported for the first entry that has one. */
async function checkClashes(db: Tx, entries: Entry[]): Promise<void> {
  const sns = new Map((await findBySn(db, entries.map((e) => e.row.sn))).map((s) => [s.sn, s.id]));
  const bmcs = new Map((await findByBmcAddress(db, entries.map((e) => e.row.bmcAddress))).map((s) => [s.bmcAddress, s.id]));
  const units = new Map((await occupiedUnits(db, [...new Set(entries.map((e) => e.row.rackId))])).map((u) => [`${u.rackId}/${u.rackUnit}`, u.id]));
  for (const { path, row } of entries) {
    const bySn = sns.get(row.sn);
    if (bySn) throw snTaken(`${path}.Sn`, row.sn, bySn);
    const byBmc = bmcs.get(row.bmcAddress);
    if (byBmc) throw bmcAddressTaken(`${path}.BmcAddress`, row.bmcAddress, byBmc);
    const byUnit = units.get(`${row.rackId}/${row.rackUnit}`);
    if (byUnit) throw unitTaken(`${path}.RackUnit`, row.rackId, row.rackUnit, byUnit);
  }
}

/** Racks the `sim` machines in the lab; on a refusal, removes what it racked and reports the entry. */
async function rackInLab(deps: FleetDeps, entries: Entry[]): Promise<string[]> {
  const racked: string[] = [];
  for (const { path, row, password } of entries) {
    if (row.hardwareType !== LAB_HARDWARE_TYPE) continue;
    const inventory = {
      sn: row.sn, cpuModel: row.cpuModel, cpuCores: row.cpuCores, cpuArch: row.cpuArch as 'X86' | 'ARM', memoryGb: row.memoryGb,
      disks: row.disks, nicPorts: row.nicPorts,
    };
    try {
      await deps.sim.addServer(row.id, { inventory, bmc: { address: row.bmcAddress, username: row.bmcUsername, password } });
    } catch (error) {
      await unrack(deps, racked);
      throw fromLab(error, row.id, path);
    }
    racked.push(row.id);
  }
  return racked;
}

async function unrack(deps: FleetDeps, serverIds: string[]): Promise<void> {
  for (const id of serverIds) await deps.sim.removeServer(id).catch(() => false);
}

/** A unique constraint refused the batch after the checks passed: another registration won a race for an SN. */
function conflictToClash(entries: Entry[]) {
  return invalidParameterValue('ServerSet', `another registration took one of the SNs ${entries.map((e) => e.row.sn).join(', ')} meanwhile; retry`,
    `另一次录入同时占用了序列号 ${entries.map((e) => e.row.sn).join('、')} 之一，请重试`);
}
