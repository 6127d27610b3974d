/** Instance details: 基本信息, 公网IP, 健康 (monitor GetMonitorData charts), 任务 (DescribeTasks), 操作日志 (audit). */
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Alert, Button, Tabs } from 'tdesign-react';
import { ApiError, call } from '../api.ts';
import { useApp } from '../context.tsx';
import { formatTime, list } from '../format.ts';
import type { MessageKey } from '../i18n.ts';
import { useLiveChanges } from '../live.ts';
import { InstanceActionDialog, type RowAction } from './InstanceActions.tsx';
import type { InstanceRow } from './Instances.tsx';

const HealthCharts = lazy(() => import('../HealthCharts.tsx'));

interface Task { TaskId: number; Action: string; Status: string; Progress: number; Steps: Array<{ Name: string; Status: string; StartedTime?: string; FinishedTime?: string; Error?: string }>; Error?: string; CreatedTime: string; FinishedTime?: string }
interface Eip { AddressId: string; AddressIp: string; InstanceId: string | null; Bandwidth: number; InternetServiceProvider?: string; AddressStatus: string }
interface AuditEvent { EventTime?: string; EventName?: string; Username?: string; ResourceTypeName?: string; ErrorCode?: number | string; EventId?: string; SourceIPAddress?: string; [k: string]: unknown }

