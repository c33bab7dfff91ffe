// Drives GraphiQL at BASE/graphql in the system Chromium, as a person would: the query comes
// preloaded (?q=), the Authorization header is typed into the Headers pane, the Run button is
// clicked. Prints one JSON object with what happened; tests/browser/test_graphiql.py judges it.
//
//   node graphiql.mjs --base http://127.0.0.1:PORT --token wbt_... --query '{ ... }' \
//        --screenshot artifacts/graphiql.png [--chromium /usr/bin/chromium]
import { chromium } from 'playwright-core';

const options = {};
for (let i = 2; i < process.argv.length; i += 2) {
  options[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
for (const required of ['base', 'token', 'query', 'screenshot']) {
  if (!options[required]) {
    console.error(`graphiql.mjs: --${required} is required`);
    process.exit(2);
  }
}

const report = {
  requests: [], // every request the page made: { method, url, authorization }
  websockets: [],
  blocked: [], // requests to anywhere but the server (aborted, so nothing leaves the machine)
  pageErrors: [],
  cspViolations: [], // what the page's Content-Security-Policy refused (must be nothing)
  csp: null, // the policy the page came with
  initialQuery: null, // what the query editor holds when the page opens without ?q=
  headersEditor: null,
  result: null,
  error: null,
};
const serverHost = new URL(options.base).host;

const browser = await chromium.launch({
  executablePath: options.chromium || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && url.host !== serverHost) {
      report.blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  const page = await context.newPage();
  page.on('request', (request) => {
    report.requests.push({
      method: request.method(),
      url: request.url(),
      authorization: request.headers()['authorization'] ?? null,
    });
  });
  page.on('websocket', (socket) => report.websockets.push(socket.url()));
  page.on('pageerror', (error) => report.pageErrors.push(String(error)));
  await page.exposeFunction('reportCspViolation', (text) => report.cspViolations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.reportCspViolation(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
    });
  });

  try {
    // Opened plainly, the page shows its sample query.
    const opened = await page.goto(`${options.base}/graphql`, { waitUntil: 'load', timeout: 15000 });
    report.csp = opened.headers()['content-security-policy'] ?? null;
    const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
    await queryEditor.waitFor({ state: 'visible', timeout: 15000 });
    report.initialQuery = await queryEditor.evaluate((element) => element.CodeMirror.getValue());

    const url = `${options.base}/graphql?q=${encodeURIComponent(options.query)}`;
    await page.goto(url, { waitUntil: 'load', timeout: 15000 });
    await page.locator('.graphiql-execute-button').waitFor({ state: 'visible', timeout: 15000 });

    // The Headers pane: open its tab, click into its editor, type the header as JSON.
    await page.locator('.graphiql-editor-tools button[data-name="headers"]').click();
    const headers = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
    await headers.waitFor({ state: 'visible', timeout: 5000 });
    await headers.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    // CodeMirror closes brackets and quotes itself and types over them, so type the text as is.
    await page.keyboard.type(`{"Authorization": "Bearer ${options.token}"}`);
    report.headersEditor = await headers.evaluate((element) => element.CodeMirror.getValue());

    // The result pane may already hold something (e.g. the schema fetch's answer): wait for the
    // answer to our query, then for the pane to change.
    const resultEditor = page.locator('.result-window .CodeMirror');
    const before = await resultEditor.evaluate((element) => element.CodeMirror.getValue());
    const answered = page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' &&
        (response.request().postData() ?? '').includes(JSON.stringify(options.query).slice(1, -1)),
      { timeout: 15000 },
    );
    await page.locator('.graphiql-execute-button').click();
    await answered;
    await page.waitForFunction(
      (previous) => {
        const value = document.querySelector('.result-window .CodeMirror').CodeMirror.getValue();
        return value.trim().length > 0 && value !== previous;
      },
      before,
      { timeout: 15000 },
    );
    report.result = await resultEditor.evaluate((element) => element.CodeMirror.getValue());
  } catch (error) {
    report.error = String(error);
  } finally {
    await page.screenshot({ path: options.screenshot });
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
