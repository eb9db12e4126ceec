// Renders Bellwether's <strategic-accounts> web component on a Lightning page. The element comes from
// the static resource BellwetherStrategicAccounts (widget/dist/strategic-accounts.iife.js, a classic
// script, as loadScript needs) and is rendered natively with lwc:external, which needs Lightning Web
// Security enabled in the org (Lightning Locker blocks customElements.define).
import { LightningElement, api } from 'lwc';
import { loadScript } from 'lightning/platformResourceLoader';
import bundle from '@salesforce/resourceUrl/BellwetherStrategicAccounts';

export default class BellwetherStrategicAccounts extends LightningElement {
    /** The Bellwether server, e.g. https://bellwether.example.com (a CSP Trusted Site with connect-src). */
    @api serverUrl;
    /** The id of the saved widget configuration. */
    @api configId;
    /** An embed token for that configuration (POST /api/embed-tokens). */
    @api embedToken;
    /** MoM, QoQ or YoY; empty: the configuration's default. */
    @api period;
    /** Accounts per page (1 to 200). */
    @api pageSize = 50;
    @api cardTitle = 'Strategic accounts';

    loaded = false;
    error;

    connectedCallback() {
        loadScript(this, bundle)
            .then(() => {
                this.loaded = true;
            })
            .catch((error) => {
                this.error = `The Bellwether widget could not load from the static resource BellwetherStrategicAccounts: ${error && error.message ? error.message : error}`;
            });
    }
}
