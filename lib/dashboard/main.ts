// The dashboard's entry point: the header (views, window, filters), then the view the URL names. Every change of
// state is a pushState and a render; back and forward re-render from the URL.
import { ApiError, bearerToken, callLog } from './api';
import { disposeCharts, drawn } from './charts';
import { errorBox, h } from './dom';
import { renderJob, renderJobs } from './jobs';
import { renderOverview, type Nav } from './overview';
import { PRESETS, readState, StateError, stateUrl, VIEWS, windowOf, type State, type View } from './state';
import { renderTargets } from './targets';

const app = document.getElementById('app')!;
let renderId = 0;
let authNote: HTMLElement | undefined;

const nav: Nav = {
  go(next: State) {
    history.pushState(null, '', stateUrl(next, location.pathname));
    void render();
  },
  reportAuth(error: unknown) {
    if (!(error instanceof ApiError) || !authNote || authNote.childElementCount) return;
    if (error.needsToken) authNote.appendChild(tokenForm('The API asks for a bearer token (JWT authorizer). Paste one to load the figures; it stays in this tab only.'));
    else if (error.needsSigning) {
      authNote.appendChild(
        errorBox(
          `${error.message}: this API needs SigV4-signed requests (IAM authorizer).`,
          'Run `npm run dashboard -- --api <this API URL>` and open the page it prints: it signs the calls with your AWS credentials.',
        ),
      );
    }
  },
};

function tokenForm(text: string): HTMLElement {
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', required: true });
  const form = h('form', { class: 'token', 'aria-label': 'Token for the API' }, h('p', {}, text), h('label', { for: 'token' }, 'Bearer token '), input, h('button', { type: 'submit' }, 'Use token'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    bearerToken.set(input.value.trim().replace(/^Bearer\s+/i, ''));
    void render();
  });
  return form;
}

function header(state: State): HTMLElement {
  const view = (state.view ?? 'overview') as View;
  const link = (v: View, label: string) => {
    const next: State = { ...state, view: v, cursor: undefined };
    return h('a', { href: stateUrl(next, location.pathname), 'aria-current': view === v || (v === 'jobs' && view === 'job') ? 'page' : undefined, onclick: (e: Event) => (e.preventDefault(), nav.go(next)) }, label);
  };
  const range = state.range ?? (state.from || state.to ? 'custom' : '7d');
  const presets = h(
    'div',
    { class: 'presets', role: 'group', 'aria-label': 'Window' },
    ...Object.keys(PRESETS).map((p) =>
      h('button', { type: 'button', 'aria-pressed': String(range === p), onclick: () => nav.go({ ...state, range: p, from: undefined, to: undefined }) }, p.replace('h', ' h').replace('d', ' d')),
    ),
  );
  const from = h('input', { id: 'w-from', type: 'text', value: range === 'custom' ? (state.from ?? '') : '', placeholder: '2025-11-01T00:00Z', size: 18 });
  const to = h('input', { id: 'w-to', type: 'text', value: range === 'custom' ? (state.to ?? '') : '', placeholder: '2025-11-08T00:00Z', size: 18 });
  const custom = h('form', { class: 'custom', 'aria-label': 'Custom window' }, h('label', { for: 'w-from' }, 'From '), from, h('label', { for: 'w-to' }, ' to (excl.) '), to, h('button', { type: 'submit' }, 'Apply'));
  custom.addEventListener('submit', (e) => {
    e.preventDefault();
    nav.go({ ...state, range: 'custom', from: from.value.trim(), to: to.value.trim(), cursor: undefined });
  });
  const select = (id: string, label: string, key: 'source' | 'level', options: [string, string][]) => {
    const current = state[key] ?? '';
    const el = h('select', { id }, ...options.map(([v, t]) => h('option', { value: v, selected: v === current }, t)));
    // A value the page does not know stays selected, so the API's message about it makes sense.
    if (!options.some(([v]) => v === current)) el.appendChild(h('option', { value: current, selected: true }, `${current} (unknown)`));
    el.addEventListener('change', () => nav.go({ ...state, [key]: el.value || undefined, cursor: undefined }));
    return [h('label', { for: id }, label), el];
  };
  const type = h('input', { id: 'f-type', type: 'text', value: state.type ?? '', placeholder: 'any', size: 14 });
  const typeForm = h('form', { class: 'typefilter', 'aria-label': 'Type filter' }, h('label', { for: 'f-type' }, 'Type '), type, h('button', { type: 'submit' }, 'Filter'));
  typeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    nav.go({ ...state, type: type.value.trim() || undefined });
  });
  const clear = state.type || state.source || state.level ? h('button', { type: 'button', onclick: () => nav.go({ ...state, type: undefined, source: undefined, level: undefined }) }, 'Clear filters') : null;
  const forget = bearerToken.get() ? h('button', { type: 'button', onclick: () => (bearerToken.clear(), void render()) }, 'Forget token') : null;
  authNote = h('div', { class: 'auth' });
  const sources: [string, string][] = [['', 'all'], ['federation', 'federation'], ['policy', 'policy']];
  return h(
    'header',
    {},
    h('div', { class: 'top' }, h('h1', {}, 'UCS job history'), h('nav', { 'aria-label': 'Views' }, link('overview', 'Overview'), link('jobs', 'Jobs'), link('targets', 'Watch list')), forget),
    // The window, level and type shape the overview's figures; the jobs explorer has filters of its own.
    view === 'overview'
      ? h('div', { class: 'controls' }, presets, custom, ...select('f-source', 'Source ', 'source', sources), ...select('f-level', 'Level ', 'level', [['', 'job'], ['step', 'step']]), typeForm, clear)
      : h('div', { class: 'controls' }, ...select('f-source', 'Source ', 'source', sources)),
    authNote,
  );
}

async function render(): Promise<void> {
  const id = ++renderId;
  const state = readState(location.search);
  document.body.dataset.state = 'loading';
  // The calls of this view only (the bench and the tests count them).
  callLog.length = 0;
  disposeCharts();
  const main = h('main', {});
  app.replaceChildren(header(state), main);
  app.removeAttribute('aria-busy');
  const view = (state.view ?? 'overview') as View;
  try {
    if (!VIEWS.includes(view)) throw new StateError(`view must be one of ${VIEWS.join(', ')}, not "${view}"`);
    if (view === 'overview') {
      const win = windowOf(state);
      main.appendChild(h('p', { class: 'window', 'data-from': win.from, 'data-to': win.to }, `Window [${win.from}, ${win.to}), ${state.level === 'step' ? 'steps' : 'jobs'} per ${win.interval}${state.source ? `, source ${state.source}` : ''}${state.type ? `, type ${state.type}` : ''}`));
      await renderOverview(main, state, win, nav);
    } else if (view === 'jobs') await renderJobs(main, state, nav);
    else if (view === 'job') await renderJob(main, state, nav);
    else await renderTargets(main, state, nav);
    await drawn.whenAll();
  } catch (error) {
    main.appendChild(errorBox((error as Error).message));
  }
  if (id !== renderId) return;
  document.body.dataset.state = 'ready';
  document.body.dataset.render = String(id);
  document.body.dataset.calls = String(callLog.length);
  performance.mark('dashboard-drawn');
}

addEventListener('popstate', () => void render());
void render();
