// One stored state dict: the module tree its keys imply, its tensors with dtypes and ties, a tensor's
// statistics with a histogram, and a diff against another state dict or a model.
import { api, enc } from './api.js';
import { h, fmt, when, guarded, problemBox } from './dom.js';
import { histogram } from './charts.js';
import { tree } from './tree.js';
import { spectraPanel } from './spectra.js';

export async function render(main, { id }, signal) {
  const { data: sd } = await api(`state-dicts/${enc(id)}`, { signal });
  document.title = `${sd.name || id} — paramlab`;
  main.append(h('h1', { tabindex: '-1' }, sd.name || `state dict ${id}`),
    h('p', { class: 'muted' }, `${fmt(sd.tensor_count)} tensors, ${fmt(sd.parameter_count)} elements, ${fmt(sd.bytes)} bytes; `
      + `${Object.entries(sd.dtypes).map(([d, n]) => `${d} ${fmt(n)}`).join(', ')}; from ${sd.source}, ${when(sd.created_at)}. `,
    h('a', { href: `/api/v1/state-dicts/${enc(id)}?format=safetensors` }, 'Download safetensors'), ' · ',
    h('a', { href: `/api/v1/state-dicts/${enc(id)}?format=pt` }, 'Download torch.save')));

  const treeSection = h('section', { 'aria-labelledby': 'sd-modules' }, h('h2', { id: 'sd-modules' }, 'Modules'));
  const tensorSection = h('section', { 'aria-labelledby': 'sd-tensors' }, h('h2', { id: 'sd-tensors' }, 'Tensors'));
  const statsSection = h('section', { 'aria-labelledby': 'sd-stats' }, h('h2', { id: 'sd-stats' }, 'Statistics'),
    h('p', { class: 'muted' }, 'Choose a tensor to see its statistics (float64) and histogram.'));
  main.append(h('div', { class: 'split' }, treeSection, tensorSection), statsSection, spectraSection(id, signal), diffSection(id, signal));

  const nodes = sd.modules.map((m) => {
    const depth = m.path === '' ? 0 : m.path.split('.').length;
    const parent = m.path === '' ? undefined : m.path.includes('.') ? m.path.slice(0, m.path.lastIndexOf('.')) : '';
    return { key: m.path, parent, depth, label: `${m.path === '' ? '(root)' : m.path.split('.').pop()} — ${fmt(m.parameter_count)}` };
  });
  tree(treeSection, nodes, 'Modules of the state dict', (path) => showTensors(path));

  const showTensors = (prefix) => {
    tensorSection.querySelector('table')?.remove();
    const rows = sd.tensors.filter((t) => prefix === '' || t.key === prefix || t.key.startsWith(`${prefix}.`));
    tensorSection.append(h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Tensors'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Shape'),
        h('th', { scope: 'col' }, 'Dtype'), h('th', { scope: 'col', class: 'num' }, 'Elements'), h('th', { scope: 'col' }, 'Tied to'))),
      h('tbody', {}, rows.map((t) => h('tr', {},
        h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => guarded(statsSection, () => showStats(t)) }, t.key)),
        h('td', {}, `[${t.shape.join(', ')}]`), h('td', {}, t.dtype), h('td', { class: 'num' }, fmt(t.numel)),
        h('td', {}, t.tied_to || '—'))))));
  };
  showTensors('');

  const showStats = async (t) => {
    const { data } = await api(`state-dicts/${enc(id)}/stats?prefix=${encodeURIComponent(t.key)}&bins=30`, { signal });
    const row = data.tensors.find((r) => r.key === t.key);
    statsSection.replaceChildren(h('h2', { id: 'sd-stats' }, 'Statistics'));
    if (!row) return;
    const s = row.data;
    statsSection.append(h('h3', {}, `${t.key} (${t.dtype}, [${t.shape.join(', ')}])`),
      h('dl', { class: 'stats' }, ['mean', 'std', 'min', 'max', 'l2_norm', 'zero_fraction', 'nan_count', 'inf_count']
        .map((k) => [h('dt', {}, k), h('dd', {}, fmt(s[k]))])));
    histogram(statsSection, s.histogram, `Histogram of ${t.key}`);
  };
}

/** The spectra of the state dict's weights, as the model page's Spectra tab draws them; computed on request. */
function spectraSection(id, signal) {
  const section = h('section', { 'aria-labelledby': 'sd-spectra', class: 'sd-spectra' }, h('h2', { id: 'sd-spectra' }, 'Spectra'));
  const start = h('button', { type: 'button', class: 'primary', onclick: () => {
    start.remove();
    guarded(section, () => spectraPanel(section, `state-dicts/${enc(id)}/spectra`, signal, { heading: 'h3' }));
  } }, 'Compute the spectra');
  section.append(h('p', { class: 'muted' }, 'α per layer in file order and each layer\'s eigenvalue spectrum: how trained its weights look (computed on request).'),
    h('div', { class: 'buttons' }, start));
  return section;
}

function diffSection(id, signal) {
  const other = h('input', { id: 'sd-diff-to', type: 'text', placeholder: 'a state dict id, model:{id} or model:{id}@{tag}' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      out.replaceChildren();
      try {
        const { data } = await api(`state-dicts/diff?from=${enc(id)}&to=${encodeURIComponent(other.value.trim())}`, { signal });
        out.append(
          h('p', {}, `Only here: ${data.only_in_from.join(', ') || 'none'}. Only there: ${data.only_in_to.join(', ') || 'none'}. `
            + `Shape or dtype mismatches: ${data.mismatched.map((m) => m.key).join(', ') || 'none'}.`),
          h('table', {}, h('caption', { class: 'visually-hidden' }, 'Differences per key'),
            h('thead', {}, h('tr', {}, ['Key', 'Changed', 'Max |Δ|', '‖Δ‖₂', 'Relative'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, data.keys.map((r) => h('tr', {}, h('td', {}, r.key), h('td', { class: 'num' }, fmt(r.changed_elements)),
              h('td', { class: 'num' }, fmt(r.max_abs_diff)), h('td', { class: 'num' }, fmt(r.l2_diff)),
              h('td', { class: 'num' }, fmt(r.relative_l2)))))));
      } catch (err) {
        out.append(problemBox(err));
      }
    },
  }, h('label', { for: 'sd-diff-to' }, 'Compare with'), other,
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Diff')), out);
  return h('section', { 'aria-labelledby': 'sd-diff' }, h('h2', { id: 'sd-diff' }, 'Diff'), form);
}
