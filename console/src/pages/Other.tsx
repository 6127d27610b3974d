/**
 * The other pages the API has, each a list with its actions: spread placement groups (create
 * with RACK / RACK_SAME_SW / SW, rename, move an instance in, delete; members listed), heartbeat
 * groups (create, rename, add or move instances, delete; VLAN shown), out-of-band access
 * (mappings created and deleted; the BMC account shown only on an explicit click — a read the
 * API audits — and hidden again after a minute), backup IPs (add, return, make primary), VPCs
 * and their BMS subnets (create, delete, address usage — also as a lazily loaded ECharts chart),
 * elastic IPs (apply, bind, bandwidth, unbind, release) and the account's audit log. Sub-users, their keys and policies are pages/Users.tsx.
 */
import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Button, Dialog, MessagePlugin } from 'tdesign-react';
import { ApiError, call } from '../api.ts';
import { useApp } from '../context.tsx';
import type { MessageKey } from '../i18n.ts';
import { SelectField, TextField } from '../ui.tsx';

const UsageChart = lazy(() => import('../UsageChart.tsx'));

type Row = Record<string, any>;
type Values = Record<string, string>;
export interface Choice { value: string; label: string }
export interface FieldSpec {
  name: string;
  label: MessageKey;
  /** Fixed choices, or choices loaded when the dialog opens (for the row it acts on). */
  options?: string[];
  choices?: (row: Row | undefined) => Promise<Choice[]>;
  /** Several of the choices (checkboxes); the value is their comma-joined list. */
  multi?: boolean;
  hint?: MessageKey;
  testId?: string;
}
/** Opens the page's dialog: a title, its fields, an optional note, and what Confirm does. */
type Act = (title: string, fields: FieldSpec[], run: (v: Values) => Promise<unknown>, opts?: { row?: Row; note?: string }) => void;
type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;
interface Column { key: MessageKey; render: (r: Row, act: Act, t: Translate) => ReactNode }
interface RowActionSpec { label: MessageKey; danger?: boolean; fields?: FieldSpec[]; note?: MessageKey; run: (r: Row, v: Values) => Promise<unknown>; testId?: string }
export interface PageSpec {
  path: string;
  title: MessageKey;
  load: () => Promise<Row[]>;
  rowKey: (r: Row) => string;
  columns: Column[];
  create?: { label: MessageKey; fields: FieldSpec[]; run: (v: Values) => Promise<unknown> };
  rowActions?: RowActionSpec[];
  extra?: (rows: Row[]) => ReactNode;
}

const now = () => Math.floor(Date.now() / 1000);
const first = (v: unknown): string => (Array.isArray(v) ? String(v[0] ?? '') : String(v ?? ''));
const ids = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

interface InstanceLite { InstanceId: string; InstanceName: string; Status: string; PrivateIpAddresses: string[]; VirtualPrivateCloud: { VpcId: string; SubnetId: string } }
const instances = async () => ((await call<{ InstanceSet: InstanceLite[] }>('bms', 'DescribeInstances', { Limit: 100 })).InstanceSet ?? []);
/** Instances that can change group (RUNNING or STOPPED, as the API requires). */
const movableInstances = async (): Promise<Choice[]> => (await instances())
  .filter((i) => i.Status === 'RUNNING' || i.Status === 'STOPPED').map((i) => ({ value: i.InstanceId, label: `${i.InstanceId} ${i.InstanceName}` }));
const instanceChoices = async (): Promise<Choice[]> => (await instances()).map((i) => ({ value: i.InstanceId, label: `${i.InstanceId} ${i.InstanceName}` }));
const subnetChoices = async (): Promise<Choice[]> => ((await call<{ SubnetSet: Row[] }>('vpc', 'DescribeSubnets', { Limit: '100' })).SubnetSet ?? [])
  .map((s) => ({ value: `${s.VpcId}/${s.SubnetId}`, label: `${s.SubnetId} ${s.SubnetName} (${s.VpcId}, ${s.CidrBlock}, ${s.Zone})` }));

