import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { map, switchMap } from 'rxjs';

import { SyncLogsGQL } from '../graphql/generated';

/** The audit log of one local client, newest first (every WHMCS call whmcs-bridge made). */
@Component({
  selector: 'app-sync-log-list',
  imports: [DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (logs(); as logs) {
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
    } @else {
      <p>Loading the sync log…</p>
    }
  `,
})
export class SyncLogListComponent {
  readonly localId = input.required<string>();

  private readonly syncLogs = inject(SyncLogsGQL);

  readonly logs = toSignal(
    toObservable(this.localId).pipe(
      switchMap((localId) => this.syncLogs.watch({ variables: { localId } }).valueChanges),
      map((result) => (result.dataState === 'complete' ? result.data.syncLogs : undefined)),
    ),
  );
}
