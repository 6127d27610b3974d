/**
 * The `redfish` hardware type's public face: the driver, its client (sessions, deadlines,
 * trust), the vendor profiles, and how a BMC address is read.
 */
export { createRedfishDriver, RedfishDriver, type InstallMediaPort, type RedfishDriverOptions } from './driver.ts';
export { memorySessions, RedfishClient, type ClientOptions, type SessionPort, type StoredSession } from './client.ts';
export { DEFAULT_PROFILE, profileFor, QUIRKS, type BmcIdentity, type RedfishProfile } from './profiles.ts';
export { BmcAddressError, isLoopback, parseBmcAddress, type BmcAddress } from './address.ts';
export { normalizeFingerprint, probeCertificate, type PresentedCertificate, type Trust, type TrustPort } from './transport.ts';
