/**
 * The other pages the API has, each a list with its create / rename / delete actions: spread
 * placement groups, heartbeat groups, out-of-band access (the BMC account shown only on an
 * explicit click, audited by the API, hidden again after a minute), backup IPs, VPCs and BMS
 * subnets (address usage as a lazily loaded ECharts chart), elastic IPs, sub-users and
 * policies (root only), and the account's audit log.
 */
import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Button, Dialog, MessagePlugin } from 'tdesign-react';
import { ApiError, call } from '../api.ts';
import { useApp } from '../context.tsx';
import type { MessageKey } from '../i18n.ts';
import { SelectField, TextField } from '../ui.tsx';

const UsageChart = lazy(() => import('../UsageChart.tsx'));

type Row = Record<string, any>;
interface Column { key: MessageKey; render: (r: Row) => ReactNode }
interface FieldSpec { name: string; label: MessageKey; options?: string[] }
interface PageSpec {
  path: string;
  title: MessageKey;
  load: () => Promise<Row[]>;
  rowKey: (r: Row) => string;
  columns: Column[];
  create?: { label: MessageKey; fields: FieldSpec[]; run: (v: Record<string, string>) => Promise<unknown> };
  rowActions?: Array<{ label: MessageKey; danger?: boolean; run: (r: Row) => Promise<unknown>; prompt?: FieldSpec }>;
  rootOnly?: boolean;
  extra?: (rows: Row[]) => ReactNode;
}

const now = () => Math.floor(Date.now() / 1000);

