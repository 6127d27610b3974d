/**
 * A cap on the connections one source address may hold open at once.
 *
 * Slow or idle connections cost a socket and memory each; without a cap, one client opening
 * thousands of them starves everyone else. A connection over the cap is answered with a
 * RequestLimitExceeded envelope (so an SDK shows a code rather than a reset) and closed; requests
 * that still arrive on it are not served. Counting is per process and exact: +1 on connect,
 * −1 on close.
 */
import type { Socket } from 'node:net';
import { ApiError } from '../shared/errors.ts';

const REFUSED = Symbol('bms.refused-connection');

export interface ConnectionCap {
  /** Call on every new connection; false when it was refused (and is being closed). */
  admit(socket: Socket): boolean;
  /** Whether requests on this socket must be ignored (it was refused). */
  refused(socket: Socket): boolean;
}

export function connectionCap(maxPerAddress: number, answer: (socket: Socket, error: ApiError) => void): ConnectionCap {
  const open = new Map<string, number>();
  return {
    admit(socket) {
      if (maxPerAddress <= 0) return true;
      const address = socket.remoteAddress ?? '';
      const count = (open.get(address) ?? 0) + 1;
      open.set(address, count);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
      if (count <= maxPerAddress) return true;
      (socket as Socket & { [REFUSED]?: true })[REFUSED] = true;
      answer(socket, new ApiError('RequestLimitExceeded', {
        en: `Too many open connections from ${address} (at most ${maxPerAddress}); reuse connections (keep-alive) or close idle ones.`,
        zh: `来自 ${address} 的连接数过多（最多 ${maxPerAddress} 个），请复用连接（keep-alive）或关闭空闲连接。`,
      }));
      return false;
    },
    refused: (socket) => (socket as Socket & { [REFUSED]?: true })[REFUSED] === true,
  };
}
