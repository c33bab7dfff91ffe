// Runs the npm `whmcs` client (apocas/node-whmcs 1.2.2) through the client actions, one call after
// another (each depends on the one before), and prints what each gave back as one JSON object:
// {"<name>": {"error": "..."} | <the answer>}.
// Usage: node node_whmcs_clients.cjs <api.php URL> <identifier> <secret>
'use strict';

const WHMCS = require('whmcs');

const [serverUrl, username, password] = process.argv.slice(2);
const whmcs = new WHMCS({ serverUrl, username, password });
const wrong = new WHMCS({ serverUrl, username, password: 'not-the-secret' });
const grace = {
  firstname: 'Grace', lastname: 'Hopper', email: 'grace@example.net', address1: '1 Navy Yard',
  city: 'Arlington', state: 'Virginia', postcode: '22202', country: 'US',
  phonenumber: '703-555-0100', password2: 'Cobol-Forever-1', noemail: true,
};

const results = {};
const steps = [
  ['created', (done) => whmcs.customers.createCustomer(grace, done)],
  ['again', (done) => whmcs.customers.createCustomer({ ...grace, email: 'GRACE@example.net' }, done)],
  ['loginOnly', (done) => whmcs.customers.createCustomer({ ...grace, email: 'olivia@example.org' }, done)],
  ['details', (done) => whmcs.customers.getCustomer(results.created.clientid, done)],
  ['byEmail', (done) => whmcs.customers.getCustomerByEmail('grace@example.net', done)],
  ['updated', (done) => whmcs.customers.updateCustomer(results.created.clientid, { city: 'Norfolk' }, done)],
  ['missing', (done) => whmcs.customers.getCustomer(9999, done)],
  ['wrongSecret', (done) => wrong.customers.getCustomer(1, done)],
];

function next(index) {
  if (index === steps.length) {
    process.stdout.write(JSON.stringify(results));
    return;
  }
  const [name, call] = steps[index];
  call((err, data) => {
    results[name] = err ? { error: String(err.message || err) } : data;
    next(index + 1);
  });
}
next(0);
