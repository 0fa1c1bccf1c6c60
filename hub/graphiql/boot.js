// Starts GraphiQL against the endpoint that served this page, with the README's
// examples as tabs. Loaded as a file, not inline, so the page's CSP can forbid inline script.
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var endpoint = document.getElementById("graphiql").getAttribute("data-endpoint");
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: examples,
      defaultEditorToolsVisibility: true,
      // A county key typed into the headers pane must not outlive the browser tab.
      shouldPersistHeaders: false,
    })
  );
})();
