// The pages read and act only through /api. The session cookie authenticates; a POST also
// carries the CSRF token the server hands out at /api/session.
let csrf = null;

export async function get(path) {
  const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  return answer(response);
}

export async function post(path) {
  if (!csrf) csrf = (await get('/api/session')).csrf;
  const response = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf, Accept: 'application/json' } });
  return answer(response);
}

async function answer(response) {
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(body?.message ?? `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}
