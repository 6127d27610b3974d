/**
 * 用户与策略 (root users only): the account's sub-users (cam ListUsers / AddUser / DeleteUser),
 * for the chosen one its API keys (ListAccessKeys / CreateAccessKey — the secret shown once, as
 * the API gives it once — / UpdateAccessKey to disable or enable / DeleteAccessKey) and its
 * policies (ListAttachedUserPolicies, AttachUserPolicy, DetachUserPolicy); and the account's
 * policies (ListPolicies, CreatePolicy with a JSON document, DeletePolicy). Every refusal is the
 * API's own message, shown where the action was asked for.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Dialog, MessagePlugin } from 'tdesign-react';
import { ApiError, call } from '../api.ts';
import { useApp } from '../context.tsx';
import { formatTime } from '../format.ts';
import { CheckField, SelectField, TextField } from '../ui.tsx';

interface User { Uin: number; Name: string; Remark?: string; ConsoleLogin: number; CreateTime?: string }
interface Key { AccessKeyId: string; Status: string; CreateTime: string }
interface Policy { PolicyId: number; PolicyName: string; Description?: string; AddTime?: string; Attachments?: number }
interface Attached { PolicyId: number; PolicyName: string; AddTime?: string }

const message = (e: unknown) => (e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
const EXAMPLE_POLICY = JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['bms:Describe*'], resource: '*' }] }, null, 2);

type Pending = { title: string; body?: string; run: () => Promise<unknown> };

export function Users() {
  const { t, me, lang } = useApp();
  const [users, setUsers] = useState<User[]>([]);
  const [policies, setPolicies] = useState<Policy[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [chosen, setChosen] = useState<User | undefined>();
  const [keys, setKeys] = useState<Key[]>([]);
  const [attached, setAttached] = useState<Attached[]>([]);
  const [secret, setSecret] = useState<{ id: string; key: string } | undefined>();
  const [attachId, setAttachId] = useState('');
  const [sectionError, setSectionError] = useState<string | undefined>();
  const [confirm, setConfirm] = useState<Pending | undefined>();
  const [confirmError, setConfirmError] = useState<string | undefined>();
  const [newUser, setNewUser] = useState<{ Name: string; Password: string; ConsoleLogin: boolean } | undefined>();
  const [newPolicy, setNewPolicy] = useState<{ PolicyName: string; Description: string; PolicyDocument: string } | undefined>();
  const [formError, setFormError] = useState<string | undefined>();
  const [generated, setGenerated] = useState<{ name: string; password: string } | undefined>();

  const load = useCallback(() => {
    Promise.all([
      call<{ Data: User[] }>('cam', 'ListUsers'),
      call<{ List: Policy[] }>('cam', 'ListPolicies', { Rp: 200 }),
    ]).then(([u, p]) => { setUsers(u.Data ?? []); setPolicies(p.List ?? []); setError(undefined); }, (e) => setError(message(e)));
  }, []);
  const loadUser = useCallback((u: User) => {
    Promise.all([
      call<{ AccessKeys: Key[] }>('cam', 'ListAccessKeys', { TargetUin: u.Uin }),
      call<{ List: Attached[] }>('cam', 'ListAttachedUserPolicies', { TargetUin: u.Uin, Rp: 200 }),
    ]).then(([k, a]) => { setKeys(k.AccessKeys ?? []); setAttached(a.List ?? []); setSectionError(undefined); }, (e) => setSectionError(message(e)));
  }, []);
  useEffect(() => { if (me?.User.IsRoot) load(); }, [load, me]);
  useEffect(() => { if (chosen) loadUser(chosen); }, [chosen, loadUser]);
  useEffect(() => setAttachId((id) => (id && policies.some((p) => String(p.PolicyId) === id) ? id : String(policies[0]?.PolicyId ?? ''))), [policies]);

  if (!me?.User.IsRoot) return <Alert theme="info" message={t('users.rootOnly')} />;

  const choose = (u: User) => { setSecret(undefined); setSectionError(undefined); setChosen(u); };
  const runConfirm = async () => {
    try {
      await confirm!.run();
      setConfirm(undefined);
      void MessagePlugin.success(t('common.done'));
      load();
      if (chosen) loadUser(chosen);
    } catch (e) {
      setConfirmError(message(e));
    }
  };
  const ask = (p: Pending) => { setConfirmError(undefined); setConfirm(p); };
  const inSection = async (f: () => Promise<unknown>) => {
    setSectionError(undefined);
    try {
      await f();
      void MessagePlugin.success(t('common.done'));
      load();
      if (chosen) loadUser(chosen);
    } catch (e) {
      setSectionError(message(e));
    }
  };
  const createKey = () => inSection(async () => {
    const r = await call<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>('cam', 'CreateAccessKey', { TargetUin: chosen!.Uin });
    setSecret({ id: r.AccessKey.AccessKeyId, key: r.AccessKey.SecretAccessKey });
  });
  const addUser = async () => {
    setFormError(undefined);
    try {
      const u = newUser!;
      const r = await call<{ Password?: string }>('cam', 'AddUser', { Name: u.Name, ConsoleLogin: u.ConsoleLogin ? 1 : 0, ...(u.ConsoleLogin && u.Password ? { Password: u.Password } : {}), UseApi: 0 });
      setNewUser(undefined);
      // A password the API generated is answered once: shown once, as the new key's secret is.
      setGenerated(u.ConsoleLogin && !u.Password && r.Password ? { name: u.Name, password: r.Password } : undefined);
      void MessagePlugin.success(t('common.done'));
      load();
    } catch (e) {
      setFormError(message(e));
    }
  };
  const addPolicy = async () => {
    setFormError(undefined);
    try {
      const p = newPolicy!;
      await call('cam', 'CreatePolicy', { PolicyName: p.PolicyName, PolicyDocument: p.PolicyDocument, ...(p.Description ? { Description: p.Description } : {}) });
      setNewPolicy(undefined);
      void MessagePlugin.success(t('common.done'));
      load();
    } catch (e) {
      setFormError(message(e));
    }
  };

  return (
    <div data-testid="users-page">
      <h2 className="page-title">{t('nav.users')}</h2>
      {error && <Alert theme="error" message={error} />}
      <section className="panel" aria-labelledby="users-h">
        <h3 id="users-h" className="panel-title">{t('users.subUsers')}</h3>
        <div className="toolbar">
          <Button onClick={() => { setFormError(undefined); setNewUser({ Name: '', Password: '', ConsoleLogin: true }); }} data-testid="user-create">{t('users.create')}</Button>
          <Button variant="text" onClick={load}>{t('common.refresh')}</Button>
        </div>
        {generated && (
          <div data-testid="generated-password"><Alert theme="warning" message={<>
            {t('users.generatedOnce', { name: generated.name })} <code data-testid="generated-password-value">{generated.password}</code>
          </>} /></div>
        )}
        <table className="bms-table" data-testid="users-table">
          <thead><tr>
            <th scope="col">{t('users.name')}</th><th scope="col">{t('users.uin')}</th><th scope="col">{t('users.console')}</th>
            <th scope="col">{t('common.createdTime')}</th><th scope="col">{t('common.actions')}</th>
          </tr></thead>
          <tbody>
            {users.length === 0 && <tr><td colSpan={5} className="muted">{t('common.empty')}</td></tr>}
            {users.map((u) => (
              <tr key={u.Uin} data-testid="user-row" data-name={u.Name} aria-selected={chosen?.Uin === u.Uin}>
                <td>{u.Name}</td><td>{u.Uin}</td><td>{t(u.ConsoleLogin ? 'users.yes' : 'users.no')}</td><td>{formatTime(u.CreateTime, lang)}</td>
                <td>
                  <button type="button" className="link-button" onClick={() => choose(u)} data-testid="user-manage">{t('users.manage')}<span className="sr-only"> {u.Name}</span></button>
                  <button type="button" className="link-button" data-testid="user-delete"
                    onClick={() => ask({ title: `${t('common.delete')} ${u.Name}`, run: async () => { await call('cam', 'DeleteUser', { Name: u.Name }); if (chosen?.Uin === u.Uin) setChosen(undefined); } })}>
                    {t('common.delete')}<span className="sr-only"> {u.Name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {chosen && (
        <section className="panel" aria-labelledby="user-detail-h" data-testid="user-detail">
          <h3 id="user-detail-h" className="panel-title">{t('users.of', { name: chosen.Name })}</h3>
          {sectionError && <div role="alert" className="field-error" data-testid="user-error">{sectionError}</div>}
          <h4 className="panel-subtitle">{t('users.keys')}</h4>
          <div className="toolbar"><Button variant="outline" onClick={() => void createKey()} data-testid="key-create">{t('users.createKey')}</Button></div>
          {secret && (
            <div data-testid="new-secret"><Alert theme="warning" message={<>
              {t('users.secretOnce')} <code data-testid="new-secret-id">{secret.id}</code> / <code data-testid="new-secret-key">{secret.key}</code>
            </>} /></div>
          )}
          <table className="bms-table" data-testid="keys-table">
            <thead><tr><th scope="col">SecretId</th><th scope="col">{t('common.status')}</th><th scope="col">{t('common.createdTime')}</th><th scope="col">{t('common.actions')}</th></tr></thead>
            <tbody>
              {keys.length === 0 && <tr><td colSpan={4} className="muted">{t('common.empty')}</td></tr>}
              {keys.map((k) => (
                <tr key={k.AccessKeyId} data-testid="key-row" data-id={k.AccessKeyId}>
                  <td>{k.AccessKeyId}</td><td data-testid="key-status">{t(k.Status === 'Active' ? 'users.active' : 'users.inactive')}</td><td>{formatTime(k.CreateTime, lang)}</td>
                  <td>
                    <button type="button" className="link-button" data-testid="key-toggle"
                      onClick={() => void inSection(() => call('cam', 'UpdateAccessKey', { TargetUin: chosen.Uin, AccessKeyId: k.AccessKeyId, Status: k.Status === 'Active' ? 'Inactive' : 'Active' }))}>
                      {t(k.Status === 'Active' ? 'users.disable' : 'users.enable')}<span className="sr-only"> {k.AccessKeyId}</span>
                    </button>
                    <button type="button" className="link-button" data-testid="key-delete"
                      onClick={() => ask({ title: `${t('common.delete')} ${k.AccessKeyId}`, body: t('users.deleteKeyNote'), run: () => call('cam', 'DeleteAccessKey', { TargetUin: chosen.Uin, AccessKeyId: k.AccessKeyId }) })}>
                      {t('common.delete')}<span className="sr-only"> {k.AccessKeyId}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4 className="panel-subtitle">{t('users.policies')}</h4>
          <div className="toolbar">
            <SelectField inline label={t('users.policy')} value={attachId} onChange={setAttachId} testId="attach-policy"
              options={policies.map((p) => ({ value: String(p.PolicyId), label: `${p.PolicyName} (${p.PolicyId})` }))} />
            <Button variant="outline" disabled={!attachId} data-testid="attach"
              onClick={() => void inSection(() => call('cam', 'AttachUserPolicy', { PolicyId: Number(attachId), AttachUin: chosen.Uin }))}>{t('users.attach')}</Button>
          </div>
          <table className="bms-table" data-testid="attached-table">
            <thead><tr><th scope="col">{t('users.policy')}</th><th scope="col">ID</th><th scope="col">{t('users.attachedAt')}</th><th scope="col">{t('common.actions')}</th></tr></thead>
            <tbody>
              {attached.length === 0 && <tr><td colSpan={4} className="muted">{t('common.empty')}</td></tr>}
              {attached.map((a) => (
                <tr key={a.PolicyId} data-testid="attached-row" data-id={a.PolicyId}>
                  <td>{a.PolicyName}</td><td>{a.PolicyId}</td><td>{formatTime(a.AddTime, lang)}</td>
                  <td><button type="button" className="link-button" data-testid="detach"
                    onClick={() => void inSection(() => call('cam', 'DetachUserPolicy', { PolicyId: a.PolicyId, DetachUin: chosen.Uin }))}>
                    {t('users.detach')}<span className="sr-only"> {a.PolicyName}</span>
                  </button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section className="panel" aria-labelledby="policies-h">
        <h3 id="policies-h" className="panel-title">{t('users.policies')}</h3>
        <div className="toolbar">
          <Button onClick={() => { setFormError(undefined); setNewPolicy({ PolicyName: '', Description: '', PolicyDocument: EXAMPLE_POLICY }); }} data-testid="policy-create">{t('users.createPolicy')}</Button>
        </div>
        <table className="bms-table" data-testid="policies-table">
          <thead><tr>
            <th scope="col">{t('users.policy')}</th><th scope="col">ID</th><th scope="col">{t('users.description')}</th>
            <th scope="col">{t('users.attachments')}</th><th scope="col">{t('common.actions')}</th>
          </tr></thead>
          <tbody>
            {policies.length === 0 && <tr><td colSpan={5} className="muted">{t('common.empty')}</td></tr>}
            {policies.map((p) => (
              <tr key={p.PolicyId} data-testid="policy-row" data-name={p.PolicyName}>
                <td>{p.PolicyName}</td><td>{p.PolicyId}</td><td>{p.Description ?? ''}</td><td>{p.Attachments ?? 0}</td>
                <td><button type="button" className="link-button" data-testid="policy-delete"
                  onClick={() => ask({ title: `${t('common.delete')} ${p.PolicyName}`, run: () => call('cam', 'DeletePolicy', { PolicyId: [p.PolicyId] }) })}>
                  {t('common.delete')}<span className="sr-only"> {p.PolicyName}</span>
                </button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <Dialog visible={confirm !== undefined} header={confirm?.title} onClose={() => setConfirm(undefined)} onCancel={() => setConfirm(undefined)}
        onConfirm={() => void runConfirm()} confirmBtn={t('common.confirm')} cancelBtn={t('common.cancel')}>
        <div data-testid="users-confirm">
          <p>{confirm?.body ?? `${confirm?.title ?? ''}?`}</p>
          {confirmError && <div role="alert" className="field-error" data-testid="users-confirm-error">{confirmError}</div>}
        </div>
      </Dialog>
      <Dialog visible={newUser !== undefined} header={t('users.create')} onClose={() => setNewUser(undefined)} onCancel={() => setNewUser(undefined)}
        onConfirm={() => void addUser()} confirmBtn={t('common.confirm')} cancelBtn={t('common.cancel')}>
        {newUser && <div data-testid="user-form">
          <TextField label={t('users.name')} value={newUser.Name} onChange={(v) => setNewUser({ ...newUser, Name: v })} testId="user-name" />
          <CheckField label={t('users.consoleLogin')} checked={newUser.ConsoleLogin} onChange={(v) => setNewUser({ ...newUser, ConsoleLogin: v })} />
          {newUser.ConsoleLogin && <TextField label={t('users.password')} type="password" autoComplete="new-password" value={newUser.Password} onChange={(v) => setNewUser({ ...newUser, Password: v })} hint={t('users.passwordHint')} testId="user-password" />}
          {formError && <div role="alert" className="field-error" data-testid="form-error">{formError}</div>}
        </div>}
      </Dialog>
      <Dialog visible={newPolicy !== undefined} header={t('users.createPolicy')} width={640} onClose={() => setNewPolicy(undefined)} onCancel={() => setNewPolicy(undefined)}
        onConfirm={() => void addPolicy()} confirmBtn={t('common.confirm')} cancelBtn={t('common.cancel')}>
        {newPolicy && <div data-testid="policy-form">
          <TextField label={t('users.policy')} value={newPolicy.PolicyName} onChange={(v) => setNewPolicy({ ...newPolicy, PolicyName: v })} testId="policy-name" />
          <TextField label={t('users.description')} value={newPolicy.Description} onChange={(v) => setNewPolicy({ ...newPolicy, Description: v })} />
          <div className="wizard-row">
            <label htmlFor="policy-doc">{t('users.document')}</label>
            <textarea id="policy-doc" className="t-textarea__inner" rows={8} style={{ width: '100%', fontFamily: 'monospace' }} value={newPolicy.PolicyDocument}
              onChange={(e) => setNewPolicy({ ...newPolicy, PolicyDocument: e.target.value })} data-testid="policy-doc" />
          </div>
          {formError && <div role="alert" className="field-error" data-testid="form-error">{formError}</div>}
        </div>}
      </Dialog>
    </div>
  );
}
