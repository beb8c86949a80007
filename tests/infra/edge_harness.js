// Runs the edge function on cases from a JSON file; prints one JSON result per case.
// Same file under `njs -p DIR` and `node`: ES module, only fs, console and process.
import fs from 'fs';
import cf from 'cloudfront';
import handler from './session_check.js';

function summarise(result) {
  if (result.statusCode === undefined) return { action: 'pass', uri: result.uri };
  const headers = result.headers || {};
  return {
    action: 'refuse',
    status: result.statusCode,
    location: headers.location ? headers.location.value : null,
  };
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  if (spec.key !== null) cf.testStore.session_key = spec.key;
  for (let i = 0; i < spec.cases.length; i++) {
    const c = spec.cases[i];
    const cookies = {};
    if (c.cookie !== null) cookies.wikibot_session = { value: c.cookie };
    const event = {
      version: '1.0',
      context: { eventType: 'viewer-request' },
      viewer: { ip: '198.51.100.7' },
      request: { method: c.method, uri: c.uri, querystring: c.querystring || {},
        headers: {}, cookies: cookies },
    };
    let out;
    try {
      // njs 0.7 cannot `await` inside call arguments: keep the await on its own.
      const result = await handler(event);
      out = summarise(result);
    } catch (e) {
      out = { action: 'error', error: String(e) };
    }
    out.name = c.name;
    console.log(JSON.stringify(out));
  }
  console.log('DONE ' + spec.cases.length);
}

main();