export function InstanceDetail({ id }: { id: string }) {
  const { t, lang, navigate } = useApp();
  const [row, setRow] = useState<InstanceRow | undefined | null>();
  const [tasks, setTasks] = useState<Task[]>([]);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [tab, setTab] = useState('basic');
  const [error, setError] = useState<string | undefined>();
  const [action, setAction] = useState<RowAction | undefined>();
  const [group, setGroup] = useState<string | undefined>();
  const [heartbeat, setHeartbeat] = useState<string | undefined>();
  const [eips, setEips] = useState<Eip[] | undefined>();

  const load = useCallback(async () => {
    try {
      const r = await call<{ InstanceSet: InstanceRow[] }>('bms', 'DescribeInstances', { InstanceIds: [id] });
      setRow(r.InstanceSet[0] ?? null);
      // Its spread placement group: the instance list's groupId filter, asked of each group (the instance itself does not name it).
      void call<{ GroupSet?: Array<{ DisasterRecoverGroupId: string; Name: string; Type: string }> }>('bms', 'DescribeDisasterRecoverGroups', { Limit: 100 })
        .then(async (g) => {
          for (const group of g.GroupSet ?? []) {
            const m = await call<{ TotalCount: number }>('bms', 'DescribeInstances', { Filters: [{ Name: 'groupId', Values: [group.DisasterRecoverGroupId] }, { Name: 'instance-id', Values: [id] }], Limit: 1 });
            if (m.TotalCount > 0) return setGroup(`${group.Name} (${group.DisasterRecoverGroupId}, ${group.Type})`);
          }
          return setGroup('-');
        }).catch(() => setGroup('-'));
      // Its heartbeat group: DescribeHeartbeats' InstanceId filter (our extension; an instance is in one group at most).
      void call<{ HeartbeatSet: Array<{ HeartbeatId: string; Name: string; VlanId: string }> }>('bms', 'DescribeHeartbeats', { Filters: [{ Name: 'InstanceId', Values: [id] }] })
        .then((h) => setHeartbeat(h.HeartbeatSet.map((g) => `${g.Name} (${g.HeartbeatId}, VLAN ${g.VlanId})`).join(', ') || '-'), () => setHeartbeat('-'));
      void call<{ AddressSet: Eip[] }>('vpc', 'DescribeAddresses', { Filters: [{ Name: 'instance-id', Values: [id] }], Limit: 100 })
        .then((a) => setEips(a.AddressSet.filter((x) => x.InstanceId === id)), () => setEips([]));
      const tk = await call<{ TaskSet: Task[] }>('bms', 'DescribeTasks', { InstanceIds: [id], Limit: 100 });
      setTasks(tk.TaskSet);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }, [id]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (tab !== 'log') return;
    const now = Math.floor(Date.now() / 1000);
    void call<{ Events?: AuditEvent[] }>('audit', 'LookUpEvents', {
      StartTime: now - 30 * 86400, EndTime: now, LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: id }], MaxResults: 50,
    }).then((r) => setEvents(r.Events ?? []), (e) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [tab, id]);
  useLiveChanges(useCallback((changes) => { if (changes.some((c) => c.InstanceId === id)) void load(); }, [id, load]), load);

  if (row === null) return <Alert theme="warning" message={t('detail.notFound')} />;
  if (!row) return <p>{t('common.loading')}</p>;
  return (
    <div>
      <p><Button variant="text" onClick={() => navigate('/instances')}>← {t('common.back')}</Button></p>
      <h2 className="page-title">{row.InstanceName} <span className="muted">{row.InstanceId}</span></h2>
      {error && <Alert theme="error" message={error} />}
      <Tabs value={tab} onChange={(v) => setTab(String(v))}>
        <Tabs.TabPanel value="basic" label={t('detail.basic')}>
          <div className="panel">
            <h3 style={{ fontSize: 15 }}>{t('detail.server')}</h3>
            <dl className="kv" data-testid="basic">
              <dt>{t('common.id')}</dt><dd>{row.InstanceId}</dd>
              <dt>{t('common.name')}</dt><dd>{row.InstanceName}</dd>
              <dt>{t('common.status')}</dt><dd data-testid="detail-status">{t(`status.${row.Status}` as MessageKey)}</dd>
              <dt>{t('detail.topology')}</dt><dd>{row.Placement?.Zone}</dd>
              <dt>{t('detail.config')}</dt><dd>{row.FlavorId} · RAID {row.RaidType}</dd>
              <dt>{t('detail.image')}</dt><dd>{row.OperatingSystemType} {row.OperatingSystem}</dd>
              <dt>{t('instances.col.vpc')}</dt><dd>{row.VirtualPrivateCloud?.VpcId} / {row.VirtualPrivateCloud?.SubnetId}</dd>
              <dt>{t('backup.primary')}</dt><dd data-testid="detail-primary-ip">{list(row.PrivateIpAddresses)[0] ?? '-'}</dd>
              <dt>{t('backup.list')}</dt><dd data-testid="detail-backup-ips">{list(row.PrivateIpAddresses).slice(1).join(', ') || '-'}</dd>
              <dt>{t('wizard.group')}</dt><dd data-testid="detail-group">{group ?? t('common.loading')}</dd>
              <dt>{t('nav.heartbeats')}</dt><dd data-testid="detail-heartbeat">{heartbeat ?? t('common.loading')}</dd>
              <dt>{t('common.createdTime')}</dt><dd>{formatTime(row.CreatedTime, lang)}</dd>
            </dl>
          </div>
        </Tabs.TabPanel>
        <Tabs.TabPanel value="eip" label={t('detail.publicIp')}>
          <div className="panel">
            <p data-testid="detail-public-ip">{list(row.PublicIpAddresses).join(', ') || '-'}</p>
            {eips && eips.length > 0 && (
              <table className="bms-table" data-testid="detail-eips" style={{ marginBottom: 12 }}>
                <thead><tr><th scope="col">{t('common.id')}</th><th scope="col">{t('eip.address')}</th><th scope="col">{t('eip.bandwidth')}</th><th scope="col">{t('wizard.isp')}</th><th scope="col">{t('common.status')}</th></tr></thead>
                <tbody>{eips.map((e) => (
                  <tr key={e.AddressId}><td>{e.AddressId}</td><td>{e.AddressIp}</td><td data-testid="detail-eip-bandwidth">{e.Bandwidth} Mbps</td><td>{e.InternetServiceProvider ?? '-'}</td><td>{e.AddressStatus}</td></tr>
                ))}</tbody>
              </table>
            )}
            <div className="toolbar">
              <Button variant="outline" onClick={() => setAction('bindEip')}>{t('instances.bindEip')}</Button>
              <Button variant="outline" disabled={list(row.PublicIpAddresses).length === 0} onClick={() => setAction('bandwidth')}>{t('instances.bandwidth')}</Button>
              <Button variant="outline" disabled={list(row.PublicIpAddresses).length === 0} onClick={() => setAction('unbindEip')}>{t('instances.unbindEip')}</Button>
            </div>
          </div>
        </Tabs.TabPanel>
        <Tabs.TabPanel value="health" label={t('detail.health')}>
          {tab === 'health' && <Suspense fallback={<p>{t('common.loading')}</p>}><HealthCharts instanceId={row.InstanceId} /></Suspense>}
        </Tabs.TabPanel>
        <Tabs.TabPanel value="tasks" label={t('detail.tasks')}>
          <div className="panel">
            <table className="bms-table" data-testid="tasks">
              <thead><tr>
                <th scope="col">TaskId</th><th scope="col">{t('detail.task.action')}</th><th scope="col">{t('common.status')}</th>
                <th scope="col">{t('detail.task.progress')}</th><th scope="col">{t('detail.task.steps')}</th><th scope="col">{t('detail.task.time')}</th><th scope="col">{t('detail.task.error')}</th>
              </tr></thead>
              <tbody>{tasks.map((task) => (
                <tr key={task.TaskId}>
                  <td>{task.TaskId}</td><td>{task.Action}</td><td>{task.Status}</td><td>{task.Progress}%</td>
                  <td>{task.Steps.map((s) => `${s.Name}: ${s.Status}`).join(' → ')}</td>
                  <td>{formatTime(task.CreatedTime, lang)} – {formatTime(task.FinishedTime, lang)}</td>
                  <td>{task.Error || '-'}</td>
                </tr>
              ))}</tbody>
            </table>
          </div>
        </Tabs.TabPanel>
        <Tabs.TabPanel value="log" label={t('detail.log')}>
          <div className="panel">
            <table className="bms-table" data-testid="log">
              <thead><tr><th scope="col">{t('detail.task.time')}</th><th scope="col">{t('audit.action')}</th><th scope="col">{t('detail.log.user')}</th><th scope="col">{t('detail.log.result')}</th></tr></thead>
              <tbody>{events.map((e, i) => (
                <tr key={e.EventId ?? i}><td>{String(e.EventTime ?? '')}</td><td>{String(e.EventName ?? '')}</td><td>{String(e.Username ?? '')}</td><td>{String(e.ErrorCode ?? '')}</td></tr>
              ))}</tbody>
            </table>
          </div>
        </Tabs.TabPanel>
      </Tabs>
      {action && <InstanceActionDialog action={action} row={row} onClose={(changed) => { setAction(undefined); if (changed) void load(); }} />}
    </div>
  );
}
