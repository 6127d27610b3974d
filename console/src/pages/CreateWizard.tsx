/**
 * 新建裸金属服务器, in the manual's three steps. Before each "next" and before Confirm the API
 * itself checks the launch (RunInstances with DryRun: every rule the service enforces) and its
 * message is shown at the field it names, in the page's language. Confirm sends a ClientToken
 * chosen once per wizard, so a double click or a retried request launches once. What was typed
 * (except the password) is kept in sessionStorage, so even a reload loses nothing.
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Steps } from 'tdesign-react';
import { ApiError, call, currentRegion, fieldOf, validate } from '../api.ts';
import { useApp } from '../context.tsx';
import { CheckField, SelectField, TextField } from '../ui.tsx';

interface Flavor {
  FlavorId: string; FlavorName: string; Placement: { Zone: string }; RaidType: string[]; OperatingSystem: { Linux?: string[]; Windows?: string[]; Other?: string[] };
  Cpu: string; Memory: string; Soldout: number; UserDefined: number;
}
interface Subnet { SubnetId: string; VpcId: string; Zone: string; CidrBlock: string; IsBmsSubnet: boolean; AvailableIpAddressCount: number }
interface Vpc { VpcId: string; VpcName: string; Ipv6CidrBlock: string }

interface Form {
  zone: string; flavorId: string; osType: string; os: string; agent: boolean; hostName: string; tags: Array<{ key: string; value: string }>;
  raid: string; vpcId: string; subnetId: string; ipv6: boolean; eip: boolean; bandwidth: number; isp: string; count: number;
  ipMode: 'auto' | 'manual'; ips: string; groupId: string; instanceName: string;
}

const STORE_KEY = 'bms-console-wizard';
const STEP_FIELDS: string[][] = [
  ['Placement', 'FlavorId', 'OperatingSystemType', 'OperatingSystem', 'HostName', 'Tags', 'EnhancedService'],
  ['RaidType', 'VirtualPrivateCloud', 'InternetAccessible', 'InstanceCount', 'GroupId', 'InstanceName', 'LoginSettings'],
];
/** Stands in for the password only while an earlier step is checked (step 2 checks the real one). */
const PLACEHOLDER_PASSWORD = 'Placeholder#2026';

const emptyForm: Form = {
  zone: '', flavorId: '', osType: 'Linux', os: '', agent: true, hostName: '', tags: [], raid: '', vpcId: '', subnetId: '', ipv6: false,
  eip: false, bandwidth: 10, isp: 'BGP', count: 1, ipMode: 'auto', ips: '', groupId: '', instanceName: '',
};

