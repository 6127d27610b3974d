/** The per-instance dialogs: 开机/关机/重启, 退还 (with the manual's warnings), 重装, EIP bind/bandwidth/unbind, 修改名称, 标签 (the tag service). */
import { useEffect, useState } from 'react';
import { Alert, Dialog, MessagePlugin } from 'tdesign-react';
import { ApiError, call, currentRegion, fieldOf } from '../api.ts';
import { useApp } from '../context.tsx';
import { list } from '../format.ts';
import { CheckField, SelectField, TextField } from '../ui.tsx';
import type { InstanceRow } from './Instances.tsx';

export type RowAction = 'start' | 'stop' | 'reboot' | 'terminate' | 'reset' | 'bindEip' | 'bandwidth' | 'unbindEip' | 'rename' | 'tags';

interface Address { AddressId: string; AddressIp: string; InstanceId: string | null; Bandwidth: number; AddressStatus: string }
interface Flavor { FlavorId: string; RaidType: string[]; OperatingSystem: { Linux?: string[]; Windows?: string[]; Other?: string[] }; UserDefined: number }

/** Every image the flavor offers, with its OS type, Linux first. */
const osChoices = (f: Flavor | undefined): Array<{ type: string; name: string }> =>
  (['Linux', 'Windows', 'Other'] as const).flatMap((type) => (f?.OperatingSystem[type] ?? []).map((name) => ({ type, name })));

