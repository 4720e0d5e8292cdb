// A client app's whole REST flow through sfmc-sdk, against a local emulator.
//
// Usage: node sdk_flow.mjs <emulator base URL> <client id> <client secret> <MID>
// Needs the DEs "Big" (Id primary key, Name; 10,000 rows) and "Empty" (no rows). Prints one
// JSON object saying what each step saw; tests/test_rest_sdk.py asserts it. Every request goes
// to the base URL: the SDK's host check is met by the auth_url's path (docs/rest.md).
import SDK from 'sfmc-sdk';

const [base, clientId, clientSecret, mid] = process.argv.slice(2);
if (!base || !clientId || !clientSecret || !mid) {
    console.error('usage: node sdk_flow.mjs <base URL> <client id> <client secret> <MID>');
    process.exit(2);
}
const HOST = 'https://mc00000000000000000000000000.auth.marketingcloudapis.com/';
const ROWSET = '/data/v1/customobjectdata/key/Big/rowset';
const seen = {};
let refreshes = 0;
let loops = 0;

const sdk = new SDK(
    {
        client_id: clientId,
        client_secret: clientSecret,
        auth_url: `${base}/${HOST}`,
        account_id: mid, // an integer in a string, as most apps keep it
    },
    {
        requestAttempts: 2, // a 401 refreshes the token and retries once
        retryOnConnectionError: false,
        eventHandlers: {
            onRefresh: () => refreshes++,
            onLoop: () => loops++,
        },
    }
);

/** Call the emulator's admin API (not the SDK's business). */
async function admin(path, body) {
    const answer = await fetch(`${base}/_emulator/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
    });
    if (!answer.ok) {
        throw new Error(`admin ${path}: ${answer.status} ${await answer.text()}`);
    }
}

const sleep = (seconds) => new Promise((done) => setTimeout(done, seconds * 1000));

/** GET through the SDK, waiting out 429s as their Retry-After says (the SDK does not). */
async function getPatiently(url, attempts = 3) {
    const waits = [];
    for (let attempt = 1; ; attempt++) {
        try {
            return { data: await sdk.rest.get(url), waits };
        } catch (error) {
            if (error.response?.status !== 429 || attempt >= attempts) {
                throw error;
            }
            const wait = Number(error.response.headers['retry-after'] ?? 1);
            waits.push({ status: 429, code: error.code, message: error.message, wait });
            await sleep(wait);
        }
    }
}

// 1. A token for the business unit of account_id.
const auth = await sdk.auth.getAccessToken();
seen.token = {
    token_type: auth.token_type,
    expires_in: auth.expires_in,
    rest_instance_url: auth.rest_instance_url,
    has_rows_scope: auth.scope.split(' ').includes('data_extensions_read'),
};

// 2. The row count, the way export tools ask for it.
const first = await sdk.rest.get(`${ROWSET}?$page=1&$pagesize=1`);
seen.count = { count: first.count, pageSize: first.pageSize, items: first.items.length };

// 3. Every row, page after page ($page on the key URL: getBulk does not follow links).
const bulk = await sdk.rest.getBulk(ROWSET, 2500);
const ids = new Set(bulk.items.map((item) => item.keys.id));
seen.bulk = { rows: bulk.items.length, distinct: ids.size, loops, count: bulk.count };

// 4. An empty DE answers no items at all: getBulk throws, apps catch it.
try {
    await sdk.rest.getBulk('/data/v1/customobjectdata/key/Empty/rowset', 2500);
    seen.empty = { threw: false };
} catch (error) {
    seen.empty = { threw: true, name: error.name, message: error.message };
}

// 5. An async upsert, polled until it is done.
const submitted = await sdk.rest.put('/data/v1/async/dataextensions/key:Big/rows', {
    items: [
        { Id: '10001', Name: 'async one' },
        { Id: '1', Name: 'async changed' },
    ],
});
let status;
let polls = 0;
do {
    polls++;
    status = (await sdk.rest.get(`/data/v1/async/${submitted.requestId}/status`)).status;
    if (['Pending', 'Executing'].includes(status.requestStatus)) {
        await sleep(0.05);
    }
} while (['Pending', 'Executing'].includes(status.requestStatus) && polls < 100);
const results = await sdk.rest.get(`/data/v1/async/${submitted.requestId}/results`);
seen.async = {
    requestStatus: status.requestStatus,
    hasErrors: status.hasErrors,
    polls,
    refused: results.items.length,
};

// 6. A synchronous hub rowset upsert, echoed back.
const echoed = await sdk.rest.post('/hub/v1/dataevents/key:Big/rowset', [
    { keys: { Id: '10002' }, values: { Name: 'hub' } },
]);
seen.hub = { echoed };

// 7. The token expires on the emulator's clock: the call's 401 refreshes it and retries.
const before = sdk.auth.authObject.access_token;
await admin('clock', { advance: 1200 });
const afterExpiry = await sdk.rest.get(`${ROWSET}?$page=1&$pagesize=1`);
seen.refresh = {
    count: afterExpiry.count,
    refreshes,
    new_token: sdk.auth.authObject.access_token !== before,
};

// 8. A 429 with Retry-After, waited out.
await admin('faults', {
    path: '/data/v1/customobjectdata/key/{key}/rowset',
    status: 429,
    retry_after: 1,
    times: 1,
});
const started = Date.now();
const patient = await getPatiently(`${ROWSET}?$page=1&$pagesize=1`);
seen.throttled = {
    waits: patient.waits,
    waited_ms: Date.now() - started,
    count: patient.data.count,
};

// 9. The one written row read back by key.
const written = await sdk.rest.get(`${ROWSET}?$filter=Id%20eq%20'1'`);
seen.written = written.items.map((item) => item.values);

console.log(JSON.stringify(seen));
