// Runs the npm `whmcs` client (apocas/node-whmcs 1.2.2) against a WHMCS API URL and prints, as
// one JSON object, what each call gave back: {"<name>": {"error": "..."} | <the answer>}.
// Usage: node node_whmcs.cjs <api.php URL> <identifier> <secret>
'use strict';

const WHMCS = require('whmcs');

const [serverUrl, username, password] = process.argv.slice(2);
const whmcs = new WHMCS({ serverUrl, username, password });

const calls = {
  products: (done) => whmcs.customers.getCustomerProducts(2, done),
  productsPage: (done) => whmcs.customers.getCustomerProducts(2, { limitstart: 1, limitnum: 1 }, done),
  noProducts: (done) => whmcs.customers.getCustomerProducts(4, done),
  domains: (done) => whmcs.customers.getCustomerDomains(2, done),
  noDomains: (done) => whmcs.customers.getCustomerDomains(4, done),
  invoices: (done) => whmcs.customers.getCustomerInvoices(10, { limitnum: 25 }, done),
  invoicesByBilling: (done) => whmcs.billing.getInvoices({ userid: 3, status: 'Payment Pending' }, done),
  invoice: (done) => whmcs.billing.getInvoice(process.env.JUDGE_INVOICE_ID, done),
  missingInvoice: (done) => whmcs.billing.getInvoice(9999, done),
  orders: (done) => whmcs.customers.getCustomerOrders({ userid: 2 }, done),
  tickets: (done) => whmcs.support.getTickets({ clientid: 2, ignore_dept_assignments: true }, done),
  ticketsAssigned: (done) => whmcs.support.getTickets({ clientid: 2 }, done),
  ticket: (done) => whmcs.support.getTicket(process.env.JUDGE_TICKET_ID, done),
  missingTicket: (done) => whmcs.support.getTicket(9999, done),
};

const results = {};
const names = Object.keys(calls);
let pending = names.length;
for (const name of names) {
  calls[name]((err, data) => {
    results[name] = err ? { error: String(err.message || err) } : data;
    if (--pending === 0) {
      process.stdout.write(JSON.stringify(results));
    }
  });
}