export function InstanceActionDialog({ action, row, onClose }: { action: RowAction; row: InstanceRow; onClose: (changed: boolean) => void }) {
  const { t, me } = useApp();
  const [error, setError] = useState<string | undefined>();
  const [tagText, setTagText] = useState(() => (row.Tags ?? []).map((tag) => `${tag.TagKey}:${tag.TagValue}`).join('\n'));
  const [fieldError, setFieldError] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState(row.InstanceName);
  const [addresses, setAddresses] = useState<Address[]>([]);
  const [addressId, setAddressId] = useState('');
  const [bandwidth, setBandwidth] = useState(10);
  const [flavor, setFlavor] = useState<Flavor | undefined>();
  const [image, setImage] = useState('');
  const [raid, setRaid] = useState('');
  const [agent, setAgent] = useState(true);
  const [password, setPassword] = useState('');

  const mine = addresses.find((a) => list(row.PublicIpAddresses).includes(a.AddressIp));
  useEffect(() => {
    if (action === 'bindEip' || action === 'bandwidth' || action === 'unbindEip') {
      void call<{ AddressSet: Address[] }>('vpc', 'DescribeAddresses', { Limit: 100 }).then((r) => {
        setAddresses(r.AddressSet);
        const free = r.AddressSet.filter((a) => !a.InstanceId);
        if (action === 'bindEip') setAddressId(free[0]?.AddressId ?? '');
        const bound = r.AddressSet.find((a) => list(row.PublicIpAddresses).includes(a.AddressIp));
        if (bound) setBandwidth(bound.Bandwidth);
      }, (e) => setError(String(e.message)));
    }
    if (action === 'reset') {
      void call<{ FlavorSet: Flavor[] }>('bms', 'DescribeFlavors', { FlavorIds: [row.FlavorId] }).then((r) => {
        const f = r.FlavorSet[0];
        setFlavor(f);
        // The image is chosen with its OS type (a flavor may offer Linux, Windows and other images): "Type:Name".
        const first = osChoices(f).find((c) => c.type === row.OperatingSystemType && c.name === row.OperatingSystem) ?? osChoices(f)[0];
        setImage(first ? `${first.type}:${first.name}` : `${row.OperatingSystemType}:${row.OperatingSystem}`);
        setRaid(row.RaidType || f?.RaidType[0] || '');
      }, (e) => setError(String(e.message)));
    }
  }, [action, row]);

  const titles: Record<RowAction, string> = {
    start: t('instances.start'), stop: t('instances.stop'), reboot: t('instances.reboot'), terminate: t('instances.terminate'),
    reset: t('instances.reset'), bindEip: t('instances.bindEip'), bandwidth: t('instances.bandwidth'), unbindEip: t('instances.unbindEip'), rename: t('common.rename'), tags: t('instances.editTags'),
  };

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    setFieldError({});
    try {
      const id = row.InstanceId;
      if (action === 'start') await call('bms', 'StartInstances', { InstanceIds: [id] });
      if (action === 'stop') await call('bms', 'StopInstances', { InstanceIds: [id] });
      if (action === 'reboot') await call('bms', 'RebootInstances', { InstanceIds: [id] });
      if (action === 'terminate') await call('bms', 'TerminateInstances', { InstanceIds: [id] });
      if (action === 'rename') await call('bms', 'ModifyInstancesAttribute', { InstanceIds: [id], InstanceName: name });
      if (action === 'tags') {
        // One line per tag, key:value (the value may hold colons); keys no longer listed are removed.
        const wanted = tagText.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
          const at = l.indexOf(':');
          return at < 0 ? { TagKey: l, TagValue: '' } : { TagKey: l.slice(0, at).trim(), TagValue: l.slice(at + 1).trim() };
        });
        const removed = (row.Tags ?? []).filter((old) => !wanted.some((w) => w.TagKey === old.TagKey)).map((old) => ({ TagKey: old.TagKey }));
        await call('tag', 'ModifyResourceTags', {
          Resource: `qcs::bms:${currentRegion()}:uin/${me?.User.AccountUin ?? ''}:instance/${id}`,
          ...(wanted.length ? { ReplaceTags: wanted } : {}), ...(removed.length ? { DeleteTags: removed } : {}),
        });
      }
      if (action === 'bindEip') await call('vpc', 'AssociateAddress', { AddressId: addressId, InstanceId: id });
      if (action === 'bandwidth') await call('vpc', 'ModifyAddressesBandwidth', { AddressIds: [mine!.AddressId], InternetMaxBandwidthOut: bandwidth });
      if (action === 'unbindEip') await call('vpc', 'DisassociateAddress', { AddressId: mine!.AddressId });
      if (action === 'reset') {
        await call('bms', 'ResetInstance', {
          InstanceId: id, RaidType: raid, OperatingSystemType: image.slice(0, image.indexOf(':')), OperatingSystem: image.slice(image.indexOf(':') + 1),
          // A user-defined flavor takes no password and no security agent, as the manual says.
          LoginSettings: flavor?.UserDefined ? {} : { Password: password }, ...(flavor?.UserDefined ? {} : { EnhancedService: { SecurityService: agent } }),
        });
      }
      void MessagePlugin.success(t('common.done'));
      onClose(true);
    } catch (e) {
      if (e instanceof ApiError) {
        const field = fieldOf(e);
        if (field) setFieldError({ [field]: e.message });
        else setError(e.message);
      } else setError(String(e));
    } finally {
      setBusy(false);
    }
  };

  const passwordField = fieldError['LoginSettings.Password'];
  return (
    <Dialog
      visible header={`${titles[action]} — ${row.InstanceId}`} onClose={() => onClose(false)} onCancel={() => onClose(false)}
      onConfirm={() => void submit()} confirmBtn={{ content: titles[action], loading: busy, theme: action === 'terminate' ? 'danger' : 'primary' }}
      cancelBtn={t('common.cancel')} width={560}
    >
      <div data-testid="action-dialog">
        {['start', 'stop', 'reboot', 'terminate'].includes(action) && (
          <p>{t('instances.confirmBatch', { n: 1, action: titles[action] })} <strong>{row.InstanceId}</strong> {row.InstanceName}</p>
        )}
        {action === 'reboot' && <Alert theme="warning" message={t('instances.rebootNote')} />}
        {action === 'terminate' && <>
          <Alert theme="warning" message={t('instances.terminateBilling')} style={{ marginBottom: 8 }} />
          <Alert theme="error" message={t('instances.terminateData')} />
        </>}
        {action === 'rename' && <TextField label={t('instances.newName')} value={name} onChange={setName} error={fieldError.InstanceName} testId="rename" />}
        {action === 'tags' && <>
          <label htmlFor="tags-text">{t('instances.tagsHint')}</label>
          <textarea id="tags-text" className="tags-text" rows={5} value={tagText} onChange={(e) => setTagText(e.target.value)} data-testid="tags-text" style={{ width: '100%' }} />
        </>}
        {action === 'bindEip' && (addresses.some((a) => !a.InstanceId)
          ? <SelectField label={t('instances.eip')} value={addressId} onChange={setAddressId} testId="eip-select"
            options={addresses.filter((a) => !a.InstanceId).map((a) => ({ value: a.AddressId, label: `${a.AddressIp} (${a.AddressId})` }))} />
          : <Alert theme="info" message={t('instances.noFreeEip')} />)}
        {action === 'bandwidth' && (
          <div className="wizard-row">
            <label htmlFor="bw-range">{t('instances.targetBandwidth')}: <strong data-testid="bw-value">{bandwidth}</strong></label>
            <input id="bw-range" type="range" min={1} max={1000} value={bandwidth} onChange={(e) => setBandwidth(Number(e.target.value))} style={{ width: '100%' }} data-testid="bw-range" />
            <TextField label={t('instances.targetBandwidth')} value={String(bandwidth)} onChange={(v) => setBandwidth(Number(v) || 1)} testId="bw-input"
              error={fieldError.InternetMaxBandwidthOut} />
            <p className="muted">{mine?.AddressIp}</p>
          </div>
        )}
        {action === 'unbindEip' && <><p>{mine?.AddressIp}</p><Alert theme="warning" message={t('instances.unbindNote')} /></>}
        {action === 'reset' && <>
          <Alert theme="warning" message={t('instances.resetNote')} style={{ marginBottom: 8 }} />
          <SelectField label={t('instances.image')} value={image} onChange={setImage} error={fieldError.OperatingSystem}
            options={(flavor ? osChoices(flavor) : []).map((c) => ({ value: `${c.type}:${c.name}`, label: `${c.type} · ${c.name}` }))} />
          <SelectField label={t('instances.raid')} value={raid} onChange={setRaid} error={fieldError.RaidType}
            options={(flavor?.RaidType ?? [raid]).map((o) => ({ value: o, label: o }))} />
          {!flavor?.UserDefined && <CheckField label={t('instances.agent')} checked={agent} onChange={setAgent} />}
          {!flavor?.UserDefined && <TextField label={t('instances.newPassword')} type="password" value={password} onChange={setPassword}
            hint={t('wizard.passwordRules')} error={passwordField} testId="reset-password" />}
        </>}
        {error && <div role="alert" className="field-error" data-testid="action-error">{error}</div>}
      </div>
    </Dialog>
  );
}