export const OTHER_PAGES: PageSpec[] = [
  {
    path: '/placement-groups', title: 'nav.placement', rowKey: (r) => r.DisasterRecoverGroupId,
    load: async () => {
      const r = await call('bms', 'DescribeDisasterRecoverGroups', { Limit: 100 });
      const groups = (r.GroupSet ?? r.GroupId ?? []) as Row[];
      // Members: DescribeInstances by its groupId filter, one call per group shown.
      return Promise.all(groups.map(async (g) => {
        const m = await call<{ InstanceSet: InstanceLite[] }>('bms', 'DescribeInstances', { Filters: [{ Name: 'groupId', Values: [g.DisasterRecoverGroupId] }], Limit: 100 });
        return { ...g, members: m.InstanceSet.map((i) => i.InstanceId) };
      }));
    },
    columns: [
      { key: 'common.id', render: (r) => r.DisasterRecoverGroupId }, { key: 'common.name', render: (r) => r.Name },
      { key: 'placement.type', render: (r) => r.Type }, { key: 'placement.members', render: (r) => <span data-testid="members">{(r.members as string[]).join(', ') || '-'}</span> },
    ],
    create: {
      label: 'placement.create',
      fields: [{ name: 'Name', label: 'common.name' }, { name: 'Type', label: 'placement.type', options: ['RACK', 'RACK_SAME_SW', 'SW'], hint: 'placement.typeHint' }],
      run: (v) => call('bms', 'CreateDisasterRecoverGroup', v),
    },
    rowActions: [
      { label: 'placement.move', fields: [{ name: 'InstanceId', label: 'heartbeat.instance', choices: instanceChoices }], run: (r, v) => call('bms', 'ModifyInstancesGroupId', { InstanceId: v.InstanceId, GroupId: r.DisasterRecoverGroupId }) },
      { label: 'common.rename', fields: [{ name: 'Name', label: 'common.name' }], run: (r, v) => call('bms', 'UpdateDisasterRecoverGroup', { GroupId: r.DisasterRecoverGroupId, Name: v.Name }) },
      { label: 'common.delete', danger: true, run: (r) => call('bms', 'DeleteDisasterRecoverGroups', { GroupIds: [r.DisasterRecoverGroupId] }) },
    ],
  },
  {
    path: '/heartbeats', title: 'nav.heartbeats', rowKey: (r) => r.HeartbeatId,
    load: async () => ((await call('bms', 'DescribeHeartbeats', { Limit: 100 })).HeartbeatSet ?? []) as Row[],
    columns: [
      { key: 'common.id', render: (r) => r.HeartbeatId }, { key: 'common.name', render: (r) => r.Name },
      { key: 'heartbeat.vlan', render: (r) => r.VlanId }, { key: 'heartbeat.members', render: (r) => <span data-testid="member-count">{r.CurrentNum}</span> },
    ],
    create: { label: 'heartbeat.create', fields: [{ name: 'Name', label: 'common.name' }], run: (v) => call('bms', 'CreateHeartbeat', v) },
    rowActions: [
      {
        label: 'heartbeat.add', note: 'heartbeat.addNote', testId: 'heartbeat-add',
        fields: [{ name: 'InstanceIds', label: 'heartbeat.instances', multi: true, choices: movableInstances, testId: 'hb-instances' }],
        run: (r, v) => call('bms', 'ModifyHeartbeat', { HeartbeatId: r.HeartbeatId, InstanceIds: ids(v.InstanceIds ?? '') }),
      },
      { label: 'common.rename', fields: [{ name: 'Name', label: 'common.name' }], run: (r, v) => call('bms', 'UpdateHeartbeat', { HeartbeatId: r.HeartbeatId, Name: v.Name }) },
      { label: 'common.delete', danger: true, run: (r) => call('bms', 'DeleteHeartbeats', { HeartbeatIds: [r.HeartbeatId] }) },
    ],
  },
  {
    path: '/outband', title: 'nav.outband', rowKey: (r) => `${first(r.InstanceId)}/${first(r.UniqVpcId)}`,
    load: async () => ((await call('bms', 'DescribeOutbandIP', { Limit: 100 })).InstanceSet ?? []) as Row[],
    columns: [
      { key: 'common.id', render: (r) => first(r.InstanceId) }, { key: 'common.name', render: (r) => first(r.InstanceName) },
      { key: 'instances.col.vpc', render: (r) => first(r.UniqVpcId) },
      { key: 'outband.address', render: (r) => <span data-testid="outband-address">{(r.Vip as string[]).map((ip, i) => `${ip}:${(r.Vport as number[])[i]}`).join(', ')}</span> },
      { key: 'outband.reveal', render: (r) => <Reveal instanceId={first(r.InstanceId)} /> },
    ],
    create: {
      label: 'outband.create',
      fields: [{ name: 'InstanceId', label: 'heartbeat.instance', choices: instanceChoices, testId: 'ob-instance' }, { name: 'Subnet', label: 'outband.subnet', choices: subnetChoices, testId: 'ob-subnet' }],
      run: (v) => {
        const [VpcId, SubnetId] = (v.Subnet ?? '').split('/');
        return call('bms', 'CreateOutbandIP', { InstanceId: v.InstanceId, VpcId, SubnetId });
      },
    },
    rowActions: [{
      label: 'common.delete', danger: true,
      run: (r) => call('bms', 'DeleteOutbandIP', { OutbandInfos: [{ InstanceId: first(r.InstanceId), VpcId: first(r.UniqVpcId), Vip: first(r.Vip), Vport: first(r.Vport) }] }),
    }],
  },
  {
    path: '/backup-ips', title: 'nav.backupIps', rowKey: (r) => r.InstanceId,
    load: async () => (await instances()) as unknown as Row[],
    columns: [
      { key: 'common.id', render: (r) => r.InstanceId }, { key: 'common.name', render: (r) => r.InstanceName },
      { key: 'backup.primary', render: (r) => <span data-testid="primary-ip">{r.PrivateIpAddresses?.[0] ?? '-'}</span> },
      {
        key: 'backup.list', render: (r, act, t) => {
          const [primary, ...backups] = (r.PrivateIpAddresses ?? []) as string[];
          if (backups.length === 0) return '-';
          return <ul className="plain-list">{backups.map((ip) => (
            <li key={ip} data-testid="backup-ip" data-ip={ip}>
              {ip}{' '}
              <button type="button" className="link-button" data-testid="make-primary"
                onClick={() => act(`${t('backup.makePrimary')} ${ip}`, [], () => call('bms', 'ReturnBackupIP', { InstanceId: r.InstanceId, BackupIP: primary, OverlayIp: ip }),
                  { note: t('backup.makePrimaryNote', { old: primary!, ip }) })}>
                {t('backup.makePrimary')}<span className="sr-only"> {ip}</span>
              </button>
              <button type="button" className="link-button" data-testid="return-backup"
                onClick={() => act(`${t('backup.return')} ${ip}`, [], () => call('bms', 'ReturnBackupIP', { InstanceId: r.InstanceId, BackupIP: ip }))}>
                {t('backup.return')}<span className="sr-only"> {ip}</span>
              </button>
            </li>
          ))}</ul>;
        },
      },
    ],
    rowActions: [{
      label: 'backup.add', testId: 'backup-add', fields: [{ name: 'BackupIP', label: 'backup.address', hint: 'backup.addressHint', testId: 'backup-address' }],
      run: (r, v) => call('bms', 'CreateBackupIP', { InstanceId: r.InstanceId, ...(v.BackupIP?.trim() ? { BackupIP: v.BackupIP.trim() } : {}) }),
    }],
  },
  {
    path: '/vpcs', title: 'nav.vpcs', rowKey: (r) => r.VpcId,
    load: async () => {
      const [v, sn] = await Promise.all([call('vpc', 'DescribeVpcs', { Limit: '100' }), call('vpc', 'DescribeSubnets', { Limit: '100' })]);
      const subnets = (sn.SubnetSet ?? []) as Row[];
      return ((v.VpcSet ?? []) as Row[]).map((vpc) => ({ ...vpc, subnets: subnets.filter((s) => s.VpcId === vpc.VpcId) }));
    },
    columns: [
      { key: 'common.id', render: (r) => <>{r.VpcId}<div className="muted">{r.VpcName}</div></> },
      { key: 'vpc.cidr', render: (r) => <>{r.CidrBlock}{r.Ipv6CidrBlock ? <div className="muted">{r.Ipv6CidrBlock}</div> : null}</> },
      {
        key: 'vpc.subnets', render: (r, act, t) => ((r.subnets as Row[]).length === 0 ? '-' : (
          <ul className="plain-list">{(r.subnets as Row[]).map((sn) => (
            <li key={sn.SubnetId} data-testid="subnet" data-id={sn.SubnetId}>
              {sn.SubnetId} {sn.SubnetName} · {sn.CidrBlock} · {sn.Zone}{sn.IsBmsSubnet ? ' · BMS' : ''} ·{' '}
              <span data-testid="subnet-usage">{t('vpc.usageOf', { used: (sn.TotalIpAddressCount ?? 0) - (sn.AvailableIpAddressCount ?? 0), total: sn.TotalIpAddressCount ?? '-' })}</span>{' '}
              <button type="button" className="link-button" data-testid="subnet-delete"
                onClick={() => act(`${t('vpc.deleteSubnet')} ${sn.SubnetId}`, [], () => call('vpc', 'DeleteSubnet', { SubnetId: sn.SubnetId }))}>
                {t('common.delete')}<span className="sr-only"> {sn.SubnetId}</span>
              </button>
            </li>
          ))}</ul>
        )),
      },
    ],
    create: { label: 'vpc.createVpc', fields: [{ name: 'VpcName', label: 'common.name', testId: 'vpc-name' }, { name: 'CidrBlock', label: 'vpc.cidr', hint: 'vpc.cidrHint', testId: 'vpc-cidr' }], run: (v) => call('vpc', 'CreateVpc', v) },
    rowActions: [
      {
        label: 'vpc.createSubnet', testId: 'subnet-create',
        fields: [
          { name: 'SubnetName', label: 'common.name', testId: 'subnet-name' }, { name: 'CidrBlock', label: 'vpc.cidr', testId: 'subnet-cidr' },
          { name: 'Zone', label: 'common.zone', choices: async () => ((await call('bms', 'DescribeZones')).ZoneSet as Row[]).map((z) => ({ value: z.Zone, label: z.Zone })) },
        ],
        run: (r, v) => call('vpc', 'CreateSubnet', { ...v, VpcId: r.VpcId, IsBmsSubnet: true }),
      },
      { label: 'vpc.deleteVpc', danger: true, testId: 'vpc-delete', run: (r) => call('vpc', 'DeleteVpc', { VpcId: r.VpcId }) },
    ],
    extra: (rows) => {
      const subnets = rows.flatMap((r) => r.subnets as Row[]);
      return subnets.length > 0 && <Suspense fallback={null}><UsageChart subnets={subnets} /></Suspense>;
    },
  },
  {
    path: '/eips', title: 'nav.eips', rowKey: (r) => r.AddressId,
    load: async () => ((await call('vpc', 'DescribeAddresses', { Limit: 100 })).AddressSet ?? []) as Row[],
    columns: [
      { key: 'common.id', render: (r) => r.AddressId }, { key: 'eip.address', render: (r) => r.AddressIp }, { key: 'common.status', render: (r) => <span data-testid="eip-status">{r.AddressStatus}</span> },
      { key: 'eip.bound', render: (r) => <span data-testid="eip-bound">{r.InstanceId ?? '-'}</span> }, { key: 'wizard.isp', render: (r) => r.InternetServiceProvider ?? '-' },
      { key: 'eip.bandwidth', render: (r) => <span data-testid="eip-bandwidth">{r.Bandwidth} Mbps</span> },
    ],
    create: { label: 'eip.apply', fields: [{ name: 'InternetServiceProvider', label: 'wizard.isp', options: ['BGP', 'CTCC', 'CUCC', 'CMCC'] }], run: (v) => call('vpc', 'AllocateAddresses', { AddressCount: 1, ...v }) },
    rowActions: [
      {
        label: 'instances.bindEip', testId: 'eip-bind', fields: [{ name: 'InstanceId', label: 'heartbeat.instance', choices: instanceChoices, testId: 'eip-instance' }],
        run: (r, v) => call('vpc', 'AssociateAddress', { AddressId: r.AddressId, InstanceId: v.InstanceId }),
      },
      {
        label: 'instances.bandwidth', testId: 'eip-bandwidth-edit', fields: [{ name: 'Bandwidth', label: 'instances.targetBandwidth', testId: 'eip-bandwidth-input' }],
        run: (r, v) => call('vpc', 'ModifyAddressesBandwidth', { AddressIds: [r.AddressId], InternetMaxBandwidthOut: Number(v.Bandwidth) }),
      },
      { label: 'instances.unbindEip', testId: 'eip-unbind', note: 'instances.unbindNote', run: (r) => call('vpc', 'DisassociateAddress', { AddressId: r.AddressId }) },
      { label: 'eip.release', danger: true, testId: 'eip-release', run: (r) => call('vpc', 'ReleaseAddresses', { AddressIds: [r.AddressId] }) },
    ],
  },
  {
    path: '/audit', title: 'nav.audit', rowKey: (r) => r.EventId,
    load: async () => ((await call('audit', 'LookUpEvents', { StartTime: now() - 7 * 86400, EndTime: now(), MaxResults: 50 })).Events ?? []) as Row[],
    columns: [
      { key: 'detail.task.time', render: (r) => r.EventTime }, { key: 'audit.service', render: (r) => r.EventSource },
      { key: 'audit.action', render: (r) => <span data-testid="audit-action">{r.EventName}</span> }, { key: 'audit.user', render: (r) => r.Username },
      { key: 'audit.result', render: (r) => String(r.ErrorCode) }, { key: 'audit.ip', render: (r) => r.SourceIPAddress },
    ],
  },
];