export const OTHER_PAGES: PageSpec[] = [
  {
    path: '/placement-groups', title: 'nav.placement', rowKey: (r) => r.DisasterRecoverGroupId,
    load: async () => {
      const r = await call('bms', 'DescribeDisasterRecoverGroups', { Limit: 100 });
      return (r.DisasterRecoverGroupSet ?? r.GroupId ?? []) as Row[];
    },
    columns: [
      { key: 'common.id', render: (r) => r.DisasterRecoverGroupId }, { key: 'common.name', render: (r) => r.Name },
      { key: 'placement.type', render: (r) => r.Type }, { key: 'placement.members', render: (r) => r.CurrentNum },
    ],
    create: { label: 'placement.create', fields: [{ name: 'Name', label: 'common.name' }, { name: 'Type', label: 'placement.type', options: ['RACK', 'RACK_SAME_SW'] }], run: (v) => call('bms', 'CreateDisasterRecoverGroup', v) },
    rowActions: [
      { label: 'common.rename', prompt: { name: 'Name', label: 'common.name' }, run: (r) => call('bms', 'UpdateDisasterRecoverGroup', { GroupId: r.DisasterRecoverGroupId, Name: r.__input }) },
      { label: 'common.delete', danger: true, run: (r) => call('bms', 'DeleteDisasterRecoverGroups', { GroupIds: [r.DisasterRecoverGroupId] }) },
    ],
  },
  {
    path: '/heartbeats', title: 'nav.heartbeats', rowKey: (r) => r.HeartbeatId,
    load: async () => ((await call('bms', 'DescribeHeartbeats', { Limit: 100 })).HeartbeatSet ?? []) as Row[],
    columns: [
      { key: 'common.id', render: (r) => r.HeartbeatId }, { key: 'common.name', render: (r) => r.Name },
      { key: 'heartbeat.vlan', render: (r) => r.VlanId }, { key: 'heartbeat.members', render: (r) => r.CurrentNum },
    ],
    create: { label: 'heartbeat.create', fields: [{ name: 'Name', label: 'common.name' }], run: (v) => call('bms', 'CreateHeartbeat', v) },
    rowActions: [
      { label: 'common.rename', prompt: { name: 'Name', label: 'common.name' }, run: (r) => call('bms', 'UpdateHeartbeat', { HeartbeatId: r.HeartbeatId, Name: r.__input }) },
      { label: 'common.delete', danger: true, run: (r) => call('bms', 'DeleteHeartbeats', { HeartbeatIds: [r.HeartbeatId] }) },
    ],
  },
  {
    path: '/outband', title: 'nav.outband', rowKey: (r) => r.InstanceId,
    load: async () => ((await call('bms', 'DescribeOutbandIP', { Limit: 100 })).InstanceSet ?? []) as Row[],
    columns: [
      { key: 'common.id', render: (r) => r.InstanceId }, { key: 'common.name', render: (r) => r.InstanceName },
      { key: 'outband.address', render: (r) => `${r.Vip}:${r.Vport}` }, { key: 'outband.reveal', render: (r) => <Reveal instanceId={r.InstanceId} /> },
    ],
    create: { label: 'common.create', fields: [{ name: 'InstanceId', label: 'common.id' }, { name: 'VpcId', label: 'instances.col.vpc' }, { name: 'SubnetId', label: 'instances.filter.subnet' }], run: (v) => call('bms', 'CreateOutbandIP', v) },
    rowActions: [{ label: 'common.delete', danger: true, run: (r) => call('bms', 'DeleteOutbandIP', { OutbandInfos: [{ InstanceId: r.InstanceId, VpcId: r.UniqVpcId, Vip: r.Vip, Vport: r.Vport }] }) }],
  },
  {
    path: '/backup-ips', title: 'nav.backupIps', rowKey: (r) => r.InstanceId,
    load: async () => ((await call('bms', 'DescribeInstances', { Limit: 100 })).InstanceSet ?? []) as Row[],
    columns: [
      { key: 'common.id', render: (r) => r.InstanceId }, { key: 'common.name', render: (r) => r.InstanceName },
      { key: 'instances.col.privateIp', render: (r) => (r.PrivateIpAddresses ?? []).join(', ') },
    ],
    rowActions: [
      { label: 'common.create', run: (r) => call('bms', 'CreateBackupIP', { InstanceId: r.InstanceId }) },
      { label: 'common.delete', danger: true, prompt: { name: 'BackupIP', label: 'instances.col.privateIp' }, run: (r) => call('bms', 'ReturnBackupIP', { InstanceId: r.InstanceId, BackupIP: r.__input }) },
    ],
  },
  {
    path: '/vpcs', title: 'nav.vpcs', rowKey: (r) => r.SubnetId,
    load: async () => ((await call('vpc', 'DescribeSubnets', { Limit: '100' })).SubnetSet ?? []) as Row[],
    columns: [
      { key: 'common.id', render: (r) => `${r.VpcId} / ${r.SubnetId}` }, { key: 'common.name', render: (r) => r.SubnetName },
      { key: 'vpc.cidr', render: (r) => r.CidrBlock }, { key: 'common.zone', render: (r) => r.Zone },
      { key: 'vpc.usage', render: (r) => `${(r.TotalIpAddressCount ?? 0) - (r.AvailableIpAddressCount ?? 0)} / ${r.TotalIpAddressCount ?? '-'}` },
    ],
    create: {
      label: 'vpc.createSubnet', fields: [{ name: 'VpcId', label: 'instances.col.vpc' }, { name: 'SubnetName', label: 'common.name' }, { name: 'CidrBlock', label: 'vpc.cidr' }, { name: 'Zone', label: 'common.zone' }],
      run: (v) => call('vpc', 'CreateSubnet', { ...v, IsBmsSubnet: true }),
    },
    rowActions: [{ label: 'common.delete', danger: true, run: (r) => call('vpc', 'DeleteSubnet', { SubnetId: r.SubnetId }) }],
    extra: (rows) => rows.length > 0 && <Suspense fallback={null}><UsageChart subnets={rows} /></Suspense>,
  },
  {
    path: '/eips', title: 'nav.eips', rowKey: (r) => r.AddressId,
    load: async () => ((await call('vpc', 'DescribeAddresses', { Limit: 100 })).AddressSet ?? []) as Row[],
    columns: [
      { key: 'common.id', render: (r) => r.AddressId }, { key: 'eip.address', render: (r) => r.AddressIp }, { key: 'common.status', render: (r) => r.AddressStatus },
      { key: 'eip.bound', render: (r) => r.InstanceId ?? '-' }, { key: 'eip.bandwidth', render: (r) => `${r.Bandwidth} Mbps` },
    ],
    create: { label: 'eip.apply', fields: [{ name: 'InternetServiceProvider', label: 'wizard.isp', options: ['BGP', 'CTCC', 'CUCC', 'CMCC'] }], run: (v) => call('vpc', 'AllocateAddresses', { AddressCount: 1, ...v }) },
    rowActions: [{ label: 'eip.release', danger: true, run: (r) => call('vpc', 'ReleaseAddresses', { AddressIds: [r.AddressId] }) }],
  },
  {
    path: '/users', title: 'nav.users', rowKey: (r) => String(r.Uin), rootOnly: true,
    load: async () => ((await call('cam', 'ListUsers')).Data ?? []) as Row[],
    columns: [{ key: 'users.name', render: (r) => r.Name }, { key: 'users.uin', render: (r) => r.Uin }, { key: 'common.createdTime', render: (r) => r.CreateTime ?? '' }],
    create: { label: 'common.create', fields: [{ name: 'Name', label: 'users.name' }], run: (v) => call('cam', 'AddUser', { ...v, ConsoleLogin: 0, UseApi: 0 }) },
    rowActions: [{ label: 'common.delete', danger: true, run: (r) => call('cam', 'DeleteUser', { Name: r.Name }) }],
  },
  {
    path: '/audit', title: 'nav.audit', rowKey: (r) => r.EventId,
    load: async () => ((await call('audit', 'LookUpEvents', { StartTime: now() - 7 * 86400, EndTime: now(), MaxResults: 50 })).Events ?? []) as Row[],
    columns: [
      { key: 'detail.task.time', render: (r) => r.EventTime }, { key: 'audit.service', render: (r) => r.EventSource },
      { key: 'audit.action', render: (r) => r.EventName }, { key: 'audit.user', render: (r) => r.Username },
      { key: 'audit.result', render: (r) => String(r.ErrorCode) }, { key: 'audit.ip', render: (r) => r.SourceIPAddress },
    ],
  },
];

