import { AllowedOriginsElement } from './allowed-origins.component.ts';
import { WidgetDesignerElement } from './widget-designer.component.ts';
import { WidgetEmbedElement } from './widget-embed.component.ts';
import { WidgetsElement } from './widgets.component.ts';

customElements.define('bw-widgets', WidgetsElement);
customElements.define('bw-widget-designer', WidgetDesignerElement);
customElements.define('bw-widget-embed', WidgetEmbedElement);
customElements.define('bw-allowed-origins', AllowedOriginsElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-widgets': WidgetsElement;
    'bw-widget-designer': WidgetDesignerElement;
    'bw-widget-embed': WidgetEmbedElement;
    'bw-allowed-origins': AllowedOriginsElement;
  }
}
