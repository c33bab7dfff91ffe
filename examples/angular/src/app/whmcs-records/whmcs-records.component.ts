import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input, linkedSignal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { type Observable, EMPTY, map, startWith, switchMap } from 'rxjs';

import {
  ClientDomainsGQL,
  ClientInvoicesGQL,
  ClientServicesGQL,
  ClientTicketsGQL,
  InvoiceDetailGQL,
  TicketThreadGQL,
} from '../graphql/generated';
import {
  type View,
  domainsView,
  invoiceView,
  invoicesView,
  servicesView,
  settle,
  ticketView,
  ticketsView,
} from './views';

const LOADING = { kind: 'loading' } as const;

/** What WHMCS holds for one linked client: services, invoices, tickets and domains. Open an
 * invoice to see its lines and payments, a ticket to read its whole thread. */
@Component({
  selector: 'app-whmcs-records',
  imports: [DatePipe],
  templateUrl: './whmcs-records.component.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WhmcsRecordsComponent {
  readonly whmcsClientId = input.required<string>();

  private readonly services = inject(ClientServicesGQL);
  private readonly invoices = inject(ClientInvoicesGQL);
  private readonly invoice = inject(InvoiceDetailGQL);
  private readonly tickets = inject(ClientTicketsGQL);
  private readonly ticket = inject(TicketThreadGQL);
  private readonly domains = inject(ClientDomainsGQL);

  /** The invoice and the ticket shown open; closed when another client is shown. */
  readonly openInvoice = linkedSignal<string, string | null>({
    source: this.whmcsClientId,
    computation: () => null,
  });
  readonly openTicket = linkedSignal<string, string | null>({
    source: this.whmcsClientId,
    computation: () => null,
  });

  readonly servicesState = this.perClient((whmcsClientId) =>
    this.services
      .watch({ variables: { whmcsClientId } })
      .valueChanges.pipe(map((r) => settle(r, (data) => servicesView(data.whmcsServices)))),
  );
  readonly invoicesState = this.perClient((whmcsClientId) =>
    this.invoices
      .watch({ variables: { whmcsClientId } })
      .valueChanges.pipe(map((r) => settle(r, (data) => invoicesView(data.whmcsInvoices)))),
  );
  readonly ticketsState = this.perClient((whmcsClientId) =>
    this.tickets
      .watch({ variables: { whmcsClientId } })
      .valueChanges.pipe(map((r) => settle(r, (data) => ticketsView(data.whmcsTickets)))),
  );
  readonly domainsState = this.perClient((whmcsClientId) =>
    this.domains
      .watch({ variables: { whmcsClientId } })
      .valueChanges.pipe(map((r) => settle(r, (data) => domainsView(data.whmcsDomains)))),
  );
  readonly invoiceState = toSignal(
    toObservable(this.openInvoice).pipe(
      switchMap((id) =>
        id === null
          ? EMPTY
          : this.invoice
              .watch({ variables: { id } })
              .valueChanges.pipe(map((r) => settle(r, (data) => invoiceView(data.whmcsInvoice)))),
      ),
    ),
    { initialValue: LOADING },
  );
  readonly ticketState = toSignal(
    toObservable(this.openTicket).pipe(
      switchMap((id) =>
        id === null
          ? EMPTY
          : this.ticket
              .watch({ variables: { id } })
              .valueChanges.pipe(map((r) => settle(r, (data) => ticketView(data.whmcsTicket)))),
      ),
    ),
    { initialValue: LOADING },
  );

  toggleInvoice(id: string): void {
    this.openInvoice.update((open) => (open === id ? null : id));
  }

  toggleTicket(id: string): void {
    this.openTicket.update((open) => (open === id ? null : id));
  }

  private perClient<T>(read: (whmcsClientId: string) => Observable<View<T>>) {
    return toSignal(
      toObservable(this.whmcsClientId).pipe(
        switchMap((id) => read(id).pipe(startWith<View<T>>(LOADING))),
      ),
      { initialValue: LOADING as View<T> },
    );
  }
}
