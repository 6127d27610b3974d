/**
 * Explicit "not supported" implementations of every driver concern.
 *
 * A hardware type that cannot do something (a BMC without RAID configuration, a switch BMS
 * cannot configure) fills that concern with one of these instead of leaving a hole: each
 * method rejects with `DriverError('unsupported', operation, …)`, naming the hardware type and
 * the operation, so a flow can tell "this hardware cannot" from "this call failed" by `kind`.
 *
 *   const driver: HardwareDriver = { ...base, raid: unsupportedRaid('redfish-lite') };
 */
import {
  DriverError,
  type DeployInterface,
  type HardwareDriver,
  type ManagementInterface,
  type NetworkInterface,
  type PowerInterface,
  type RaidInterface,
  type SensorsInterface,
} from '../interfaces/hardware.ts';

const refuse = (type: string, operation: string) => async (): Promise<never> => {
  throw new DriverError('unsupported', operation, `hardware type ${type} does not support ${operation}`);
};

export function unsupportedPower(type: string): PowerInterface {
  return {
    getPowerState: refuse(type, 'getPowerState'),
    setPowerState: refuse(type, 'setPowerState'),
    reboot: refuse(type, 'reboot'),
  };
}

export function unsupportedSensors(type: string): SensorsInterface {
  return { readSensors: refuse(type, 'readSensors') };
}

export function unsupportedManagement(type: string): ManagementInterface {
  return {
    setBootDevice: refuse(type, 'setBootDevice'),
    ensureBmcAccount: refuse(type, 'ensureBmcAccount'),
    removeBmcAccount: refuse(type, 'removeBmcAccount'),
    readInventory: refuse(type, 'readInventory'),
  };
}

export function unsupportedRaid(type: string): RaidInterface {
  return { buildRaid: refuse(type, 'buildRaid') };
}

export function unsupportedDeploy(type: string): DeployInterface {
  return { installOs: refuse(type, 'installOs'), wipeDisks: refuse(type, 'wipeDisks') };
}

export function unsupportedNetwork(type: string): NetworkInterface {
  return { setHeartbeatVlan: refuse(type, 'setHeartbeatVlan') };
}

/** A driver that supports nothing: the reference point for a new hardware type. */
export function unsupportedDriver(type: string): HardwareDriver {
  return {
    type,
    power: unsupportedPower(type),
    management: unsupportedManagement(type),
    raid: unsupportedRaid(type),
    deploy: unsupportedDeploy(type),
    network: unsupportedNetwork(type),
    sensors: unsupportedSensors(type),
  };
}
