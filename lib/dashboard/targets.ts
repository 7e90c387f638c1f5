// The watch list: every target with its last poll and error; retired ones on request.
import { api } from './api';
import { errorBox, h } from './dom';
import { formatTime } from './format';
import type { Nav } from './overview';
import type { State } from './state';

export async function renderTargets(root: HTMLElement, state: State, nav: Nav): Promise<void> {
  const retired = state.retired === '1';
  const toggle = h('input', { type: 'checkbox', id: 'show-retired', checked: retired });
  toggle.addEventListener('change', () => nav.go({ ...state, retired: toggle.checked ? '1' : undefined }));
  const box = h('section', { class: 'panel', 'aria-labelledby': 'targets-title' }, h('h2', { id: 'targets-title' }, 'Watch list'), h('p', {}, toggle, h('label', { for: 'show-retired' }, ' Show retired targets')));
  root.appendChild(box);
  try {
    const { items } = await api.targets(retired);
    if (items.length === 0) return void box.appendChild(h('p', { class: 'empty' }, 'No targets are watched yet.'));
    const heads = ['Kind', 'Id', 'State', 'Added', 'Last poll', 'Last change', 'Next poll', 'Failures', 'Error', 'Retired'];
    const rows = items.map((t) =>
      h(
        'tr',
        { 'data-key': `${t.kind}/${t.id}`, class: t.lastError ? 'has-error' : '' },
        h('td', {}, t.kind),
        h('td', { class: 'mono' }, t.id),
        h('td', {}, h('span', { class: `status t-${t.state}` }, t.state)),
        h('td', {}, `${formatTime(t.addedAt)} (${t.addedBy})`),
        h('td', {}, formatTime(t.lastPolledAt)),
        h('td', {}, formatTime(t.lastChangedAt)),
        h('td', {}, formatTime(t.nextPollAt)),
        h('td', { class: 'num' }, String(t.consecutiveFailures)),
        h('td', {}, t.lastError ? h('span', { class: 'tag error-text' }, `⚠ ${t.lastError}`) : '–'),
        h('td', {}, t.retiredAt ? `${formatTime(t.retiredAt)}${t.retiredReason ? ` (${t.retiredReason})` : ''}` : '–'),
      ),
    );
    box.appendChild(h('div', { class: 'scroll' }, h('table', { 'aria-labelledby': 'targets-title', 'data-table': 'targets' }, h('thead', {}, h('tr', {}, ...heads.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, ...rows))));
  } catch (error) {
    nav.reportAuth(error);
    box.appendChild(errorBox((error as Error).message));
  }
}
