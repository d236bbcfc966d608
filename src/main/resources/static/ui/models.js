// The models page: the list (name, id, owner, ...), and a model created from a pasted spec.
import { api, nextLink, enc } from './api.js';
import { h, fmt, when, guarded, problemBox } from './dom.js';
import { act, notice } from './actions.js';
import { control, reasons } from './access.js';

// The README walkthrough's models: the chapter's net, and the one whose layer is tied.
const EXAMPLES = {
  net: { name: 'net', model: { type: 'Sequential', layers: [
    { type: 'Linear', in_features: 4, out_features: 8 }, { type: 'ReLU' },
    { type: 'Linear', in_features: 8, out_features: 1 }] } },
  tied: { name: 'tied', seed: 42,
    shared: { shared: { type: 'Linear', in_features: 8, out_features: 8 } },
    model: { type: 'Sequential', layers: [
      { type: 'Linear', in_features: 4, out_features: 8 }, { type: 'ReLU' },
      { ref: 'shared' }, { type: 'ReLU' },
      { ref: 'shared' }, { type: 'ReLU' },
      { type: 'Linear', in_features: 8, out_features: 1 }] } },
};

export async function render(main, params, signal) {
  main.append(h('h1', { tabindex: '-1' }, 'Models'), notice.take() || '');
  const listSection = h('section', { 'aria-labelledby': 'models-list' }, h('h2', { id: 'models-list' }, 'Stored models'));
  main.append(listSection, createForm());
  await guarded(listSection, () => list(listSection, 'models?limit=100', signal));
}

async function list(section, path, signal) {
  const { data: models, link } = await api(path, { signal });
  let tbody = section.querySelector('tbody');
  if (!tbody) {
    if (!models.length) {
      section.append(h('p', {}, 'No model yet: create one below.'));
      return;
    }
    const hasVersion = models.some((m) => m.version !== undefined);
    const table = h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Stored models'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Id'), h('th', { scope: 'col' }, 'Owner'),
        h('th', { scope: 'col', class: 'num' }, 'Parameters'),
        hasVersion ? h('th', { scope: 'col', class: 'num' }, 'Version') : null,
        h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, 'Last change'))),
      tbody = h('tbody'));
    table.dataset.version = hasVersion;
    section.append(table);
  }
  const hasVersion = section.querySelector('table').dataset.version === 'true';
  for (const m of models) {
    tbody.append(h('tr', {},
      h('td', {}, h('a', { href: `#/models/${enc(m.id)}` }, m.name || `model ${m.id}`)),
      h('td', {}, h('code', {}, m.id)),
      h('td', {}, m.owner ?? '—'),
      h('td', { class: 'num' }, fmt(m.parameter_count)),
      hasVersion ? h('td', { class: 'num' }, m.version ?? '—') : null,
      h('td', {}, when(m.created_at)),
      h('td', {}, when(m.updated_at || m.created_at))));
  }
  section.querySelector('.more')?.remove();
  const next = nextLink(link);
  if (next) {
    const more = h('button', { type: 'button', class: 'more', onclick: () => guarded(section, () => list(section, next, signal)) }, 'Load more');
    section.append(more);
  }
}

function createForm() {
  const spec = h('textarea', { id: 'spec', rows: 14, spellcheck: 'false', 'aria-describedby': 'spec-help' });
  const result = h('div', { 'aria-live': 'polite' });
  const example = (key) => h('button', { type: 'button', onclick: () => { spec.value = JSON.stringify(EXAMPLES[key], null, 2); spec.focus(); } },
    `Example: ${key}`);
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      result.replaceChildren();
      let body;
      try {
        body = JSON.parse(spec.value);
      } catch (err) {
        result.append(problemBox({ problem: { title: 'Not JSON', detail: err.message } }));
        return;
      }
      const created = await act(result, () => api('models', { method: 'POST', body }));   // a 403 teaches access.js the role
      if (created) location.hash = `#/models/${enc(created.data.id)}`;
    },
  },
  control(h('fieldset', { id: 'create-model-fields', class: 'plain' }, h('legend', { class: 'visually-hidden' }, 'New model'),
    h('label', { for: 'spec' }, 'Model spec (JSON)'),
    h('p', { id: 'spec-help', class: 'muted' }, 'A layer spec as in the API: Sequential layers, shared modules referenced with {"ref": ...}.'),
    spec,
    h('div', { class: 'buttons' }, example('net'), example('tied'), h('button', { type: 'submit', class: 'primary' }, 'Create model'))),
  'create'),
  result);
  return h('section', { 'aria-labelledby': 'create-model' }, h('h2', { id: 'create-model' }, 'Create a model'), reasons(), form);
}
