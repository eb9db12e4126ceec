// Renders Bellwether's <strategic-accounts> web component on a Lightning page. The element comes from
// the static resource BellwetherStrategicAccounts (widget/dist/strategic-accounts.iife.js, a classic
// script, as loadScript needs) and is rendered natively with lwc:external, which needs Lightning Web
// Security enabled in the org (Lightning Locker blocks customElements.define).
// Its embed token is the running user's own, minted by the Apex class BellwetherEmbedToken with the
// key kept in protected custom metadata, and asked for again a minute before it expires: no token
// sits in a page property, and each user sees only the accounts where they hold a management role.
import { LightningElement, api } from 'lwc';
import { loadScript } from 'lightning/platformResourceLoader';
import bundle from '@salesforce/resourceUrl/BellwetherStrategicAccounts';
import mint from '@salesforce/apex/BellwetherEmbedToken.mint';

/** A token is asked for again this long before it expires. */
const REFRESH_BEFORE_MS = 60 * 1000;

export default class BellwetherStrategicAccounts extends LightningElement {
    /** The Bellwether server, e.g. https://bellwether.example.com (a CSP Trusted Site with connect-src). */
    @api serverUrl;
    /** The id of the saved widget configuration. */
    @api configId;
    /** MoM, QoQ or YoY; empty: the configuration's default. */
    @api period;
    /** Accounts per page (1 to 200). */
    @api pageSize = 50;
    @api cardTitle = 'Strategic accounts';

    loaded = false;
    error;
    /** The running user's embed token, from BellwetherEmbedToken.mint. */
    token;
    refreshTimer;

    connectedCallback() {
        Promise.all([loadScript(this, bundle), this.refreshToken()])
            .then(() => {
                this.loaded = true;
            })
            .catch((error) => {
                this.error = `The Bellwether widget could not load: ${messageOf(error)}`;
            });
    }

    disconnectedCallback() {
        clearTimeout(this.refreshTimer);
    }

    /** Asks Apex for a token of the running user's own, and again before it expires. */
    async refreshToken() {
        const minted = await mint({ configId: Number(this.configId) });
        this.token = minted.token;
        clearTimeout(this.refreshTimer);
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        this.refreshTimer = setTimeout(() => {
            this.refreshToken().catch((error) => {
                this.error = `The Bellwether widget could not renew its token: ${messageOf(error)}`;
                this.loaded = false;
            });
        }, Math.max(minted.expiresAt - Date.now() - REFRESH_BEFORE_MS, 10 * 1000));
    }
}

/** An Apex error carries its message in body.message; a script error in message. */
function messageOf(error) {
    return (error && error.body && error.body.message) || (error && error.message) || String(error);
}