/** How long the BMC account stays on screen once revealed. */
export const REVEAL_MS = 60_000;

function Reveal({ instanceId }: { instanceId: string }) {
  const { t } = useApp();
  const [info, setInfo] = useState<{ User: string; Password: string; Sn: string } | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (!info) return;
    const timer = setTimeout(() => setInfo(undefined), REVEAL_MS);
    return () => clearTimeout(timer);
  }, [info]);
  if (info) {
    return (
      <span data-testid="bmc-account">
        <span data-testid="bmc-user">{info.User}</span> / <span data-testid="bmc-password">{info.Password}</span>
        <span className="muted"> ({t('outband.hideNote')})</span>{' '}
        <button type="button" className="link-button" onClick={() => setInfo(undefined)}>{t('outband.hide')}</button>
      </span>
    );
  }
  const reveal = () => {
    setError(undefined);
    call<{ OutbandInfo: Array<{ User: string; Password: string; Sn: string }> }>('bms', 'DescribeOutbandInfo', { InstanceId: instanceId })
      .then((r) => setInfo(r.OutbandInfo[0]), (e) => setError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e)));
  };
  return (
    <>
      <Button size="small" variant="outline" onClick={reveal} data-testid="reveal">{t('outband.reveal')}<span className="sr-only"> {instanceId}</span></Button>
      {error && <div role="alert" className="field-error">{error}</div>}
    </>
  );
}

