/**
 * 实例列表: server-side search and filters, pages of 20/50/100, a column chooser, creation-time
 * order; batch 开机/关机/重启 on exactly the selected rows (the confirm dialog lists them),
 * per-row actions and 更多 (退还, 重装, EIP, 修改名称); statuses update live.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Dialog, MessagePlugin, Tag } from 'tdesign-react';
import { ApiError, call } from '../api.ts';
import { useApp } from '../context.tsx';
import { EXPECTED_MINUTES, formatTime, list, STATUS_COLOR, TRANSIENT } from '../format.ts';
import type { MessageKey } from '../i18n.ts';
import { useLiveChanges } from '../live.ts';
import { SelectField, TextField } from '../ui.tsx';
import { InstanceActionDialog, type RowAction } from './InstanceActions.tsx';

export interface InstanceRow {
  InstanceId: string;
  InstanceName: string;
  Status: string;
  Placement: { Zone: string };
  FlavorId: string;
  PrivateIpAddresses: string[];
  PublicIpAddresses: string[];
  OperatingSystem: string;
  OperatingSystemType: string;
  CreatedTime: string;
  VirtualPrivateCloud: { VpcId: string; SubnetId: string };
  Tags?: Array<{ TagKey: string; TagValue: string }>;
  RaidType: string;
  /** Non-zero for a user-defined flavor, which the API does not reinstall. */
  UserDefined?: number;
}

const COLUMNS: Array<[string, MessageKey]> = [
  ['status', 'instances.col.status'], ['zone', 'instances.col.zone'], ['flavor', 'instances.col.flavor'], ['privateIp', 'instances.col.privateIp'],
  ['publicIp', 'instances.col.publicIp'], ['os', 'instances.col.os'], ['created', 'instances.col.created'], ['vpc', 'instances.col.vpc'], ['tags', 'instances.col.tags'],
];
const COLUMN_KEY = 'bms-console-columns';
type Batch = 'StartInstances' | 'StopInstances' | 'RebootInstances';

