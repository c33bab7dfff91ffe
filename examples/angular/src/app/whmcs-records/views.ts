import type { ObservableQuery } from '@apollo/client';

import { failureOutcome } from '../client-details/outcomes';
import type {
  ClientDomainsQuery,
  ClientInvoicesQuery,
  ClientServicesQuery,
  ClientTicketsQuery,
  InvoiceDetailQuery,
  TicketThreadQuery,
} from '../graphql/generated';

export type ServicesResult = ClientServicesQuery['whmcsServices'];
export type InvoicesResult = ClientInvoicesQuery['whmcsInvoices'];
export type InvoiceResult = InvoiceDetailQuery['whmcsInvoice'];
export type TicketsResult = ClientTicketsQuery['whmcsTickets'];
export type TicketResult = TicketThreadQuery['whmcsTicket'];
export type DomainsResult = ClientDomainsQuery['whmcsDomains'];

type Page<R> = Extract<R, { total: number }>;
type Detail<R, F extends string> = Extract<R, Record<F, unknown>>;

/** One WHMCS read as the screen shows it. */
export type View<T> =
  | { kind: 'loading' }
  | { kind: 'ready'; value: T }
  | { kind: 'missing'; message: string }
  | { kind: 'failed'; message: string; details: string[] };

// As in outcomes.ts: every switch names each member of its union, so a member added to the schema
// stops the build (the `never` below) until it is handled; an older build shows it as an error.
function unknownMember<T>(result: never): View<T> {
  const member = result as { __typename?: string; code?: string; message?: string };
  return {
    kind: 'failed',
    message: member.message ?? `Unexpected answer: ${member.__typename ?? 'nothing'}`,
    details: member.code ? [member.code] : [],
  };
}

function whmcsFailure<T>(result: { message: string; code: string }): View<T> {
  return { kind: 'failed', message: result.message, details: [result.code] };
}

export function servicesView(result: ServicesResult): View<Page<ServicesResult>> {
  switch (result.__typename) {
    case 'WhmcsServicePage':
      return { kind: 'ready', value: result };
    case 'NotFoundError':
      return { kind: 'missing', message: result.message };
    case 'WhmcsError':
      return whmcsFailure(result);
    default:
      return unknownMember(result);
  }
}

export function invoicesView(result: InvoicesResult): View<Page<InvoicesResult>> {
  switch (result.__typename) {
    case 'WhmcsInvoicePage':
      return { kind: 'ready', value: result };
    case 'NotFoundError':
      return { kind: 'missing', message: result.message };
    case 'WhmcsError':
      return whmcsFailure(result);
    default:
      return unknownMember(result);
  }
}

export function invoiceView(result: InvoiceResult): View<Detail<InvoiceResult, 'lines'>> {
  switch (result.__typename) {
    case 'WhmcsInvoiceDetail':
      return { kind: 'ready', value: result };
    case 'NotFoundError':
      return { kind: 'missing', message: result.message };
    case 'WhmcsError':
      return whmcsFailure(result);
    default:
      return unknownMember(result);
  }
}

export function ticketsView(result: TicketsResult): View<Page<TicketsResult>> {
  switch (result.__typename) {
    case 'WhmcsTicketPage':
      return { kind: 'ready', value: result };
    case 'NotFoundError':
      return { kind: 'missing', message: result.message };
    case 'WhmcsError':
      return whmcsFailure(result);
    default:
      return unknownMember(result);
  }
}

export function ticketView(result: TicketResult): View<Detail<TicketResult, 'messages'>> {
  switch (result.__typename) {
    case 'WhmcsTicketDetail':
      return { kind: 'ready', value: result };
    case 'NotFoundError':
      return { kind: 'missing', message: result.message };
    case 'WhmcsError':
      return whmcsFailure(result);
    default:
      return unknownMember(result);
  }
}

export function domainsView(result: DomainsResult): View<Page<DomainsResult>> {
  switch (result.__typename) {
    case 'WhmcsDomainPage':
      return { kind: 'ready', value: result };
    case 'NotFoundError':
      return { kind: 'missing', message: result.message };
    case 'WhmcsError':
      return whmcsFailure(result);
    default:
      return unknownMember(result);
  }
}

/** A watched query's latest result as a View: loading until complete, failed on a transport or
 * top-level GraphQL error (an HTTP 401, a bad limit), else what `describe` makes of the data. */
export function settle<TData, T>(
  result: ObservableQuery.Result<TData>,
  describe: (data: TData) => View<T>,
): View<T> {
  if (result.error) {
    const outcome = failureOutcome(result.error);
    return { kind: 'failed', message: outcome.message, details: outcome.details };
  }
  return result.dataState === 'complete' ? describe(result.data) : { kind: 'loading' };
}
