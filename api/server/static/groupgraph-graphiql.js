// Starts GraphiQL on the page GET /graphql serves (api/server/graphiql.py). A file, not inline
// code: the page's Content-Security-Policy lets scripts come from this server only.
// React, ReactDOM and GraphiQL are the UMD bundles loaded just before, as globals.
"use strict";

(function () {
  var root = document.getElementById("graphiql");
  var endpoint = root.getAttribute("data-endpoint");
  var pageHeader = root.getAttribute("data-page-header");
  var keysRequired = root.getAttribute("data-keys-required") === "true";
  // The <style> GraphiQL's dialogs add takes its nonce from this global (the bundle's
  // get-nonce); the page's CSP allows styles with this response's nonce, no other inline.
  window.__webpack_nonce__ = root.getAttribute("data-style-nonce");

  var intro = [
    "# groupgraph's GraphQL API. Ctrl-Enter runs the query; the Docs button browses the schema.",
    "#",
  ];
  if (keysRequired) {
    // The key is never put in the page: the browser sends the /login cookie, or the user
    // types it in the Headers pane (not kept in localStorage: shouldPersistHeaders is off).
    intro.push(
      "# This server needs an API key: sign in at /login, or put",
      '# {"X-API-Key": "your key"} in the Headers pane below.',
      "#"
    );
  }
  var defaultQuery = intro.concat([
    "{",
    "  dataset { bank parties groups }",
    "  groups(first: 5) { edges { node { id name size exposure { gross net } } } }",
    "}",
    "",
  ]).join("\n");

  // Our own fetcher rather than GraphiQL.createFetcher: it must send the cookie
  // (credentials 'same-origin') and the header that lets /graphql accept it
  // (api/server/security.py), and turn a non-JSON answer into an error GraphiQL can show.
  function fetcher(params, options) {
    var headers = Object.assign({}, (options && options.headers) || {});
    headers["Content-Type"] = "application/json";
    headers["Accept"] = "application/json";
    headers[pageHeader] = "graphiql";
    return fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify(params),
    }).then(function (response) {
      return response.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (error) {
          return { errors: [{ message: "HTTP " + response.status + ": " + text }] };
        }
      });
    });
  }

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: keysRequired ? "headers" : false,
      shouldPersistHeaders: false,
    })
  );
})();
