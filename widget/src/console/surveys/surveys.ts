import { AnswersElement } from './answers.component.ts';
import { DistributionsElement } from './distributions.component.ts';
import { HistoryImportElement } from './history-import.component.ts';
import { SurveyBuilderElement } from './survey-builder.component.ts';
import { SurveyTranslationElement } from './survey-translation.component.ts';
import { SurveysElement } from './surveys.component.ts';

customElements.define('bw-surveys', SurveysElement);
customElements.define('bw-survey-builder', SurveyBuilderElement);
customElements.define('bw-survey-translation', SurveyTranslationElement);
customElements.define('bw-distributions', DistributionsElement);
customElements.define('bw-answers', AnswersElement);
customElements.define('bw-history-import', HistoryImportElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-surveys': SurveysElement;
    'bw-survey-builder': SurveyBuilderElement;
    'bw-survey-translation': SurveyTranslationElement;
    'bw-distributions': DistributionsElement;
    'bw-answers': AnswersElement;
    'bw-history-import': HistoryImportElement;
  }
}
