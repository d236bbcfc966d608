// A model's checkpoints (made, restored, and the diff between two of them) and its jobs.
import { get, enc } from './api.js';
import { h, fmt, when, guarded } from './dom.js';
import { bars } from './charts.js';
import { checkpointForm, restoreButton } from './actions.js';

export async function checkpointsPanel(panel, model, signal, reload) {
  const modelId = model.id;
  const [make, made] = checkpointForm(model, reload);
  panel.append(h('h2', {}, 'Checkpoints'), make, made);
  const list = await get(`models/${enc(modelId)}/checkpoints`, signal);
  if (!list.length) {
    panel.append(h('p', {}, 'No checkpoint yet.'));
    return;
  }
  const restoreResult = h('div', { 'aria-live': 'polite' });
  panel.append(h('table', {}, h('caption', { class: 'visually-hidden' }, 'Checkpoints, oldest first'),
    h('thead', {}, h('tr', {}, ['tag', 'id', 'model version', 'created', 'parameters', 'bytes', 'message', 'action']
      .map((c) => h('th', { scope: 'col' }, c)))),
  h('tbody', {}, list.map((c) => h('tr', {}, h('td', {}, c.tag || '—'), h('td', {}, h('code', {}, c.id)),
    h('td', { class: 'num' }, c.model_version), h('td', {}, when(c.created_at)), h('td', { class: 'num' }, fmt(c.parameter_count)),
    h('td', { class: 'num' }, fmt(c.bytes)), h('td', {}, c.message || ''), h('td', {}, restoreButton(model, c, restoreResult, reload)))))),
  restoreResult);

  const choices = [...list.map((c) => ({ value: c.tag || c.id, text: c.tag ? `${c.tag} (v${c.model_version})` : c.id })),
    { value: 'live', text: 'live (the model now)' }];
  const select = (id, label, chosen) => [h('label', { for: id }, label),
    h('select', { id }, choices.map((c) => h('option', { value: c.value, selected: c.value === chosen }, c.text)))];
  const result = h('div');
  const form = h('form', { class: 'inline', onsubmit: (e) => {
    e.preventDefault();
    result.replaceChildren();
    const from = form.querySelector('#diff-from').value;
    const to = form.querySelector('#diff-to').value;
    guarded(result, () => diff(result, modelId, from, to, signal));
  } }, ...select('diff-from', 'From', choices[0].value), ...select('diff-to', 'To', 'live'),
  h('button', { type: 'submit', id: 'diff-compare' }, 'Compare'));
  panel.append(h('h3', {}, 'What changed between two checkpoints'), form, result);
}

async function diff(result, modelId, from, to, signal) {
  const keys = await get(`models/${enc(modelId)}/diff?from=${enc(from)}&to=${enc(to)}`, signal); // one entry per key
  bars(result, `Relative change ‖B − A‖₂ / ‖A‖₂ per key, ${from} → ${to}`,
    keys.map((k) => ({ label: k.key, value: k.relative_l2 })), 'n/a (‖A‖₂ = 0)');
  result.append(h('table', {}, h('thead', {}, h('tr', {}, ['key', 'shape', 'changed elements', 'max |B − A|', '‖B − A‖₂', 'relative']
    .map((c) => h('th', { scope: 'col' }, c)))),
  h('tbody', {}, keys.map((k) => h('tr', {}, h('th', { scope: 'row' }, k.key), h('td', {}, `[${(k.shape || []).join(', ')}]`),
    h('td', { class: 'num' }, fmt(k.changed_elements)), h('td', { class: 'num' }, fmt(k.max_abs_diff)),
    h('td', { class: 'num' }, fmt(k.l2_diff)), h('td', { class: 'num' }, fmt(k.relative_l2)))))));
}

export async function jobsPanel(panel, modelId, signal) {
  panel.append(h('h2', {}, 'Jobs'));
  const jobs = await get(`models/${enc(modelId)}/jobs`, signal);
  if (!jobs.length) {
    panel.append(h('p', {}, 'No job has run on this model (POST /models/{id}/jobs starts one).'));
    return;
  }
  panel.append(h('table', {}, h('thead', {}, h('tr', {}, ['job', 'status', 'epoch', 'step', 'loss', 'created']
    .map((c) => h('th', { scope: 'col' }, c)))),
  h('tbody', {}, jobs.map((j) => h('tr', {}, h('td', {}, h('a', { href: `#/jobs/${enc(j.id)}` }, j.id)),
    h('td', {}, h('span', { class: `status ${j.status}` }, j.status)), h('td', { class: 'num' }, j.epoch),
    h('td', { class: 'num' }, `${j.step} / ${j.total_steps}`), h('td', { class: 'num' }, fmt(j.loss)), h('td', {}, when(j.created_at)))))));
}
