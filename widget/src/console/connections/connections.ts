import { ConnectionsElement } from './connections.component.ts';
import { SalesforceConnectElement } from './salesforce-connect.component.ts';
import { SalesforceUsageElement } from './salesforce-usage.component.ts';
import { SftpFormElement } from './sftp-form.component.ts';

customElements.define('bw-connections', ConnectionsElement);
customElements.define('bw-sftp-form', SftpFormElement);
customElements.define('bw-salesforce-connect', SalesforceConnectElement);
customElements.define('bw-salesforce-usage', SalesforceUsageElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-connections': ConnectionsElement;
    'bw-sftp-form': SftpFormElement;
    'bw-salesforce-connect': SalesforceConnectElement;
    'bw-salesforce-usage': SalesforceUsageElement;
  }
}