interface DialogState { title: string; fields: FieldSpec[]; run: (v: Values) => Promise<unknown>; row?: Row | undefined; note?: string | undefined }

export function OtherPage({ path }: { path: string }) {
  const { t } = useApp();
  const spec = OTHER_PAGES.find((p) => p.path === path)!;
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [dialog, setDialog] = useState<DialogState | undefined>();
  const [values, setValues] = useState<Values>({});
  const [choices, setChoices] = useState<Record<string, Choice[]>>({});
  const [dialogError, setDialogError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    spec.load().then((r) => { setRows(r); setError(undefined); }, (e) => setError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e)));
  }, [spec]);
  useEffect(() => load(), [load]);
  const open: Act = (title, fields, run, opts = {}) => {
    setValues(Object.fromEntries(fields.map((f) => [f.name, f.options?.[0] ?? ''])));
    setChoices({});
    setDialogError(undefined);
    setDialog({ title, fields, run, row: opts.row, note: opts.note });
    for (const f of fields) {
      if (!f.choices) continue;
      f.choices(opts.row).then((cs) => {
        setChoices((c) => ({ ...c, [f.name]: cs }));
        if (!f.multi) setValues((v) => ({ ...v, [f.name]: v[f.name] || cs[0]?.value || '' }));
      }, (e) => setDialogError(e instanceof ApiError ? e.message : String(e)));
    }
  };
  const submit = async () => {
    setBusy(true);
    setDialogError(undefined);
    try {
      await dialog!.run(values);
      setDialog(undefined);
      void MessagePlugin.success(t('common.done'));
      load();
    } catch (e) {
      setDialogError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const toggle = (name: string, value: string) => {
    const set = new Set(ids(values[name] ?? ''));
    if (set.has(value)) set.delete(value);
    else set.add(value);
    setValues({ ...values, [name]: [...set].join(',') });
  };
  const note = dialog?.note;
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
              <tr key={spec.rowKey(r)} data-testid="page-row" data-id={spec.rowKey(r)}>
                {spec.columns.map((c) => <td key={c.key}>{c.render(r, open, t)}</td>)}
                {spec.rowActions && <td>{spec.rowActions.map((a) => (
                  <button key={a.label} type="button" className="link-button" data-testid={a.testId}
                    onClick={() => open(`${t(a.label)} ${spec.rowKey(r)}`, a.fields ?? [], (v) => a.run(r, v), { row: r, ...(a.note ? { note: t(a.note) } : {}) })}>
                    {t(a.label)}<span className="sr-only"> {spec.rowKey(r)}</span>
                  </button>
                ))}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Dialog visible={dialog !== undefined} header={dialog ? dialog.title : ''} onClose={() => setDialog(undefined)} onCancel={() => setDialog(undefined)} onConfirm={() => void submit()}
        confirmBtn={{ content: t('common.confirm'), loading: busy }} cancelBtn={t('common.cancel')}>
        <div data-testid="page-dialog">
          {note && <Alert theme="info" message={note} />}
          {dialog?.fields.map((f) => {
            const hint = f.hint ? t(f.hint) : undefined;
            if (f.multi) {
              const selected = new Set(ids(values[f.name] ?? ''));
              return (
                <fieldset key={f.name} className="wizard-row plain-fieldset" data-testid={f.testId}>
                  <legend className="label">{t(f.label)}</legend>
                  {!choices[f.name] && <p className="muted">{t('common.loading')}</p>}
                  {choices[f.name]?.length === 0 && <p className="muted">{t('common.empty')}</p>}
                  {choices[f.name]?.map((c) => (
                    <div key={c.value}>
                      <input type="checkbox" id={`${f.name}-${c.value}`} value={c.value} checked={selected.has(c.value)} onChange={() => toggle(f.name, c.value)} />{' '}
                      <label htmlFor={`${f.name}-${c.value}`}>{c.label}</label>
                    </div>
                  ))}
                </fieldset>
              );
            }
            if (f.options || f.choices) {
              const opts = f.options ? f.options.map((o) => ({ value: o, label: o })) : choices[f.name] ?? [];
              return <SelectField key={f.name} label={t(f.label)} value={values[f.name] ?? ''} onChange={(v) => setValues({ ...values, [f.name]: v })} options={opts} hint={hint} {...(f.testId ? { testId: f.testId } : {})} />;
            }
            return <TextField key={f.name} label={t(f.label)} value={values[f.name] ?? ''} onChange={(v) => setValues({ ...values, [f.name]: v })} hint={hint} {...(f.testId ? { testId: f.testId } : {})} />;
          })}
          {dialog && dialog.fields.length === 0 && !note && <p>{dialog.title}?</p>}
          {dialogError && <div role="alert" className="field-error" data-testid="page-dialog-error">{dialogError}</div>}
        </div>
      </Dialog>
    </div>
  );
}
