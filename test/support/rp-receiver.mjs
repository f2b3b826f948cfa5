// A relying party's back-channel logout endpoint, as a worker of its own in the test runtime:
// the provider's outbound requests are routed here (vitest.config.ts, outboundService).
//   POST /ok/<key>         answers 200
//   POST /flaky-<n>/<key>  answers 503 the first n times, then 200
//   POST /down/<key>       always answers 500
//   GET  /received?key=K   the form bodies received for key K, with the status each got
//   POST /json/<key>       a CIBA client notification endpoint: records the JSON body and the
//                          Authorization (and Authshard-Signature) header, answers 204
//                          (flaky-json-<n>: 503 the first n times)
// A client's or trusted issuer's JWK Set served by reference (jwks_uri):
//   PUT  /jwks/<key>       stores the body as the set served for key ("down": GET answers 503)
//   GET  /jwks/<key>       serves it (404 until stored)
//   GET  /jwks-hits?key=K  how many times the set was fetched (also GET /jwks-reads/<key>)
// An upstream OpenID provider's discovery document (federation), for the issuer https://<host>/issuer/<key>:
//   GET  /issuer/<key>/.well-known/openid-configuration
const received = new Map();
const jwksSets = new Map();
const jwksHits = new Map();

function serveJwks(request, url) {
  if (request.method === "GET" && url.pathname === "/jwks-hits") return Response.json(jwksHits.get(url.searchParams.get("key")) ?? 0);
  const [, prefix, key] = url.pathname.split("/");
  if (prefix === "jwks-reads" && key && request.method === "GET") return Response.json(jwksHits.get(key) ?? 0);
  if (prefix !== "jwks" || !key) return null;
  if (request.method === "PUT") return request.text().then((body) => (jwksSets.set(key, body), new Response(null, { status: 204 })));
  jwksHits.set(key, (jwksHits.get(key) ?? 0) + 1);
  const body = jwksSets.get(key);
  if (body === "down") return new Response("unavailable", { status: 503 });
  return body === undefined ? new Response("not found", { status: 404 }) : new Response(body, { headers: { "Content-Type": "application/json" } });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const jwks = serveJwks(request, url);
    if (jwks) return jwks;
    const discovery = /^\/issuer\/([A-Za-z0-9-]+)\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (discovery && request.method === "GET") {
      const issuer = `${url.origin}/issuer/${discovery[1]}`;
      return Response.json({ issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, userinfo_endpoint: `${issuer}/userinfo`, jwks_uri: `${issuer}/jwks`, response_types_supported: ["code"] });
    }
    if (request.method === "GET" && url.pathname === "/received") {
      return Response.json(received.get(url.searchParams.get("key")) ?? []);
    }
    const [, mode, key] = url.pathname.split("/");
    if (request.method !== "POST" || !key) return new Response("not found", { status: 404 });
    const list = received.get(key) ?? [];
    received.set(key, list);
    const json = /^(?:flaky-json-(\d+)|json)$/.exec(mode);
    if (json) {
      const failing = json[1] !== undefined && list.length < Number(json[1]);
      list.push({ host: url.host, contentType: request.headers.get("content-type"), authorization: request.headers.get("authorization"), signature: request.headers.get("authshard-signature"), body: await request.json().catch(() => null), status: failing ? 503 : 204 });
      return new Response(null, { status: failing ? 503 : 204 });
    }
    const form = new URLSearchParams(await request.text());
    let status = 200;
    const flaky = /^flaky-(\d+)$/.exec(mode);
    if (mode === "down") status = 500;
    else if (flaky && list.length < Number(flaky[1])) status = 503;
    else if (!flaky && mode !== "ok") status = 404;
    list.push({ host: url.host, contentType: request.headers.get("content-type"), logout_token: form.get("logout_token"), status });
    return new Response(null, { status: status === 200 ? 200 : status, headers: { "Cache-Control": "no-store" } });
  },
};