export function passwordChecks(p: string): Array<[string, boolean]> {
  const classes = [/[a-zA-Z]/.test(p), /[0-9]/.test(p), /[()`~!@#$%^&\-+=|{}[\]:;<>.,?/]/.test(p)].filter(Boolean).length;
  return [['8–16', p.length >= 8 && p.length <= 16], ['≥2', classes >= 2]];
}

export function CreateWizard() {
  const { t, navigate } = useApp();
  const [step, setStep] = useState(0);
  const [form, setForm] = useState<Form>(() => ({ ...emptyForm, ...JSON.parse(sessionStorage.getItem(STORE_KEY) ?? '{}') }));
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [zones, setZones] = useState<string[]>([]);
  const [flavors, setFlavors] = useState<Flavor[]>([]);
  const [vpcs, setVpcs] = useState<Vpc[]>([]);
  const [subnets, setSubnets] = useState<Subnet[]>([]);
  const [groups, setGroups] = useState<Array<{ DisasterRecoverGroupId: string; Name: string }>>([]);
  const [knownTags, setKnownTags] = useState<Array<{ TagKey: string; TagValue: string }>>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | undefined>();
  const [checking, setChecking] = useState(false);
  const [price, setPrice] = useState<string | undefined>();
  const [clientToken, setClientToken] = useState(() => crypto.randomUUID());
  const [created, setCreated] = useState<string[] | undefined>();

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  useEffect(() => sessionStorage.setItem(STORE_KEY, JSON.stringify(form)), [form]);

  useEffect(() => {
    void call<{ ZoneSet: Array<{ Zone: string }> }>('bms', 'DescribeZones').then((r) => setZones(r.ZoneSet.map((z) => z.Zone)));
    void call<{ FlavorSet: Flavor[] }>('bms', 'DescribeFlavors', { Limit: 100 }).then((r) => setFlavors(r.FlavorSet));
    void call<{ VpcSet: Vpc[] }>('vpc', 'DescribeVpcs', { Limit: '100' }).then((r) => setVpcs(r.VpcSet));
    void call<{ SubnetSet: Subnet[] }>('vpc', 'DescribeSubnets', { Limit: '100' }).then((r) => setSubnets(r.SubnetSet));
    // DescribeDisasterRecoverGroups answers its groups as GroupSet (and, as the reference does, GroupId).
    void call<{ GroupSet?: Array<{ DisasterRecoverGroupId: string; Name: string }> }>('bms', 'DescribeDisasterRecoverGroups', { Limit: 100 })
      .then((r) => setGroups(r.GroupSet ?? [])).catch(() => undefined);
    // The account's existing tags, offered as the manual says (a new key or value may still be typed).
    void call<{ Tags: Array<{ TagKey: string; TagValue: string }> }>('tag', 'DescribeTags', { Limit: 1000 }).then((r) => setKnownTags(r.Tags ?? [])).catch(() => undefined);
  }, []);

  // Defaults follow the choices: the first zone, then the zone's first flavor on sale, its first image and RAID, the zone's first BMS subnet.
  useEffect(() => { if (!form.zone && zones[0]) set('zone', zones[0]); }, [zones]);
  const zoneFlavors = useMemo(() => flavors.filter((f) => f.Placement?.Zone === form.zone), [flavors, form.zone]);
  const flavor = zoneFlavors.find((f) => f.FlavorId === form.flavorId);
  useEffect(() => {
    if (!zoneFlavors.length) return;
    if (!flavor) set('flavorId', (zoneFlavors.find((f) => !f.Soldout) ?? zoneFlavors[0]!).FlavorId);
  }, [zoneFlavors, flavor]);
  const osTypes = flavor ? (['Linux', 'Windows', 'Other'] as const).filter((k) => (flavor.OperatingSystem[k] ?? []).length > 0) : ['Linux'];
  const images = flavor?.OperatingSystem[form.osType as 'Linux'] ?? [];
  useEffect(() => {
    if (!flavor) return;
    setForm((f) => ({
      ...f,
      osType: osTypes.includes(f.osType as 'Linux') ? f.osType : (osTypes[0] ?? 'Linux'),
      os: (flavor.OperatingSystem[f.osType as 'Linux'] ?? []).includes(f.os) ? f.os : (flavor.OperatingSystem[f.osType as 'Linux']?.[0] ?? ''),
      raid: flavor.RaidType.includes(f.raid) ? f.raid : (flavor.RaidType[0] ?? ''),
    }));
  }, [flavor?.FlavorId, form.osType]);
  const zoneSubnets = subnets.filter((s) => s.Zone === form.zone && s.IsBmsSubnet !== false);
  const vpcChoices = vpcs.filter((v) => zoneSubnets.some((s) => s.VpcId === v.VpcId));
  useEffect(() => {
    if (!zoneSubnets.length) return;
    setForm((f) => {
      const vpcId = vpcChoices.some((v) => v.VpcId === f.vpcId) ? f.vpcId : (vpcChoices[0]?.VpcId ?? '');
      const mine = zoneSubnets.filter((s) => s.VpcId === vpcId);
      return { ...f, vpcId, subnetId: mine.some((s) => s.SubnetId === f.subnetId) ? f.subnetId : (mine[0]?.SubnetId ?? '') };
    });
  }, [subnets, vpcs, form.zone, form.vpcId]);
  const vpc = vpcs.find((v) => v.VpcId === form.vpcId);
  const userDefined = Boolean(flavor?.UserDefined);

  const params = (forStep: number): Record<string, unknown> => ({
    Placement: { Zone: form.zone }, FlavorId: form.flavorId, OperatingSystemType: form.osType, OperatingSystem: form.os, RaidType: form.raid,
    ...(form.hostName ? { HostName: form.hostName } : {}),
    ...(form.tags.length ? { Tags: form.tags.map((tag) => ({ TagKey: tag.key, TagValue: tag.value })) } : {}),
    ...(!userDefined ? { EnhancedService: { SecurityService: form.agent } } : {}),
    VirtualPrivateCloud: {
      VpcId: form.vpcId, SubnetId: form.subnetId, ...(form.ipv6 ? { Ipv6Address: true } : {}),
      ...(form.ipMode === 'manual' ? { PrivateIpAddresses: form.ips.split(/[,\s]+/).filter(Boolean) } : {}),
    },
    ...(form.eip ? { InternetAccessible: { PublicIpAssigned: true, InternetMaxBandwidthOut: form.bandwidth, InternetServiceProvider: form.isp } } : {}),
    InstanceCount: form.count,
    ...(form.groupId ? { GroupId: form.groupId } : {}),
    ...(form.instanceName ? { InstanceName: form.instanceName } : {}),
    LoginSettings: userDefined ? {} : { Password: forStep === 0 ? PLACEHOLDER_PASSWORD : password },
  });

  /** Asks the API whether the launch as filled so far passes; true when this step's fields do. */
  const check = async (forStep: number): Promise<boolean> => {
    setErrors({});
    setGeneral(undefined);
    if (forStep === 1 && !userDefined && password !== password2) {
      setErrors({ 'LoginSettings.Password2': t('wizard.passwordMismatch') });
      return false;
    }
    setChecking(true);
    try {
      const e = await validate('bms', 'RunInstances', params(forStep));
      if (!e) return true;
      const field = fieldOf(e);
      const top = field?.split('.')[0];
      const stepOfField = STEP_FIELDS.findIndex((fields) => top !== undefined && fields.includes(top));
      if (stepOfField > forStep) return true; // a later step's field: asked for there
      if (field) setErrors({ [field]: e.message });
      // A field this step does not show (an earlier step's, or the password a user-defined flavor
      // does not ask for): back to its step, or said above the buttons — never a silent refusal.
      if (field && stepOfField >= 0 && stepOfField < forStep) setStep(stepOfField);
      else if (!field || stepOfField < 0 || (userDefined && top === 'LoginSettings')) setGeneral(`${e.code}: ${e.message}`);
      return false;
    } catch (err) {
      setGeneral(err instanceof ApiError ? err.message : String(err));
      return false;
    } finally {
      setChecking(false);
    }
  };

  const next = async () => {
    if (!(await check(step))) return;
    if (step === 1 && flavor) {
      void call<{ UnitPrice: string; ChargeUnit: string; DiscountPrice: string }>('bms', 'InquiryPriceBmsInstanceForTrade', {
        Zone: form.zone, ProductCode: 'bms', SubProductCode: 'bms', BmsFlavor: flavor.FlavorName,
      }).then((r) => setPrice(`${r.UnitPrice} × ${form.count} ${t('wizard.perHour')}`), () => setPrice('-'));
    }
    setStep(step + 1);
  };

  const confirm = async () => {
    setChecking(true);
    setGeneral(undefined);
    try {
      const r = await call<{ BmsId: string[] }>('bms', 'RunInstances', { ...params(2), ClientToken: clientToken });
      setCreated(r.BmsId);
      setClientToken(crypto.randomUUID());
      sessionStorage.removeItem(STORE_KEY);
    } catch (e) {
      if (e instanceof ApiError && fieldOf(e)) {
        const field = fieldOf(e)!;
        setErrors({ [field]: e.message });
        const top = field.split('.')[0]!;
        setStep(Math.max(0, STEP_FIELDS.findIndex((fields) => fields.includes(top))));
      } else setGeneral(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    } finally {
      setChecking(false);
    }
  };

  const err = (field: string) => errors[field] ?? Object.entries(errors).find(([k]) => k.startsWith(`${field}.`) || k.startsWith(`${field}[`))?.[1];

  if (created) {
    return (
      <div className="panel" data-testid="created">
        <Alert theme="success" message={t('wizard.created', { ids: created.join(', ') })} />
        <p><Button onClick={() => navigate('/instances')} data-testid="back-to-list">{t('common.back')}</Button></p>
      </div>
    );
  }

  return (
    <div>
      <h2 className="page-title">{t('wizard.title')}</h2>
      <Steps current={step} readonly style={{ marginBottom: 16 }}>
        <Steps.StepItem title={t('wizard.step1')} />
        <Steps.StepItem title={t('wizard.step2')} />
        <Steps.StepItem title={t('wizard.step3')} />
      </Steps>
      <form className="panel" onSubmit={(e) => { e.preventDefault(); void (step < 2 ? next() : confirm()); }} aria-label={t('wizard.title')} data-testid="wizard">
        {step === 0 && <>
          <div className="wizard-row"><span className="label">{t('wizard.region')}</span>{currentRegion()}</div>
          <SelectField label={t('wizard.zone')} value={form.zone} onChange={(v) => set('zone', v)} error={err('Placement')} testId="zone"
            options={zones.map((z) => ({ value: z, label: z }))} />
          <fieldset className="wizard-row" style={{ border: 0, padding: 0 }}>
            <legend className="label" style={{ fontWeight: 600, marginBottom: 6 }}>{t('wizard.flavor')}</legend>
            {zoneFlavors.map((f) => (
              <div key={f.FlavorId}>
                <input type="radio" name="flavor" id={`flavor-${f.FlavorId}`} value={f.FlavorId} checked={form.flavorId === f.FlavorId}
                  disabled={Boolean(f.Soldout)} onChange={() => set('flavorId', f.FlavorId)} data-testid={`flavor-${f.FlavorId}`} />{' '}
                <label htmlFor={`flavor-${f.FlavorId}`}>
                  {f.FlavorName || f.FlavorId} — {f.Cpu} / {f.Memory} ({f.UserDefined ? t('wizard.userDefined') : t('wizard.standard')})
                  {f.Soldout ? ` — ${t('wizard.soldOut')}` : ''}
                </label>
              </div>
            ))}
            {err('FlavorId') && <div className="field-error" role="alert" data-testid="flavor-error">{err('FlavorId')}</div>}
          </fieldset>
          <SelectField label={t('wizard.osType')} value={form.osType} onChange={(v) => set('osType', v)} error={err('OperatingSystemType')} testId="os-type"
            options={osTypes.map((o) => ({ value: o, label: o }))} />
          <SelectField label={t('wizard.osVersion')} value={form.os} onChange={(v) => set('os', v)} error={err('OperatingSystem')} testId="os"
            options={images.map((o) => ({ value: o, label: o }))} />
          {!userDefined && <CheckField label={t('wizard.agent')} checked={form.agent} onChange={(v) => set('agent', v)} />}
          <TextField label={t('wizard.hostName')} value={form.hostName} onChange={(v) => set('hostName', v)} hint={t('wizard.hostNameHint')} error={err('HostName')} testId="hostname" />
          <fieldset className="wizard-row" style={{ border: 0, padding: 0 }}>
            <legend style={{ fontWeight: 600 }}>{t('wizard.tags')}</legend>
            {form.tags.map((tag, i) => (
              <div key={i} style={{ display: 'flex', gap: 8 }}>
                <TextField inline label={t('instances.tagKey')} value={tag.key} onChange={(v) => set('tags', form.tags.map((x, j) => (j === i ? { ...x, key: v } : x)))}
                  list="wizard-tag-keys" testId={`tag-key-${i}`} />
                <TextField inline label={t('instances.tagValue')} value={tag.value} onChange={(v) => set('tags', form.tags.map((x, j) => (j === i ? { ...x, value: v } : x)))}
                  list={`wizard-tag-values-${i}`} testId={`tag-value-${i}`} />
                <datalist id={`wizard-tag-values-${i}`}>
                  {[...new Set(knownTags.filter((k) => k.TagKey === tag.key).map((k) => k.TagValue))].map((v) => <option key={v} value={v} />)}
                </datalist>
                <Button variant="text" onClick={() => set('tags', form.tags.filter((_, j) => j !== i))}>{t('common.delete')}</Button>
              </div>
            ))}
            <datalist id="wizard-tag-keys" data-testid="known-tag-keys">{[...new Set(knownTags.map((k) => k.TagKey))].map((k) => <option key={k} value={k} />)}</datalist>
            <Button variant="dashed" onClick={() => set('tags', [...form.tags, { key: '', value: '' }])} data-testid="add-tag">{t('instances.addTag')}</Button>
            {err('Tags') && <div className="field-error" role="alert">{err('Tags')}</div>}
          </fieldset>
        </>}
        {step === 1 && <>
          <SelectField label={t('wizard.raid')} value={form.raid} onChange={(v) => set('raid', v)} error={err('RaidType')} testId="raid"
            options={(flavor?.RaidType ?? []).map((o) => ({ value: o, label: o }))} />
          <SelectField label={t('wizard.vpc')} value={form.vpcId} onChange={(v) => set('vpcId', v)} error={err('VirtualPrivateCloud.VpcId')} testId="vpc"
            options={vpcChoices.map((v) => ({ value: v.VpcId, label: `${v.VpcName} (${v.VpcId})` }))} />
          <SelectField label={t('wizard.subnet')} value={form.subnetId} onChange={(v) => set('subnetId', v)} error={err('VirtualPrivateCloud.SubnetId')} testId="subnet"
            options={zoneSubnets.filter((s) => s.VpcId === form.vpcId).map((s) => ({ value: s.SubnetId, label: `${s.SubnetId} ${s.CidrBlock} (${s.AvailableIpAddressCount})` }))} />
          <CheckField label={t('wizard.ipv6')} checked={form.ipv6} onChange={(v) => set('ipv6', v)} disabled={!vpc?.Ipv6CidrBlock}
            hint={vpc?.Ipv6CidrBlock ? undefined : t('wizard.ipv6None')} />
          <CheckField label={t('wizard.eip')} checked={form.eip} onChange={(v) => set('eip', v)} testId="eip" />
          {form.eip && <div className="wizard-row">
            <label htmlFor="wizard-bw">{t('wizard.bandwidth')}: <strong>{form.bandwidth}</strong></label>
            <input id="wizard-bw" type="range" min={1} max={1000} value={form.bandwidth} onChange={(e) => set('bandwidth', Number(e.target.value))} style={{ width: 320 }} />
            <SelectField label={t('wizard.isp')} value={form.isp} onChange={(v) => set('isp', v)} options={['BGP', 'CTCC', 'CUCC', 'CMCC'].map((o) => ({ value: o, label: o }))} />
            {err('InternetAccessible') && <div className="field-error" role="alert">{err('InternetAccessible')}</div>}
          </div>}
          <TextField label={t('wizard.count')} type="number" value={String(form.count)} onChange={(v) => set('count', Number(v) || 0)} error={err('InstanceCount')} testId="count" />
          <SelectField label={t('wizard.privateIp')} value={form.ipMode} onChange={(v) => set('ipMode', v as 'auto')} testId="ip-mode"
            options={[{ value: 'auto', label: t('wizard.ipAuto') }, { value: 'manual', label: t('wizard.ipManual') }]} />
          {form.ipMode === 'manual' && <TextField label={t('wizard.ipList')} value={form.ips} onChange={(v) => set('ips', v)}
            error={err('VirtualPrivateCloud.PrivateIpAddresses')} testId="ips" />}
          <SelectField label={t('wizard.group')} value={form.groupId} onChange={(v) => set('groupId', v)} error={err('GroupId')} testId="group"
            options={[{ value: '', label: t('wizard.noGroup') }, ...groups.map((g) => ({ value: g.DisasterRecoverGroupId, label: `${g.Name} (${g.DisasterRecoverGroupId})` }))]} />
          <TextField label={t('wizard.instanceName')} value={form.instanceName} onChange={(v) => set('instanceName', v)} error={err('InstanceName')} testId="instance-name" />
          {userDefined ? <p className="muted">{t('wizard.noPassword')}</p> : <>
            <TextField label={t('wizard.password')} type="password" value={password} onChange={setPassword} error={err('LoginSettings')} testId="password"
              hint={`${t('wizard.passwordRules')} ${passwordChecks(password).map(([rule, ok]) => `${ok ? '✓' : '✗'} ${rule}`).join('  ')}`} autoComplete="new-password" />
            <TextField label={t('wizard.passwordConfirm')} type="password" value={password2} onChange={setPassword2} error={errors['LoginSettings.Password2']} testId="password2" autoComplete="new-password" />
          </>}
        </>}
        {step === 2 && <>
          <h3 style={{ fontSize: 15 }}>{t('wizard.summary')}</h3>
          <dl className="kv" data-testid="summary">
            <dt>{t('wizard.zone')}</dt><dd>{form.zone}</dd>
            <dt>{t('wizard.flavor')}</dt><dd>{flavor?.FlavorName} ({form.flavorId})</dd>
            <dt>{t('wizard.osVersion')}</dt><dd>{form.os}</dd>
            <dt>{t('wizard.raid')}</dt><dd>{form.raid}</dd>
            <dt>{t('wizard.subnet')}</dt><dd>{form.vpcId} / {form.subnetId}</dd>
            <dt>{t('wizard.eip')}</dt><dd>{form.eip ? `${form.bandwidth} Mbps ${form.isp}` : '-'}</dd>
            <dt>{t('wizard.count')}</dt><dd>{form.count}</dd>
            <dt>{t('wizard.group')}</dt><dd>{groups.find((g) => g.DisasterRecoverGroupId === form.groupId)?.Name ?? '-'}</dd>
            <dt>{t('wizard.tags')}</dt><dd>{form.tags.map((tag) => `${tag.key}:${tag.value}`).join(', ') || '-'}</dd>
            <dt>{t('wizard.instanceName')}</dt><dd>{form.instanceName || '-'}</dd>
            <dt>{t('wizard.price')}</dt><dd data-testid="price">{price ?? t('common.loading')}</dd>
          </dl>
          <Alert theme="info" message={t('wizard.note')} style={{ marginTop: 12 }} />
        </>}
        {general && <div role="alert" className="field-error" data-testid="wizard-error">{general}</div>}
        {checking && <p className="muted" aria-live="polite">{t('wizard.checking')}</p>}
        <div className="toolbar" style={{ marginTop: 16 }}>
          {step > 0 && <Button variant="outline" onClick={() => setStep(step - 1)} data-testid="previous">{t('common.previous')}</Button>}
          {step < 2
            ? <Button type="submit" loading={checking} data-testid="next">{t('common.next')}</Button>
            : <Button type="submit" loading={checking} data-testid="confirm">{t('wizard.confirm')}</Button>}
          <Button variant="text" onClick={() => navigate('/instances')}>{t('common.cancel')}</Button>
        </div>
      </form>
    </div>
  );
}
