// The console's entry: the page's own margins (a constructed stylesheet: the CSP allows no inline
// style), then every element the console's pages use. <strategic-accounts> is loaded by My accounts
// only, as a chunk of its own.
import { css } from 'lit';
import './list/list.ts';
import './directory-picker/directory-picker.ts';
import './sign-in/sign-in.ts';
import './join/join.ts';
import './account/account.ts';
import './account-tree/account-tree.ts';
import './contact/contact.ts';
import './workflows/workflows.ts';
import './workflow-builder/workflow-builder.ts';
import './runs/runs.ts';
import './run/run.ts';
import './outbox/outbox.ts';
import './people/people.ts';
import './directories/directories.ts';
import './contact-rules/contact-rules.ts';
import './distribute/distribute.ts';
import './alert-rules/alert-rules.ts';
import './webhooks/webhooks.ts';
import './uploads/uploads.ts';
import './connections/connections.ts';
import './my-accounts/my-accounts.ts';
import './surveys/surveys.ts';
import './widgets/widgets.ts';
import './shell/console.ts';

document.adoptedStyleSheets = [...document.adoptedStyleSheets, css`body { margin: 0; background: #fff; }`.styleSheet!];
