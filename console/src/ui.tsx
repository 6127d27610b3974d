/**
 * Form controls with real labels: a native <input>/<select> wearing TDesign's classes, so the
 * label is associated (screen readers, axe) and keyboard use is the browser's own.
 */
import { useId, type ReactNode } from 'react';

interface Base {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  testId?: string;
}

export function TextField(p: Base & { value: string; onChange: (v: string) => void; type?: string; name?: string; autoComplete?: string; onEnter?: () => void; inline?: boolean; list?: string }) {
  const id = useId();
  const errId = `${id}-err`;
  return (
    <div className={p.inline ? '' : 'wizard-row'} style={p.inline ? { display: 'inline-block' } : undefined}>
      <label htmlFor={id} className={p.inline ? 'sr-inline' : undefined}>{p.label}</label>
      <div className={`t-input__wrap`}>
        <div className={`t-input${p.error ? ' t-is-error' : ''}`}>
          <input
            id={id} className="t-input__inner" type={p.type ?? 'text'} name={p.name} value={p.value} autoComplete={p.autoComplete} list={p.list}
            aria-invalid={p.error ? true : undefined} aria-describedby={p.error ? errId : undefined} data-testid={p.testId}
            onChange={(e) => p.onChange(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Enter' && p.onEnter) { e.preventDefault(); p.onEnter(); } }}
          />
        </div>
      </div>
      {p.hint && <div className="muted" style={{ fontSize: 12, marginTop: 4 }}>{p.hint}</div>}
      {p.error && <div id={errId} className="field-error" role="alert" data-testid={p.testId ? `${p.testId}-error` : undefined}>{p.error}</div>}
    </div>
  );
}

export function SelectField(p: Base & { value: string; onChange: (v: string) => void; options: Array<{ value: string; label: string; disabled?: boolean }>; inline?: boolean }) {
  const id = useId();
  const errId = `${id}-err`;
  return (
    <div className={p.inline ? '' : 'wizard-row'} style={p.inline ? { display: 'inline-flex', gap: 4, alignItems: 'center' } : undefined}>
      <label htmlFor={id}>{p.label}</label>
      <select
        id={id} className="native-select" value={p.value} onChange={(e) => p.onChange(e.target.value)} data-testid={p.testId}
        aria-invalid={p.error ? true : undefined} aria-describedby={p.error ? errId : undefined}
      >
        {p.options.map((o) => <option key={o.value} value={o.value} disabled={o.disabled}>{o.label}</option>)}
      </select>
      {p.hint && <div className="muted" style={{ fontSize: 12, marginTop: 4 }}>{p.hint}</div>}
      {p.error && <div id={errId} className="field-error" role="alert" data-testid={p.testId ? `${p.testId}-error` : undefined}>{p.error}</div>}
    </div>
  );
}

export function CheckField(p: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean; testId?: string; hint?: string | undefined }) {
  const id = useId();
  return (
    <div className="wizard-row">
      <input id={id} type="checkbox" checked={p.checked} disabled={p.disabled} onChange={(e) => p.onChange(e.target.checked)} data-testid={p.testId} />{' '}
      <label htmlFor={id} style={{ display: 'inline', fontWeight: 400 }}>{p.label}</label>
      {p.hint && <div className="muted" style={{ fontSize: 12 }}>{p.hint}</div>}
    </div>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="panel" aria-label={title}>
      <h2 style={{ fontSize: 15, margin: '0 0 12px' }}>{title}</h2>
      {children}
    </section>
  );
}
