import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  linkedSignal,
  signal,
} from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { type Observable, catchError, map, of, switchMap } from 'rxjs';

import {
  ClientDetailsGQL,
  type ClientDetailsQuery,
  PushClientGQL,
  SyncStatusGQL,
  UnlinkGQL,
  UpdateClientGQL,
} from '../graphql/generated';
import { SyncLogListComponent } from '../sync-log-list/sync-log-list.component';
import { WhmcsRecordsComponent } from '../whmcs-records/whmcs-records.component';
import {
  type Outcome,
  failureOutcome,
  pushOutcome,
  statusOutcome,
  syncBadge,
  unlinkOutcome,
  updateOutcome,
} from './outcomes';

type ClientState =
  | { kind: 'loading' }
  | { kind: 'failed'; outcome: Outcome }
  | { kind: 'ready'; client: ClientDetailsQuery['client'] };

/** One local client: its WHMCS sync badge, the sync actions, what WHMCS holds for it once
 * linked (services, invoices, tickets, domains), and its sync log. */
@Component({
  selector: 'app-client-details',
  imports: [SyncLogListComponent, WhmcsRecordsComponent],
  templateUrl: './client-details.component.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClientDetailsComponent {
  readonly clientId = input.required<string>();

  private readonly details = inject(ClientDetailsGQL);
  private readonly pushClient = inject(PushClientGQL);
  private readonly updateClient = inject(UpdateClientGQL);
  private readonly unlink = inject(UnlinkGQL);
  private readonly syncStatus = inject(SyncStatusGQL);

  /** The client as the cache has it (null: no such client), or why it could not be read. */
  readonly state = toSignal(
    toObservable(this.clientId).pipe(
      switchMap((id) => this.details.watch({ variables: { id } }).valueChanges),
      map((result): ClientState => {
        if (result.error) {
          return { kind: 'failed', outcome: failureOutcome(result.error) };
        }
        return result.dataState === 'complete'
          ? { kind: 'ready', client: result.data.client }
          : { kind: 'loading' };
      }),
      catchError((error: unknown) =>
        of<ClientState>({ kind: 'failed', outcome: failureOutcome(error) }),
      ),
    ),
    { initialValue: { kind: 'loading' } satisfies ClientState },
  );
  readonly badge = computed(() => {
    const state = this.state();
    return state.kind === 'ready' && state.client ? syncBadge(state.client.sync) : null;
  });
  readonly busy = signal(false);
  /** The last operation's outcome; cleared when another client is shown. */
  readonly outcome = linkedSignal<string, Outcome | null>({
    source: this.clientId,
    computation: () => null,
  });

  push(linkExisting = false): void {
    const variables = { clientId: this.clientId(), linkExisting };
    this.run(this.pushClient.mutate({ variables, refetchQueries: ['SyncLogs'] }), (data) =>
      pushOutcome(data.pushClient),
    );
  }

  update(force = false): void {
    const variables = { clientId: this.clientId(), force };
    this.run(this.updateClient.mutate({ variables, refetchQueries: ['SyncLogs'] }), (data) =>
      updateOutcome(data.updateClient),
    );
  }

  unlinkFromWhmcs(): void {
    const variables = { localId: this.clientId() };
    // UnlinkSuccess carries no SyncState: read the client's again.
    const refetchQueries = ['ClientDetails', 'SyncLogs'];
    this.run(this.unlink.mutate({ variables, refetchQueries }), (data) =>
      unlinkOutcome(data.unlink),
    );
  }

  /** syncStatus from the server; its SyncState lands in the cache, so the badge follows. */
  check(): void {
    const variables = { localId: this.clientId() };
    this.run(this.syncStatus.fetch({ variables, fetchPolicy: 'network-only' }), (data) =>
      statusOutcome(data.syncStatus),
    );
  }

  followUp(action: NonNullable<Outcome['followUp']>['action']): void {
    if (action === 'linkExisting') {
      this.push(true);
    } else {
      this.update(true);
    }
  }

  private run<T>(
    operation: Observable<{ data?: T | undefined; error?: unknown }>,
    describe: (data: T) => Outcome,
  ): void {
    this.busy.set(true);
    this.outcome.set(null);
    operation.subscribe({
      next: (result) =>
        this.outcome.set(result.data ? describe(result.data) : failureOutcome(result.error)),
      error: (error: unknown) => {
        this.outcome.set(failureOutcome(error));
        this.busy.set(false);
      },
      complete: () => this.busy.set(false),
    });
  }
}
