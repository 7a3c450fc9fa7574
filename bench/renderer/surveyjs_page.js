// The SurveyJS side of bench/renderer: loads forms/NAME.surveyjs.json (?form=NAME) into a
// survey-core model and renders it with survey-js-ui (its Preact-based renderer for plain
// JavaScript pages), as SurveyJS's "get started" for HTML/CSS/JavaScript does.
//
// Two settings, both stated in BENCHMARKS.md:
// - animations off (Survey.settings.animationEnabled = false): SurveyJS animates questions that
//   appear and disappear over a few hundred milliseconds; chosa's renderer does not animate. Off,
//   SurveyJS's page is final as soon as it has rendered, which can only make it faster here.
// - a progress bar counting answered questions (showProgressBar, progressBarType "questions"):
//   chosa's renderer always shows "answered of questions" and a bar, so SurveyJS shows the same.
'use strict';
(async function () {
  const name = new URLSearchParams(location.search).get('form');
  const response = await fetch('forms/' + encodeURIComponent(name) + '.surveyjs.json', { cache: 'no-store' });
  const json = await response.json();
  Survey.settings.animationEnabled = false;
  const survey = new Survey.Model(json);
  survey.showProgressBar = true;
  survey.progressBarType = 'questions';
  survey.render(document.getElementById('survey'));
  window.benchSurvey = survey;
  window.benchReady = true;
})();
