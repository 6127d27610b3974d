/**
 * The live feed (GET /console/api/events, Server-Sent Events) and the connection state.
 *
 * Pages subscribe to changes (instance and task ids with their new status) and refetch what
 * they show. While the stream is down — or a call could not reach the server — the app shows
 * the reconnecting banner; forms stay mounted, so nothing typed is lost. When the stream opens
 * again every subscriber is told to refetch (counts exact again).
 */
import { useEffect, useState } from 'react';
import { onNetwork, sessionEnded } from './api.ts';

export interface LiveChange {
  Kind: 'instance' | 'task';
  Id: string;
  InstanceId: string | null;
  Status: string | null;
}

type ChangeListener = (changes: LiveChange[]) => void;
const changeListeners = new Set<ChangeListener>();
const reconnectListeners = new Set<() => void>();
const stateListeners = new Set<(down: boolean) => void>();
let down = false;
let source: EventSource | undefined;
let everOpened = false;

function setDown(value: boolean) {
  if (down === value) return;
  down = value;
  stateListeners.forEach((l) => l(down));
  if (!down) reconnectListeners.forEach((l) => l());
}

export function startLive(): void {
  if (source) return;
  const open = () => {
    source = new EventSource('/console/api/events');
    source.addEventListener('open', () => {
      if (everOpened) setDown(false);
      everOpened = true;
      setDown(false);
    });
    source.addEventListener('change', (e) => {
      const changes = JSON.parse((e as MessageEvent).data) as LiveChange[];
      changeListeners.forEach((l) => l(changes));
    });
    source.addEventListener('error', () => {
      setDown(true);
      // EventSource retries by itself unless the server answered an error (then it closes).
      if (source && source.readyState === EventSource.CLOSED) {
        source = undefined;
        setTimeout(open, 2000);
      }
    });
    source.addEventListener('expired', () => {
      stopLive();
      sessionEnded();
    });
  };
  open();
  onNetwork((isDown) => {
    if (isDown) setDown(true);
  });
}

export function stopLive(): void {
  source?.close();
  source = undefined;
}

export function useLiveChanges(listener: ChangeListener, onReconnect: () => void): void {
  useEffect(() => {
    changeListeners.add(listener);
    reconnectListeners.add(onReconnect);
    return () => {
      changeListeners.delete(listener);
      reconnectListeners.delete(onReconnect);
    };
  }, [listener, onReconnect]);
}

export function useConnectionDown(): boolean {
  const [state, setState] = useState(down);
  useEffect(() => {
    stateListeners.add(setState);
    return () => {
      stateListeners.delete(setState);
    };
  }, []);
  return state;
}
