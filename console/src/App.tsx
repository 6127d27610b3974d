import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, ConfigProvider, Loading, Menu } from 'tdesign-react';
import enConfig from 'tdesign-react/es/locale/en_US';
import zhConfig from 'tdesign-react/es/locale/zh_CN';
import { configureSession, logout, onSessionExpired, savePreferences, whoAmI, type Me } from './api.ts';
import { Ctx, type AppContext } from './context.tsx';
import { translate, type Lang, type MessageKey } from './i18n.ts';
import { Inspector } from './Inspector.tsx';
import { startLive, stopLive, useConnectionDown } from './live.ts';
import { Login } from './pages/Login.tsx';
import { Instances } from './pages/Instances.tsx';
import { CreateWizard } from './pages/CreateWizard.tsx';
import { InstanceDetail } from './pages/InstanceDetail.tsx';
import { OtherPage, OTHER_PAGES } from './pages/Other.tsx';
import { Billing } from './pages/Billing.tsx';
import { Users } from './pages/Users.tsx';

const BASE = '/console';
const LANG_KEY = 'bms-console-language';

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  return saved === 'en-US' ? 'en-US' : 'zh-CN';
}

function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return p === '' || p === '/' ? '/instances' : p;
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [me, setMe] = useState<Me | undefined>();
  const [checked, setChecked] = useState(false);
  const [path, setPath] = useState(currentPath);
  const [inspector, setInspector] = useState(false);
  const [expired, setExpired] = useState<string | undefined>();
  const down = useConnectionDown();

  const navigate = useCallback((to: string) => {
    history.pushState(null, '', `${BASE}${to}`);
    setPath(to);
  }, []);
  useEffect(() => {
    const onPop = () => setPath(currentPath());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const signedIn = useCallback((m: Me) => {
    configureSession({ csrf: m.CsrfToken, region: m.Region });
    if (m.Language && m.Language !== lang && !localStorage.getItem(LANG_KEY)) setLang(m.Language);
    setMe(m);
    setExpired(undefined);
    startLive();
  }, [lang]);

  useEffect(() => {
    configureSession({ language: lang });
    document.documentElement.lang = lang;
    document.title = translate(lang, 'app.title');
  }, [lang]);

  useEffect(() => {
    whoAmI().then(signedIn, () => undefined).finally(() => setChecked(true));
    onSessionExpired((message) => {
      stopLive();
      setMe(undefined);
      setExpired(message);
    });
  }, []);

  const changeLang = (value: Lang) => {
    setLang(value);
    localStorage.setItem(LANG_KEY, value);
    if (me) void savePreferences(value).catch(() => undefined);
  };

  const ctx: AppContext = useMemo(() => ({
    lang, me, navigate, t: (key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars),
  }), [lang, me, navigate]);
  const t = ctx.t;

  let page;
  if (!checked) page = <Loading text={t('common.loading')} />;
  else if (!me) page = <Login onSignedIn={signedIn} notice={expired} />;
  else if (path === '/instances/create') page = <CreateWizard />;
  else if (path.startsWith('/instances/')) page = <InstanceDetail key={path} id={decodeURIComponent(path.slice('/instances/'.length))} />;
  else if (path === '/billing') page = <Billing />;
  else if (path === '/users') page = <Users />;
  else if (OTHER_PAGES.some((p) => p.path === path)) page = <OtherPage key={path} path={path} />;
  else page = <Instances />;

  const nav: Array<[string, MessageKey]> = [['/instances', 'nav.instances'], ...OTHER_PAGES.map((p) => [p.path, p.title] as [string, MessageKey]), ['/users', 'nav.users'], ['/billing', 'nav.billing']];
  const active = nav.find(([p]) => path.startsWith(p))?.[0] ?? '/instances';

  return (
    <ConfigProvider globalConfig={lang === 'zh-CN' ? zhConfig : enConfig}>
      <Ctx.Provider value={ctx}>
        <a className="skip-link" href="#main">{t('app.skip')}</a>
        <header className="app-header">
          <h1>{t('app.title')}</h1>
          <div className="right">
            <label htmlFor="lang-switch" style={{ position: 'absolute', left: -9999 }}>{t('header.language')}</label>
            <select id="lang-switch" className="native-select" style={{ minWidth: 110 }} value={lang} onChange={(e) => changeLang(e.target.value as Lang)} data-testid="lang">
              <option value="zh-CN" lang="zh-CN">简体中文</option>
              <option value="en-US" lang="en">English</option>
            </select>
            <a className="header-link" href={`/docs/?lang=${lang}`} target="_blank" rel="noopener" data-testid="docs-link">{t('header.docs')}</a>
            {me && <>
              <span>{t('header.user')}: {me.User.UserName} ({me.User.AccountUin})</span>
              <Button variant="outline" theme="default" onClick={() => setInspector(true)}>{t('header.inspector')}</Button>
              <Button variant="outline" theme="default" onClick={() => void logout().finally(() => { stopLive(); setMe(undefined); })}>{t('header.logout')}</Button>
            </>}
          </div>
        </header>
        {me && down && <div className="live-banner" role="status" aria-live="polite"><Alert theme="warning" message={t('live.reconnecting')} /></div>}
        <div className="app-body">
          {me && (
            <nav className="app-nav" aria-label={t('nav.label')}>
              <Menu value={active} onChange={(v) => navigate(String(v))} width="220px">
                {nav.map(([p, key]) => <Menu.MenuItem key={p} value={p}>{t(key)}</Menu.MenuItem>)}
              </Menu>
            </nav>
          )}
          <main id="main" className="app-main" tabIndex={-1}>{page}</main>
        </div>
        {me && <Inspector visible={inspector} onClose={() => setInspector(false)} />}
      </Ctx.Provider>
    </ConfigProvider>
  );
}
