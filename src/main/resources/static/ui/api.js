// The public API, and nothing else: every call goes through here so the token header is never forgotten.
const BASE = '/api/v1';
const TOKEN_KEY = 'paramlab.token';

export const token = {
  get: () => localStorage.getItem(TOKEN_KEY) || '',
  set: (value) => value ? localStorage.setItem(TOKEN_KEY, value) : localStorage.removeItem(TOKEN_KEY),
};

/** An answer of 400 or more, carrying its RFC 9457 problem (title, detail, status, type). */
export class Problem extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.problem = problem;
    this.status = problem.status;
  }
}

function headers(extra = {}) {
  const h = { Accept: 'application/json', ...extra };
  if (token.get()) h.Authorization = `Bearer ${token.get()}`;
  return h;
}

async function problemOf(response) {
  let body = {};
  try { body = await response.json(); } catch { /* not JSON: keep the status line */ }
  return new Problem({ status: response.status, title: body.title || response.statusText || 'Request failed', ...body });
}

/** Calls the API; answers the parsed JSON (null for an empty body, as a 204's) with the response's Link header. */
export async function api(path, { method = 'GET', body, signal, ifMatch } = {}) {
  const extra = body === undefined ? {} : { 'Content-Type': 'application/json' };
  if (ifMatch !== undefined) extra['If-Match'] = `"${ifMatch}"`; // a change of what was shown, not of what moved on since (412)
  const init = { method, signal, headers: headers(extra) };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(/^(\/|https?:)/.test(path) ? path : `${BASE}/${path}`, init); // a Link may be absolute
  if (!response.ok) throw await problemOf(response);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  return { data, link: response.headers.get('Link') };
}

export const get = async (path, signal) => (await api(path, { signal })).data;
export const enc = encodeURIComponent;

/** The rel="next" target of an RFC 8288 Link header, or null. */
export function nextLink(link) {
  const m = link && link.match(/<([^>]+)>\s*;\s*rel="?next"?/);
  return m ? m[1] : null;
}

/** Numbers as the API sends them: non-finite values arrive as the strings "NaN", "Infinity", "-Infinity". */
export const num = (v) => typeof v === 'string' ? Number(v) : v;

/**
 * Reads a text/event-stream with fetch (not EventSource, so the token goes in a header, never a URL),
 * calling onEvent(type, data, id) per event, from the event after id `after` (sent as Last-Event-ID; null:
 * only events to come). Resumes with Last-Event-ID after a dropped connection;
 * resolves when the server ends the stream, rejects on an HTTP problem, stops on signal's abort.
 */
export async function streamEvents(path, onEvent, signal, after = null) {
  let lastId = after;
  for (let attempt = 0; ; attempt++) {
    const extra = { Accept: 'text/event-stream' };
    if (lastId !== null) extra['Last-Event-ID'] = lastId;
    let response;
    try {
      response = await fetch(`${BASE}/${path}`, { headers: headers(extra), signal });
      if (!response.ok) throw await problemOf(response);
      let buffer = '';
      let event = { type: 'message', data: [], id: null };
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop();
        for (const line of lines) {
          if (line === '') {
            if (event.id !== null) lastId = event.id;
            if (event.data.length) onEvent(event.type, JSON.parse(event.data.join('\n')), event.id);
            event = { type: 'message', data: [], id: null };
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event.type = value;
          else if (field === 'data') event.data.push(value);
          else if (field === 'id') event.id = value;
        }
      }
    } catch (e) {
      if (signal?.aborted || e instanceof Problem || attempt >= 5) throw e;
      await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
    }
  }
}
