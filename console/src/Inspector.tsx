import { useEffect, useState } from 'react';
import { Drawer, Tag } from 'tdesign-react';
import { calls, cliSnippet, onCalls, sdkSnippet } from './api.ts';
import { useApp } from './context.tsx';

/** Every call the console made: action, version, parameters, outcome, and the same call with the official Node SDK and with our CLI. */
export function Inspector({ visible, onClose }: { visible: boolean; onClose: () => void }) {
  const { t } = useApp();
  const [, setTick] = useState(0);
  useEffect(() => onCalls(() => setTick((n) => n + 1)), []);
  return (
    <Drawer header={t('inspector.title')} visible={visible} onClose={onClose} size="560px" footer={false} className="inspector">
      {calls.length === 0 && <p>{t('inspector.empty')}</p>}
      {calls.slice(0, 30).map((c) => (
        <details key={c.id} data-testid="inspector-call">
          <summary>
            <Tag theme={c.outcome === 'Success' || c.outcome === 'DryRunOperation' ? 'success' : c.outcome ? 'danger' : 'default'}>{c.outcome ?? '…'}</Tag>{' '}
            <strong>{c.service}:{c.action}</strong> <span className="muted">{c.version} {c.ms !== undefined ? `${c.ms} ms` : ''}</span>
          </summary>
          <h2 style={{ fontSize: 14 }}>{t('inspector.params')}</h2>
          <pre tabIndex={0}>{JSON.stringify(c.params, null, 2)}</pre>
          <h2 style={{ fontSize: 14 }}>{t('inspector.sdk')}</h2>
          <pre tabIndex={0}>{sdkSnippet(c)}</pre>
          <h2 style={{ fontSize: 14 }}>{t('inspector.cli')}</h2>
          <pre tabIndex={0} data-testid="inspector-cli">{cliSnippet(c)}</pre>
        </details>
      ))}
    </Drawer>
  );
}
