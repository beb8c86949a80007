import crypto from 'crypto';
import cf from 'cloudfront';

// Viewer-request check for the default (page HTML) behaviour, runtime cloudfront-js-2.0.
// Private wiki pages need a valid HS256 `wikibot_session` cookie; the Lambdas verify it again,
// so this is the cheap first gate, not the only one. Rules match wikibot/auth/session.py:
// alg HS256, integer iat/nbf/exp, non-empty sub, nbf <= now < exp.
// The key is the KeyValueStore value `session_key` (the same string as WIKIBOT_SESSION_KEY).
// Tests run this file unchanged under njs and Node with a stand-in `cloudfront` module.

const COOKIE = 'wikibot_session';
const KEY_NAME = 'session_key';
const kvsHandle = cf.kvs();

// /_static/ (Otterwiki's CSS/JS, from S3) has its own behaviour without this function; listed
// so it stays public should it ever reach it. No user id can start with "_" (or be api/auth).
const PUBLIC_PREFIXES = ['/.well-known/', '/auth/', '/api/', '/_static/'];

// True for paths that authenticate elsewhere (tokens, OAuth) or are public assets.
function isPassThrough(uri) {
  if (uri === '/' || uri === '/favicon.ico') return true;
  const segs = uri.split('/').slice(1);
  // Dot segments could be normalised downstream into a private page: never pass them.
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i].toLowerCase();
    if (s === '.' || s === '..' || s.indexOf('%2e') !== -1) return false;
  }
  for (let i = 0; i < PUBLIC_PREFIXES.length; i++) {
    if (uri.indexOf(PUBLIC_PREFIXES[i]) === 0) return true;
  }
  // Git smart HTTP: /{user}/{wiki}.git/... authenticates with API tokens at the Lambda.
  if (segs.length >= 3 && segs[0] !== '' && /^[^/]+\.git$/.test(segs[1])) return true;
  // MCP endpoint: /{user}/{wiki}/mcp (bearer tokens / OAuth, checked by the MCP Lambda).
  if (segs.length === 3 && segs[2] === 'mcp' && segs[0] !== '' && segs[1] !== '') return true;
  if (segs.length === 4 && segs[2] === 'mcp' && segs[3] === '') return true;
  return false;
}

// Private wiki paths are /{user}/{wiki} and below; one-segment paths are left to the origin.
function isPrivate(uri) {
  const segs = uri.split('/').slice(1);
  return segs.length >= 2 && !isPassThrough(uri);
}

function constantTimeEquals(a, b) {
  // The expected length is fixed (43 chars for SHA-256), so an early length exit leaks nothing.
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function decodeSegment(seg) {
  if (!/^[A-Za-z0-9_-]+$/.test(seg)) throw new Error('not base64url');
  return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
}

function isInt(v) {
  return typeof v === 'number' && Math.floor(v) === v;
}

// Returns true only for a well-formed, correctly signed HS256 token valid at nowSec.
function verifySession(token, key, nowSec) {
  if (typeof token !== 'string' || typeof key !== 'string' || key.length === 0) return false;
  const parts = token.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[2])) return false;
  let header;
  let claims;
  try {
    header = decodeSegment(parts[0]);
    claims = decodeSegment(parts[1]);
  } catch (e) {
    return false;
  }
  if (!header || header.alg !== 'HS256') return false;
  const expected = crypto.createHmac('sha256', key)
    .update(parts[0] + '.' + parts[1]).digest('base64url');
  if (!constantTimeEquals(expected, parts[2])) return false;
  if (!claims || !isInt(claims.iat) || !isInt(claims.nbf) || !isInt(claims.exp)) return false;
  if (typeof claims.sub !== 'string' || claims.sub === '') return false;
  return claims.nbf <= nowSec && nowSec < claims.exp;
}

function queryString(qs) {
  const out = [];
  const names = Object.keys(qs || {});
  for (let i = 0; i < names.length; i++) {
    const entry = qs[names[i]];
    const values = entry.multiValue ? entry.multiValue : [entry];
    for (let j = 0; j < values.length; j++) {
      const v = values[j].value;
      out.push(v === '' ? names[i] : names[i] + '=' + v);
    }
  }
  return out.length ? '?' + out.join('&') : '';
}

function refuse(request) {
  const noStore = { value: 'no-store' };
  if (request.method === 'GET' || request.method === 'HEAD') {
    const next = request.uri + queryString(request.querystring);
    return {
      statusCode: 302,
      statusDescription: 'Found',
      headers: {
        location: { value: '/auth/login?next=' + encodeURIComponent(next) },
        'cache-control': noStore,
      },
    };
  }
  return {
    statusCode: 401,
    statusDescription: 'Unauthorized',
    headers: { 'cache-control': noStore },
  };
}

async function sessionKey() {
  try {
    return await kvsHandle.get(KEY_NAME);
  } catch (e) {
    return ''; // No key: fail closed, every private request is refused.
  }
}

async function handler(event) {
  const request = event.request;
  if (!isPrivate(request.uri)) return request;
  const cookie = request.cookies && request.cookies[COOKIE];
  if (!cookie || !cookie.value) return refuse(request);
  const key = await sessionKey();
  const nowSec = Math.floor(Date.now() / 1000);
  return verifySession(cookie.value, key, nowSec) ? request : refuse(request);
}
