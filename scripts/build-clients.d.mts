export function buildSdk(): Promise<void>;
export function buildCli(): Promise<void>;
