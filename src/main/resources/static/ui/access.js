// What the token from Settings may do. The UI asks the API once per token (GET /whoami: its name and role)
// and, should the role change later, learns from the API's own refusals too: a 403 problem names the
// caller ("\"ci\" has the role read; ...", or "\"ci\" may not change model M: it belongs to \"x\", ...").
// Without a token nothing is asked (the open mode allows everything; with access control on, every call
// answers 401 anyway). Once known, controls the role cannot use are disabled, each with its reason as
// visible text (aria-describedby) and as a title. What was learned is kept per token in this browser and
// forgotten when the token changes.
import { h } from './dom.js';
import { get, token } from './api.js';

const KEY = 'paramlab.access';
const controls = [];   // {el, kind, owner}: the page's controls, re-checked whenever something is learned

function known() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || {};
  } catch {
    return {};
  }
}

/**
 * Forgets the controls of the page that is going away. (Not pruned by isConnected: a tab's content may be
 * built before it is attached, and must still follow what is learned meanwhile.)
 */
export function newPage() {
  controls.length = 0;
}

/** Forgets what was learned (the token changed). */
export function forget() {
  localStorage.removeItem(KEY);
}

/** Asks the API who the token is, then re-checks the controls; a failure leaves nothing known. */
export async function ask() {
  if (!token.get()) return;
  try {
    const me = await get('whoami');
    localStorage.setItem(KEY, JSON.stringify({ name: me.name, role: me.role }));
    refresh();
  } catch {
    /* a bad token: the page shows the API's 401 */
  }
}

/** Reads a refusal: a 403 problem's detail names the caller and its role. Answers whether it learned something. */
export function learn(error) {
  if (error?.status !== 403) return false;
  const detail = error.problem?.detail || '';
  const role = detail.match(/^"([^"]+)" has the role (read|write|admin|no role)\b/);
  const owner = detail.match(/^"([^"]+)" may not change \S+ \S+: it belongs to/);
  const next = role ? { name: role[1], role: role[2] } : owner ? { name: owner[1], role: 'write' } : null;
  if (!next) return false;
  localStorage.setItem(KEY, JSON.stringify(next));
  refresh();
  return true;
}

/**
 * Why the caller cannot do `kind` (create: write; change: write on what it owns; delete: admin) on something
 * owned by `owner`; null when it may, or when nothing is known yet.
 */
export function denial(kind, owner) {
  const { name, role } = known();
  if (!role) return null;
  const who = `Your token ("${name}") has the role ${role}`;
  if (kind === 'delete') return role === 'admin' ? null : `${who}: deleting needs admin.`;
  if (kind === 'create') return role === 'admin' || role === 'write' ? null : `${who}: creating needs write.`;
  if (role === 'admin') return null;
  if (role !== 'write') return `${who}: changing a model needs write.`;
  if (owner && owner !== name) return `This model belongs to "${owner}": a write token changes only what it created (admin changes anything).`;
  return null;
}

/** The page's reason texts, one per kind, shown while a control of that kind is disabled. */
export function reasons() {
  return h('div', { class: 'reasons' },
    h('p', { id: 'why-create', class: 'reason', hidden: true }),
    h('p', { id: 'why-change', class: 'reason', hidden: true }),
    h('p', { id: 'why-delete', class: 'reason', hidden: true }));
}

/** Registers a control (button, or a form's fieldset) as needing `kind` on something owned by `owner`. */
export function control(el, kind, owner) {
  controls.push({ el, kind, owner });
  apply({ el, kind, owner });
  return el;
}

function apply({ el, kind, owner }) {
  const why = denial(kind, owner);
  el.disabled = Boolean(why);
  if (why) {
    el.title = why;
    el.setAttribute('aria-describedby', `why-${kind}`);
  } else {
    el.removeAttribute('title');
    el.removeAttribute('aria-describedby');
  }
  const text = document.getElementById(`why-${kind}`);
  if (text && why) {
    text.textContent = why;
    text.hidden = false;
  }
}

/** Re-checks the page's controls (after something was learned). */
export function refresh() {
  for (const id of ['why-create', 'why-change', 'why-delete']) {
    const text = document.getElementById(id);
    if (text) text.hidden = true;
  }
  controls.forEach(apply);
}