function Reveal({ instanceId }: { instanceId: string }) {
  const { t } = useApp();
  const [info, setInfo] = useState<{ User: string; Password: string } | undefined>();
  useEffect(() => {
    if (!info) return;
    const timer = setTimeout(() => setInfo(undefined), 60_000);
    return () => clearTimeout(timer);
  }, [info]);
  if (info) return <span data-testid="bmc-account">{info.User} / {info.Password} <span className="muted">({t('outband.hideNote')})</span></span>;
  return <Button size="small" variant="outline" onClick={() => void call('bms', 'DescribeOutbandInfo', { InstanceId: instanceId }).then((r) => setInfo(r.OutbandInfo), (e) => MessagePlugin.error(e.message))}>{t('outband.reveal')}</Button>;
}

export function OtherPage({ path }: { path: string }) {
  const { t, me } = useApp();
  const spec = OTHER_PAGES.find((p) => p.path === path)!;
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [dialog, setDialog] = useState<{ title: string; fields: FieldSpec[]; run: (v: Record<string, string>) => Promise<unknown> } | undefined>();
  const [values, setValues] = useState<Record<string, string>>({});
  const [dialogError, setDialogError] = useState<string | undefined>();
  const load = useCallback(() => {
    spec.load().then((r) => { setRows(r); setError(undefined); }, (e) => setError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e)));
  }, [spec]);
  useEffect(() => load(), [load]);
  const open = (title: string, fields: FieldSpec[], run: (v: Record<string, string>) => Promise<unknown>) => {
    setValues(Object.fromEntries(fields.map((f) => [f.name, f.options?.[0] ?? ''])));
    setDialogError(undefined);
    setDialog({ title, fields, run });
  };
  const submit = async () => {
    try {
      await dialog!.run(values);
      setDialog(undefined);
      void MessagePlugin.success(t('common.done'));
      load();
    } catch (e) {
      setDialogError(e instanceof ApiError ? e.message : String(e));
    }
  };
  if (spec.rootOnly && !me?.User.IsRoot) return <Alert theme="info" message={t('users.rootOnly')} />;
  return (
    <div>
      <h2 className="page-title">{t(spec.title)}</h2>
      <div className="toolbar">
        {spec.create && <Button onClick={() => open(t(spec.create!.label), spec.create!.fields, spec.create!.run)} data-testid="page-create">{t(spec.create.label)}</Button>}
        <Button variant="text" onClick={load}>{t('common.refresh')}</Button>
      </div>
      {error && <Alert theme="error" message={error} />}
      {spec.extra?.(rows)}
      <div className="panel" style={{ padding: 0, overflowX: 'auto' }}>
        <table className="bms-table" data-testid="page-table">
          <thead><tr>{spec.columns.map((c) => <th scope="col" key={c.key}>{t(c.key)}</th>)}{spec.rowActions && <th scope="col">{t('common.actions')}</th>}</tr></thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={spec.columns.length + 1} className="muted">{t('common.empty')}</td></tr>}
            {rows.map((r) => (
              <tr key={spec.rowKey(r)}>
                {spec.columns.map((c) => <td key={c.key}>{c.render(r)}</td>)}
                {spec.rowActions && <td>{spec.rowActions.map((a) => (
                  <button key={a.label} type="button" className="link-button" onClick={() => open(`${t(a.label)} ${spec.rowKey(r)}`, a.prompt ? [a.prompt] : [], (v) => a.run({ ...r, __input: v[a.prompt?.name ?? ''] }))}>{t(a.label)}</button>
                ))}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Dialog visible={dialog !== undefined} header={dialog?.title} onClose={() => setDialog(undefined)} onCancel={() => setDialog(undefined)} onConfirm={() => void submit()}
        confirmBtn={t('common.confirm')} cancelBtn={t('common.cancel')}>
        {dialog?.fields.map((f) => f.options
          ? <SelectField key={f.name} label={t(f.label)} value={values[f.name] ?? ''} onChange={(v) => setValues({ ...values, [f.name]: v })} options={f.options.map((o) => ({ value: o, label: o }))} />
          : <TextField key={f.name} label={t(f.label)} value={values[f.name] ?? ''} onChange={(v) => setValues({ ...values, [f.name]: v })} />)}
        {dialog && dialog.fields.length === 0 && <p>{dialog.title}?</p>}
        {dialogError && <div role="alert" className="field-error">{dialogError}</div>}
      </Dialog>
    </div>
  );
}
