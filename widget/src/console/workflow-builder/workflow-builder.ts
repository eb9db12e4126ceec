import { DistributeCardElement } from './distribute-card.component.ts';
import { FileCardElement } from './file-card.component.ts';
import { JsonCardElement } from './json-card.component.ts';
import { LoadCardElement } from './load-card.component.ts';
import { SalesforceCardElement } from './salesforce-card.component.ts';
import { ScheduleCardElement } from './schedule-card.component.ts';
import { SftpBrowserElement } from './sftp-browser.component.ts';
import { WorkflowBuilderElement } from './workflow-builder.component.ts';
import { WritebackCardElement } from './writeback-card.component.ts';

customElements.define('bw-workflow-builder', WorkflowBuilderElement);
customElements.define('bw-schedule-card', ScheduleCardElement);
customElements.define('bw-salesforce-card', SalesforceCardElement);
customElements.define('bw-file-card', FileCardElement);
customElements.define('bw-load-card', LoadCardElement);
customElements.define('bw-distribute-card', DistributeCardElement);
customElements.define('bw-writeback-card', WritebackCardElement);
customElements.define('bw-json-card', JsonCardElement);
customElements.define('bw-sftp-browser', SftpBrowserElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-workflow-builder': WorkflowBuilderElement;
    'bw-schedule-card': ScheduleCardElement;
    'bw-salesforce-card': SalesforceCardElement;
    'bw-file-card': FileCardElement;
    'bw-load-card': LoadCardElement;
    'bw-distribute-card': DistributeCardElement;
    'bw-writeback-card': WritebackCardElement;
    'bw-json-card': JsonCardElement;
    'bw-sftp-browser': SftpBrowserElement;
  }
}
