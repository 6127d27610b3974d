import { useState } from 'react';
import { Alert, Button } from 'tdesign-react';
import { TextField } from '../ui.tsx';
import { ApiError, login, type Me } from '../api.ts';
import { useApp } from '../context.tsx';

export function Login({ onSignedIn, notice }: { onSignedIn: (me: Me) => void; notice?: string | undefined }) {
  const { t } = useApp();
  const [account, setAccount] = useState('');
  const [user, setUser] = useState('root');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await login(account, user, password));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login-box">
      <h2 className="page-title">{t('login.title')}</h2>
      {notice && <Alert theme="warning" message={notice} style={{ marginBottom: 12 }} />}
      <form onSubmit={submit} aria-label={t('login.title')}>
        <TextField label={t('login.account')} name="account" value={account} onChange={setAccount} autoComplete="username" testId="login-account" />
        <TextField label={t('login.user')} name="user" value={user} onChange={setUser} testId="login-user" />
        <TextField label={t('login.password')} name="password" type="password" value={password} onChange={setPassword} autoComplete="current-password" testId="login-password" />
        {error && <div role="alert" className="field-error" data-testid="login-error">{error}</div>}
        <Button type="submit" loading={busy} block>{t('login.submit')}</Button>
      </form>
    </div>
  );
}
