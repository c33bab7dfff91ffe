import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { catchError, map, of, switchMap } from 'rxjs';

import { failureOutcome } from '../client-details/outcomes';
import { SyncLogsGQL, type SyncLogsQuery } from '../graphql/generated';

type LogsState =
  | { kind: 'loading' }
  | { kind: 'failed'; message: string }
  | { kind: 'ready'; logs: SyncLogsQuery['syncLogs'] };

/** The audit log of one local client, newest first (every WHMCS call whmcs-bridge made). */
@Component({
  selector: 'app-sync-log-list',
  imports: [DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let view = state();
    @if (view.kind === 'ready') {
      @let logs = view.logs;
      @if (logs.items.length) {
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Operation</th>
              <th>Status</th>
              <th>WHMCS action</th>
              <th>ms</th>
              <th>By</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            @for (entry of logs.items; track entry.id) {
              <tr [class]="entry.status === 'ERROR' ? 'tone-error' : ''">
                <td>{{ entry.createdAt | date: 'medium' }}</td>
                <td>{{ entry.operation }}</td>
                <td>{{ entry.status }}</td>
                <td>{{ entry.whmcsAction ?? '' }}</td>
                <td>{{ entry.durationMs ?? '' }}</td>
                <td>{{ entry.actor ?? '' }}</td>
                <td>{{ entry.errorMessage ?? '' }}</td>
              </tr>
            }
          </tbody>
        </table>
        <p>{{ logs.items.length }} of {{ logs.total }} entries.</p>
      } @else {
        <p>Nothing was synced for this client yet.</p>
      }
    } @else if (view.kind === 'failed') {
      <p class="tone-error">The sync log could not be read: {{ view.message }}</p>
    } @else {
      <p>Loading the sync log…</p>
    }
  `,
})
export class SyncLogListComponent {
  readonly localId = input.required<string>();

  private readonly syncLogs = inject(SyncLogsGQL);

  readonly state = toSignal(
    toObservable(this.localId).pipe(
      switchMap((localId) => this.syncLogs.watch({ variables: { localId } }).valueChanges),
      map((result): LogsState => {
        if (result.error) {
          return { kind: 'failed', message: failureOutcome(result.error).message };
        }
        return result.dataState === 'complete'
          ? { kind: 'ready', logs: result.data.syncLogs }
          : { kind: 'loading' };
      }),
      catchError((error: unknown) =>
        of<LogsState>({ kind: 'failed', message: failureOutcome(error).message }),
      ),
    ),
    { initialValue: { kind: 'loading' } satisfies LogsState },
  );
}