export function Instances() {
  const { t, lang, navigate } = useApp();
  const [rows, setRows] = useState<InstanceRow[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();
  const [pageSize, setPageSize] = useState(20);
  const [page, setPage] = useState(0);
  const [order, setOrder] = useState<'DESC' | 'ASC'>('DESC');
  const [searchBy, setSearchBy] = useState('instance-name');
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState<{ by: string; text: string } | undefined>();
  const [status, setStatus] = useState('');
  const [zone, setZone] = useState('');
  const [vpc, setVpc] = useState('');
  const [subnet, setSubnet] = useState('');
  const [flavor, setFlavor] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [batch, setBatch] = useState<Batch | undefined>();
  const [rowAction, setRowAction] = useState<{ action: RowAction; row: InstanceRow } | undefined>();
  const [choices, setChoices] = useState<{ zones: string[]; vpcs: string[]; subnets: Array<{ id: string; vpc: string }>; flavors: string[] }>({ zones: [], vpcs: [], subnets: [], flavors: [] });
  const [shown, setShown] = useState<Set<string>>(() => new Set(JSON.parse(localStorage.getItem(COLUMN_KEY) ?? 'null') ?? COLUMNS.map(([k]) => k).filter((k) => k !== 'vpc')));
  const [stuck, setStuck] = useState<Map<string, number>>(new Map());
  const generation = useRef(0);

  const filters = useMemo(() => {
    const f: Array<{ Name: string; Values: string[] }> = [];
    if (search?.text) {
      if (search.by === 'tag') {
        const [k, ...v] = search.text.split(':');
        f.push(v.length ? { Name: `tag:${k}`, Values: [v.join(':')] } : { Name: 'tag-key', Values: [k!] });
      } else f.push({ Name: search.by, Values: [search.text] });
    }
    if (status) f.push({ Name: 'instance-state', Values: [status] });
    if (zone) f.push({ Name: 'zone', Values: [zone] });
    if (vpc) f.push({ Name: 'vpc-id', Values: [vpc] });
    if (subnet) f.push({ Name: 'subnet-id', Values: [subnet] });
    if (flavor) f.push({ Name: 'flavor-id', Values: [flavor] });
    return f;
  }, [search, status, zone, vpc, subnet, flavor]);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const r = await call<{ TotalCount: number; InstanceSet: InstanceRow[] }>('bms', 'DescribeInstances', {
        Offset: page * pageSize, Limit: pageSize, OrderDirection: order, ...(filters.length ? { Filters: filters } : {}),
      });
      if (mine !== generation.current) return;
      setRows(r.InstanceSet);
      setTotal(r.TotalCount);
      setError(undefined);
      // Selection never includes rows that are not shown.
      setSelected((s) => new Set([...s].filter((id) => r.InstanceSet.some((i) => i.InstanceId === id))));
    } catch (e) {
      if (mine === generation.current) setError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [page, pageSize, order, filters]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    void Promise.all([
      call<{ ZoneSet: Array<{ Zone: string }> }>('bms', 'DescribeZones').then((r) => r.ZoneSet.map((z) => z.Zone)).catch(() => []),
      call<{ VpcSet: Array<{ VpcId: string }> }>('vpc', 'DescribeVpcs', { Limit: '100' }).then((r) => r.VpcSet.map((v) => v.VpcId)).catch(() => []),
      call<{ SubnetSet: Array<{ SubnetId: string; VpcId: string }> }>('vpc', 'DescribeSubnets', { Limit: '100' }).then((r) => r.SubnetSet.map((s) => ({ id: s.SubnetId, vpc: s.VpcId }))).catch(() => []),
      call<{ FlavorSet: Array<{ FlavorId: string }> }>('bms', 'DescribeFlavors', { Limit: 100 }).then((r) => [...new Set(r.FlavorSet.map((f) => f.FlavorId))]).catch(() => []),
    ]).then(([zones, vpcs, subnets, flavors]) => setChoices({ zones, vpcs, subnets, flavors }));
  }, []);

  // Live: a change to a shown instance, or a task of an instance not shown yet (a launch), refetches the page.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onChanges = useCallback((changes: Array<{ Kind: string; InstanceId: string | null; Status: string | null }>) => {
    const shownIds = new Set(rows.map((r) => r.InstanceId));
    const relevant = changes.some((c) => (c.InstanceId && shownIds.has(c.InstanceId)) || (c.Kind === 'task' && c.InstanceId && !shownIds.has(c.InstanceId)));
    if (!relevant) return;
    clearTimeout(pending.current);
    pending.current = setTimeout(() => void load(), 100);
  }, [rows, load]);
  const onReconnect = useCallback(() => void load(), [load]);
  useLiveChanges(onChanges, onReconnect);

  // Transient rows: how long has their current task been running?
  useEffect(() => {
    const transient = rows.filter((r) => TRANSIENT.has(r.Status)).map((r) => r.InstanceId);
    if (transient.length === 0) {
      setStuck(new Map());
      return;
    }
    void call<{ TaskSet: Array<{ InstanceId: string; Status: string; CreatedTime: string }> }>('bms', 'DescribeTasks', { InstanceIds: transient.slice(0, 100), Limit: 100 })
      .then((r) => {
        const m = new Map<string, number>();
        for (const task of r.TaskSet) if (task.Status === 'RUNNING') m.set(task.InstanceId, Date.parse(task.CreatedTime));
        setStuck(m);
      }).catch(() => undefined);
  }, [rows]);

  // A transient row can become overdue with nothing changing: re-render every 30 s while one is shown.
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!rows.some((r) => TRANSIENT.has(r.Status))) return;
    const timer = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, [rows]);

  const selectedRows = rows.filter((r) => selected.has(r.InstanceId));
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.InstanceId));
  const toggleColumn = (key: string) => {
    const next = new Set(shown);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setShown(next);
    localStorage.setItem(COLUMN_KEY, JSON.stringify([...next]));
  };
  const runBatch = async () => {
    const ids = selectedRows.map((r) => r.InstanceId);
    const action = batch!;
    setBatch(undefined);
    try {
      await call('bms', action, { InstanceIds: ids });
      void MessagePlugin.success(t('common.done'));
      void load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const batchLabel = (b: Batch) => t(b === 'StartInstances' ? 'instances.start' : b === 'StopInstances' ? 'instances.stop' : 'instances.reboot');
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const statusOptions = ['PENDING', 'RUNNING', 'STOPPING', 'STOPPED', 'STARTING', 'REBOOTING', 'RESETTING', 'TERMINATING', 'LAUNCH_FAILED'];

  return (
    <div>
      <h2 className="page-title">{t('instances.title')}</h2>
      <div className="toolbar" role="toolbar" aria-label={t('instances.title')}>
        <Button onClick={() => navigate('/instances/create')} data-testid="create">{t('instances.create')}</Button>
        {(['StartInstances', 'StopInstances', 'RebootInstances'] as Batch[]).map((b) => (
          <Button key={b} variant="outline" disabled={selectedRows.length === 0} onClick={() => setBatch(b)} data-testid={`batch-${b}`}>{batchLabel(b)}</Button>
        ))}
        <span className="muted" aria-live="polite">{t('instances.selected', { n: selectedRows.length })}</span>
        <Button variant="text" onClick={() => void load()}>{t('common.refresh')}</Button>
        <details className="column-chooser">
          <summary>{t('instances.columns')}</summary>
          <fieldset style={{ border: 0, padding: 8, background: '#fff', position: 'absolute', zIndex: 10, boxShadow: '0 2px 8px rgba(0,0,0,.15)' }}>
            <legend className="muted">{t('instances.columns')}</legend>
            {COLUMNS.map(([key, label]) => (
              <div key={key}>
                <input type="checkbox" id={`col-${key}`} checked={shown.has(key)} onChange={() => toggleColumn(key)} />{' '}
                <label htmlFor={`col-${key}`}>{t(label)}</label>
              </div>
            ))}
          </fieldset>
        </details>
      </div>
      <div className="toolbar">
        <SelectField inline label={t('instances.searchBy')} value={searchBy} onChange={setSearchBy} options={[
          { value: 'instance-name', label: t('instances.by.name') }, { value: 'instance-id', label: t('instances.by.id') },
          { value: 'private-ip-address', label: t('instances.by.ip') }, { value: 'tag', label: t('instances.by.tag') },
        ]} />
        <TextField inline label={t('common.search')} value={searchText} onChange={setSearchText} testId="search"
          onEnter={() => { setPage(0); setSearch({ by: searchBy, text: searchText.trim() }); }} hint={undefined} />
        <SelectField inline label={t('instances.filter.status')} value={status} onChange={(v) => { setPage(0); setStatus(v); }} testId="filter-status"
          options={[{ value: '', label: t('common.all') }, ...statusOptions.map((s) => ({ value: s, label: t(`status.${s}` as MessageKey) }))]} />
        <SelectField inline label={t('instances.filter.zone')} value={zone} onChange={(v) => { setPage(0); setZone(v); }}
          options={[{ value: '', label: t('common.all') }, ...choices.zones.map((z) => ({ value: z, label: z }))]} />
        <SelectField inline label={t('instances.filter.vpc')} value={vpc} onChange={(v) => { setPage(0); setVpc(v); setSubnet(''); }}
          options={[{ value: '', label: t('common.all') }, ...choices.vpcs.map((z) => ({ value: z, label: z }))]} />
        <SelectField inline label={t('instances.filter.subnet')} value={subnet} onChange={(v) => { setPage(0); setSubnet(v); }}
          options={[{ value: '', label: t('common.all') }, ...choices.subnets.filter((s) => !vpc || s.vpc === vpc).map((s) => ({ value: s.id, label: s.id }))]} />
        <SelectField inline label={t('instances.filter.flavor')} value={flavor} onChange={(v) => { setPage(0); setFlavor(v); }}
          options={[{ value: '', label: t('common.all') }, ...choices.flavors.map((z) => ({ value: z, label: z }))]} />
      </div>
      {error && <Alert theme="error" message={error} close onClose={() => setError(undefined)} style={{ marginBottom: 8 }} />}
      <div className="panel" style={{ padding: 0, overflowX: 'auto' }}>
        <table className="bms-table" aria-busy={loading} data-testid="instances-table">
          <caption className="sr-only">{t('instances.title')}</caption>
          <thead>
            <tr>
              <th scope="col"><input type="checkbox" aria-label={t('common.all')} checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.InstanceId)))} /></th>
              <th scope="col">{t('instances.col.id')}</th>
              {shown.has('status') && <th scope="col">{t('instances.col.status')}</th>}
              {shown.has('zone') && <th scope="col">{t('instances.col.zone')}</th>}
              {shown.has('flavor') && <th scope="col">{t('instances.col.flavor')}</th>}
              {shown.has('privateIp') && <th scope="col">{t('instances.col.privateIp')}</th>}
              {shown.has('publicIp') && <th scope="col">{t('instances.col.publicIp')}</th>}
              {shown.has('os') && <th scope="col">{t('instances.col.os')}</th>}
              {shown.has('created') && (
                <th scope="col" aria-sort={order === 'DESC' ? 'descending' : 'ascending'}>
                  <button type="button" className="link-button" onClick={() => { setPage(0); setOrder(order === 'DESC' ? 'ASC' : 'DESC'); }} data-testid="sort-created">
                    {t('instances.col.created')} {order === 'DESC' ? '↓' : '↑'}
                  </button>
                </th>
              )}
              {shown.has('vpc') && <th scope="col">{t('instances.col.vpc')}</th>}
              {shown.has('tags') && <th scope="col">{t('instances.col.tags')}</th>}
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && !loading && <tr><td colSpan={12} className="muted" style={{ textAlign: 'center' }}>{t('common.empty')}</td></tr>}
            {rows.map((r) => {
              const since = stuck.get(r.InstanceId);
              const minutes = EXPECTED_MINUTES[r.Status];
              const isStuck = since !== undefined && minutes !== undefined && Date.now() - since > minutes * 60_000;
              return (
                <tr key={r.InstanceId} data-testid="instance-row" data-id={r.InstanceId}>
                  <td><input type="checkbox" aria-label={r.InstanceId} checked={selected.has(r.InstanceId)} onChange={() => {
                    const next = new Set(selected);
                    if (next.has(r.InstanceId)) next.delete(r.InstanceId);
                    else next.add(r.InstanceId);
                    setSelected(next);
                  }} /></td>
                  <td>
                    <a href={`/console/instances/${r.InstanceId}`} onClick={(e) => { e.preventDefault(); navigate(`/instances/${r.InstanceId}`); }}>{r.InstanceId}</a>
                    <div className="muted">{r.InstanceName}</div>
                  </td>
                  {shown.has('status') && (
                    <td data-testid="status">
                      <span className="status-dot" style={{ background: STATUS_COLOR[r.Status] ?? '#0052d9' }} aria-hidden="true" />
                      {t(`status.${r.Status}` as MessageKey)}
                      {isStuck && <div role="note" className="field-error">{t('instances.stuck', { status: t(`status.${r.Status}` as MessageKey), minutes: minutes! })}</div>}
                    </td>
                  )}
                  {shown.has('zone') && <td>{r.Placement?.Zone}</td>}
                  {shown.has('flavor') && <td>{r.FlavorId}</td>}
                  {shown.has('privateIp') && <td>{list(r.PrivateIpAddresses).join(', ') || '-'}</td>}
                  {shown.has('publicIp') && <td data-testid="public-ip">{list(r.PublicIpAddresses).join(', ') || '-'}</td>}
                  {shown.has('os') && <td>{r.OperatingSystem}</td>}
                  {shown.has('created') && <td>{formatTime(r.CreatedTime, lang)}</td>}
                  {shown.has('vpc') && <td>{r.VirtualPrivateCloud?.VpcId}<div className="muted">{r.VirtualPrivateCloud?.SubnetId}</div></td>}
                  {shown.has('tags') && <td>{(r.Tags ?? []).map((tag) => <Tag key={tag.TagKey} size="small" variant="light">{tag.TagKey}:{tag.TagValue}</Tag>)}</td>}
                  <td>
                    <div className="row-actions">
                      {r.Status === 'STOPPED' && <button type="button" className="link-button" onClick={() => setRowAction({ action: 'start', row: r })}>{t('instances.start')}</button>}
                      {r.Status === 'RUNNING' && <button type="button" className="link-button" onClick={() => setRowAction({ action: 'stop', row: r })}>{t('instances.stop')}</button>}
                      {r.Status === 'RUNNING' && <button type="button" className="link-button" onClick={() => setRowAction({ action: 'reboot', row: r })}>{t('instances.reboot')}</button>}
                      <label className="sr-only" htmlFor={`more-${r.InstanceId}`}>{t('common.more')} {r.InstanceId}</label>
                      <select id={`more-${r.InstanceId}`} className="native-select more-select" value="" data-testid="more"
                        onChange={(e) => { if (e.target.value) setRowAction({ action: e.target.value as RowAction, row: r }); }}>
                        <option value="">{t('common.more')}</option>
                        <option value="terminate">{t('instances.terminate')}</option>
                        <option value="reset" disabled={Boolean(r.UserDefined)}>{t('instances.reset')}</option>
                        <option value="bindEip">{t('instances.bindEip')}</option>
                        <option value="bandwidth" disabled={list(r.PublicIpAddresses).length === 0}>{t('instances.bandwidth')}</option>
                        <option value="unbindEip" disabled={list(r.PublicIpAddresses).length === 0}>{t('instances.unbindEip')}</option>
                        <option value="rename">{t('common.rename')}</option>
                        <option value="tags">{t('instances.editTags')}</option>
                      </select>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <nav className="toolbar" aria-label="pagination">
        <span data-testid="total">{t('common.total', { n: total })}</span>
        <SelectField inline label={t('common.pageSize')} value={String(pageSize)} onChange={(v) => { setPage(0); setPageSize(Number(v)); }} testId="page-size"
          options={[20, 50, 100].map((n) => ({ value: String(n), label: String(n) }))} />
        <Button variant="outline" disabled={page === 0} onClick={() => setPage(page - 1)}>{t('common.previous')}</Button>
        <span>{page + 1} / {pages}</span>
        <Button variant="outline" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>{t('common.next')}</Button>
      </nav>
      <Dialog
        visible={batch !== undefined} header={batch ? batchLabel(batch) : ''} onClose={() => setBatch(undefined)} onCancel={() => setBatch(undefined)}
        onConfirm={() => void runBatch()} confirmBtn={batch ? batchLabel(batch) : t('common.confirm')} cancelBtn={t('common.cancel')}
      >
        {batch && <p>{t('instances.confirmBatch', { n: selectedRows.length, action: batchLabel(batch) })}</p>}
        {batch === 'RebootInstances' && <Alert theme="warning" message={t('instances.rebootNote')} />}
        <ul data-testid="confirm-ids">{selectedRows.map((r) => <li key={r.InstanceId}>{r.InstanceId} {r.InstanceName}</li>)}</ul>
      </Dialog>
      {rowAction && <InstanceActionDialog action={rowAction.action} row={rowAction.row} onClose={(changed) => { setRowAction(undefined); if (changed) void load(); }} />}
    </div>
  );
}
