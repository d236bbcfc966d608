// The state dicts page: stored checkpoints (any file, no spec needed) and an upload form.
import { api, nextLink, enc, token } from './api.js';
import { h, fmt, when, guarded, problemBox } from './dom.js';
import { control, learn, reasons } from './access.js';

export async function render(main, params, signal) {
  main.append(h('h1', { tabindex: '-1' }, 'State dicts'));
  const listSection = h('section', { 'aria-labelledby': 'state-dicts-list' }, h('h2', { id: 'state-dicts-list' }, 'Stored state dicts'));
  main.append(listSection, uploadForm());
  await guarded(listSection, () => list(listSection, 'state-dicts?limit=100', signal));
}

async function list(section, path, signal) {
  const { data: rows, link } = await api(path, { signal });
  let tbody = section.querySelector('tbody');
  if (!tbody) {
    if (!rows.length) {
      section.append(h('p', {}, 'No state dict yet: upload a safetensors or torch.save file below.'));
      return;
    }
    section.append(h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Stored state dicts'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col', class: 'num' }, 'Tensors'),
        h('th', { scope: 'col', class: 'num' }, 'Elements'), h('th', { scope: 'col' }, 'Dtypes'),
        h('th', { scope: 'col' }, 'Source'), h('th', { scope: 'col' }, 'Created'))),
      tbody = h('tbody')));
  }
  for (const s of rows) {
    tbody.append(h('tr', {},
      h('td', {}, h('a', { href: `#/state-dicts/${enc(s.id)}` }, s.name || `state dict ${s.id}`)),
      h('td', { class: 'num' }, fmt(s.tensor_count)),
      h('td', { class: 'num' }, fmt(s.parameter_count)),
      h('td', {}, Object.keys(s.dtypes || {}).join(', ')),
      h('td', {}, s.source),
      h('td', {}, when(s.created_at))));
  }
  section.querySelector('.more')?.remove();
  const next = nextLink(link);
  if (next) {
    section.append(h('button', { type: 'button', class: 'more', onclick: () => guarded(section, () => list(section, next, signal)) }, 'Load more'));
  }
}

function uploadForm() {
  const file = h('input', { id: 'sd-file', type: 'file', accept: '.safetensors,.pt,.pth,.bin,.json' });
  const name = h('input', { id: 'sd-name', type: 'text' });
  const key = h('input', { id: 'sd-key', type: 'text', placeholder: 'model_state_dict', 'aria-describedby': 'sd-key-help' });
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      result.replaceChildren();
      const f = file.files[0];
      if (!f) {
        result.append(problemBox({ problem: { title: 'No file', detail: 'Choose a safetensors, torch.save or JSON file.' } }));
        return;
      }
      const query = new URLSearchParams();
      if (name.value.trim()) query.set('name', name.value.trim());
      if (key.value.trim()) query.set('key', key.value.trim());
      const headers = { 'Content-Type': f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream', Accept: 'application/json' };
      if (token.get()) headers.Authorization = `Bearer ${token.get()}`;
      const response = await fetch(`/api/v1/state-dicts?${query}`, { method: 'POST', headers, body: f });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        const refusal = { status: response.status, problem: { status: response.status, ...body } };
        learn(refusal);   // a 403 teaches access.js the role, as the other actions' refusals do
        result.append(problemBox(refusal));
        return;
      }
      location.hash = `#/state-dicts/${enc(body.id)}`;
    },
  },
  control(h('fieldset', { id: 'upload-fields', class: 'plain' }, h('legend', { class: 'visually-hidden' }, 'New state dict'),
    h('label', { for: 'sd-file' }, 'File'), file,
    h('label', { for: 'sd-name' }, 'Name (optional)'), name,
    h('label', { for: 'sd-key' }, 'Entry of a torch.save checkpoint (optional)'), key,
    h('p', { id: 'sd-key-help', class: 'muted' }, 'For a general checkpoint saved as {"model_state_dict": ..., ...}.'),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Upload'))),
  'create'),
  result);
  return h('section', { 'aria-labelledby': 'upload-state-dict' }, h('h2', { id: 'upload-state-dict' }, 'Upload a state dict'), reasons(), form);
}
