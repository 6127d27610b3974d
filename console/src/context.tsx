import { createContext, useContext } from 'react';
import { translate, type Lang, type MessageKey } from './i18n.ts';
import type { Me } from './api.ts';

export interface AppContext {
  lang: Lang;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  me: Me | undefined;
  navigate: (path: string) => void;
}

export const Ctx = createContext<AppContext>({ lang: 'zh-CN', t: (k, v) => translate('zh-CN', k, v), me: undefined, navigate: () => undefined });
export const useApp = () => useContext(Ctx);
