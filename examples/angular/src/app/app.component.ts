import { ChangeDetectionStrategy, Component, signal } from '@angular/core';

import { ClientDetailsComponent } from './client-details/client-details.component';

@Component({
  selector: 'app-root',
  imports: [ClientDetailsComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>whmcs-bridge · client</h1>
    <label>
      Local client id
      <input #id [value]="clientId()" (change)="clientId.set(id.value)" size="6" />
    </label>
    <app-client-details [clientId]="clientId()" />
  `,
})
export class AppComponent {
  readonly clientId = signal('1');
}
